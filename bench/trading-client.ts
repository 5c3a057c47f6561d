/**
 * The paper-trading benchmark's client side (bench/trading.ts): signed-in traders over the public
 * HTTP API, prices set through `/internal/ingest`, a user's private stream `/ws/user`, and a read-only
 * look at the local D1 file (the projection of orders) without going through the Worker.
 */
import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { priceUnit } from "../protocol/market-rules";
import { batchBody } from "./market-fixture";
import { descendants } from "./process-usage";

/** USD/KRW and Upbit's USDT/KRW as the market-data fixture sets them. */
export const USD_KRW = 1380;
export const USDT_KRW = 1395;
/** Upbit's smallest order value (KRW). */
export const MIN_ORDER_KRW = 5000;
/** A 24 h volume large enough that any of our small resting orders fills in full at its first crossing tick. */
export const DEEP_VOLUME = 10_000_000;

const REQUEST_TIMEOUT_MS = 30_000;

/** A registered, signed-in paper trader. */
export interface Trader {
  email: string;
  userId: string;
  token: string;
}

/** One answered request: its status, body text and round-trip time (ms). */
export interface Answer {
  status: number;
  text: string;
  ms: number;
}

/** A private (10.x) address per registration: the Worker throttles registrations per client address. */
function someAddress(): string {
  const b = [0, 0, 0].map(() => Math.floor(Math.random() * 250) + 1);
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** `wrangler dev`'s proxy workerd could not get an answer from the Worker's workerd (it retries only GET and HEAD). */
export function isProxyFailure(answer: Answer): boolean {
  return answer.status === 503 && answer.text.includes("restarted mid-request");
}

/** Upbit KRW: the highest allowed price at or below `price`, as a number. */
export function upbitPriceAtOrBelow(base: string, price: number): number {
  const unit = priceUnit("upbit", base, price);
  const decimals = unit.includes(".") ? unit.split(".")[1].length : 0;
  const u = Number(unit);
  return Number((Math.floor(price / u + 1e-9) * u).toFixed(decimals));
}

/** The smallest quantity (8 decimals) worth at least `minValue` KRW at `price`. */
export function quantityFor(price: number, minValue = MIN_ORDER_KRW * 1.02): string {
  const q = Math.ceil((minValue / price) * 1e8) / 1e8;
  return q.toFixed(8).replace(/0+$/, "").replace(/\.$/, "");
}

/** An Upbit KRW ticker event (JSON text) for `base` at `price`, stamped `timestamp`. */
export function upbitTicker(base: string, price: number, timestamp = Date.now(), volume = DEEP_VOLUME): string {
  return JSON.stringify({
    kind: "ticker",
    venue: "upbit",
    base,
    quote: "KRW",
    venue_symbol: `KRW-${base}`,
    price,
    change_percent: 0,
    volume,
    quote_volume: volume * price,
    timestamp,
  });
}

/** USD/KRW (forex) and Upbit's USDT/KRW: what orders are valued against the risk limits with. */
export function rateEvents(timestamp = Date.now()): string[] {
  return [
    JSON.stringify({ kind: "fx", pair: "USD/KRW", rate: USD_KRW, provider: "bench", timestamp }),
    upbitTicker("USDT", USDT_KRW, timestamp, 1e6),
  ];
}

/** The public API of one running Worker, as a client and as the collectors. */
export class TradingApi {
  /** Orders placed (HTTP 201) through this client so far. */
  placedOrders = 0;
  /**
   * Requests answered 503 "Your worker restarted mid-request" by `wrangler dev`'s proxy workerd: its own
   * request to the Worker's workerd failed (a POST is not retried by the proxy).
   */
  proxyFailures = 0;
  /** The same, by phase and request. */
  readonly proxyFailuresBy = new Map<string, number>();
  /** What the benchmark is doing now (set by it), to attribute those failures. */
  phase = "start";

  constructor(
    readonly url: string,
    private readonly collectorToken: string,
  ) {}

  /**
   * One request. With `retry`, a request the dev proxy failed (503 "restarted mid-request") is sent
   * again, twice at most: only for requests that are safe to repeat (an ingest batch is deduplicated by
   * its id; the others change nothing twice that matters here).
   */
  async request(
    method: string,
    path: string,
    init: {
      token?: string;
      json?: unknown;
      form?: Record<string, string>;
      headers?: Record<string, string>;
      retry?: boolean;
    } = {},
  ): Promise<Answer> {
    for (let attempt = 0; ; attempt++) {
      const answer = await this.requestOnce(method, path, init);
      if (!(init.retry && attempt < 2 && isProxyFailure(answer))) return answer;
    }
  }

  private async requestOnce(
    method: string,
    path: string,
    init: { token?: string; json?: unknown; form?: Record<string, string>; headers?: Record<string, string> },
  ): Promise<Answer> {
    const headers: Record<string, string> = { ...init.headers };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers["content-type"] = "application/json";
      body = typeof init.json === "string" ? init.json : JSON.stringify(init.json);
    } else if (init.form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(init.form).toString();
    }
    const start = performance.now();
    const res = await fetch(`${this.url}${path}`, {
      method,
      headers,
      body,
      signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
    });
    const text = await res.text();
    const answer = { status: res.status, text, ms: performance.now() - start };
    if (isProxyFailure(answer)) {
      this.proxyFailures++;
      const where = `${this.phase}, ${method} ${path.split("?")[0]}`;
      this.proxyFailuresBy.set(where, (this.proxyFailuresBy.get(where) ?? 0) + 1);
    }
    return answer;
  }

  /** POSTs an ingest batch made of pre-written events. */
  ingest(events: string[], sentAt = Date.now()): Promise<Answer> {
    return this.postBatch(batchBody(events, sentAt));
  }

  /** POSTs a whole ingest batch body. */
  postBatch(body: string): Promise<Answer> {
    return this.request("POST", "/internal/ingest", {
      json: body,
      headers: { authorization: `Bearer ${this.collectorToken}` },
      retry: true,
    });
  }

  /** Registers a new account, signs it in and (optionally) raises its risk limits. */
  async newTrader(tag: string, limits?: Record<string, number>): Promise<Trader> {
    let email = "";
    let password = "";
    let reg: Answer | undefined;
    // A registration the proxy failed may have happened: the next attempt uses another email.
    for (let attempt = 0; attempt < 3 && (!reg || isProxyFailure(reg)); attempt++) {
      email = `${tag}-${randomUUID().slice(0, 8)}@bench.example`;
      password = `Kimchi ${randomUUID().slice(0, 12)} Premium`;
      reg = await this.request("POST", "/api/auth/register", {
        json: { email, username: tag.replace(/[^A-Za-z0-9_.-]/g, "").slice(0, 32) || "bench", password },
        headers: { "cf-connecting-ip": someAddress() },
      });
    }
    if (reg?.status !== 201) throw new Error(`register: ${reg?.status} ${reg?.text.slice(0, 300)}`);
    const { user_id } = JSON.parse(reg.text) as { user_id: string };
    const signIn = await this.request("POST", "/api/auth/token", {
      form: { grant_type: "password", username: email, password },
      headers: { "cf-connecting-ip": someAddress() },
      retry: true,
    });
    if (signIn.status !== 200) throw new Error(`sign-in: ${signIn.status} ${signIn.text.slice(0, 300)}`);
    const trader = {
      email,
      userId: user_id,
      token: (JSON.parse(signIn.text) as { access_token: string }).access_token,
    };
    if (limits) {
      const res = await this.request("PATCH", "/api/account/limits", {
        token: trader.token,
        json: limits,
        retry: true,
      });
      if (res.status !== 200) throw new Error(`limits: ${res.status} ${res.text.slice(0, 300)}`);
    }
    return trader;
  }

  /** `count` new traders, a few registered at a time. */
  async newTraders(tag: string, count: number, limits?: Record<string, number>): Promise<Trader[]> {
    const traders: Trader[] = new Array(count);
    let next = 0;
    await Promise.all(
      Array.from({ length: Math.min(4, count) }, async () => {
        while (next < count) {
          const i = next++;
          traders[i] = await this.newTrader(`${tag}${i}`, limits);
        }
      }),
    );
    return traders;
  }

  /** Places a GTC limit buy on Upbit's KRW market. */
  async placeLimitBuy(
    trader: Trader,
    base: string,
    price: number,
    quantity: string,
    idempotencyKey?: string,
  ): Promise<Answer> {
    const res = await this.request("POST", "/api/orders", {
      token: trader.token,
      json: `{"symbol":"${base}/KRW","side":"BUY","order_type":"LIMIT","time_in_force":"GTC","price":${price},"quantity":"${quantity}"}`,
      headers: idempotencyKey ? { "idempotency-key": idempotencyKey } : undefined,
    });
    if (res.status === 201) this.placedOrders++;
    return res;
  }

  /** The trader's open orders, from `GET /api/account`. */
  async openOrders(trader: Trader): Promise<number> {
    const res = await this.request("GET", "/api/account", { token: trader.token, retry: true });
    if (res.status !== 200) throw new Error(`account: ${res.status} ${res.text.slice(0, 300)}`);
    return (JSON.parse(res.text) as { open_orders: number }).open_orders;
  }

  /** Opens the trader's private stream and waits for its snapshot. */
  async openStream(trader: Trader): Promise<UserStream> {
    const res = await this.request("POST", "/api/auth/ws-ticket", { token: trader.token, retry: true });
    if (res.status !== 200) throw new Error(`ws-ticket: ${res.status} ${res.text.slice(0, 300)}`);
    const { ticket } = JSON.parse(res.text) as { ticket: string };
    const stream = new UserStream(`${this.url.replace(/^http/, "ws")}/ws/user?ticket=${ticket}`);
    await stream.ready;
    return stream;
  }
}

/**
 * `/ws/user`: resolves a waiter when the fill of its order arrives, and keeps the orders it has seen
 * reach FILLED with the time of the latest (times taken on arrival, before the message is parsed).
 */
export class UserStream {
  readonly ready: Promise<void>;
  private readonly ws: WebSocket;
  private readonly waiters = new Map<string, (at: number) => void>();
  private readonly early = new Map<string, number>();
  /** Orders whose `order` message said FILLED. */
  readonly filled = new Set<string>();
  /** When (performance.now()) the latest of them arrived. */
  lastFilledAt = 0;
  messages = 0;
  fills = 0;
  closed: string | null = null;

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.ready = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("no snapshot on /ws/user within 10 s")), 10_000);
      this.ws.on("message", (data) => {
        const at = performance.now();
        this.messages++;
        const message = JSON.parse(data.toString()) as {
          type: string;
          data?: { id?: string; order_id?: string; status?: string };
        };
        if (message.type === "order" && message.data?.status === "FILLED" && message.data.id) {
          if (!this.filled.has(message.data.id)) {
            this.filled.add(message.data.id);
            this.lastFilledAt = at;
          }
        } else if (message.type === "snapshot") {
          clearTimeout(timer);
          resolve();
        } else if (message.type === "fill" && message.data?.order_id) {
          this.fills++;
          const id = message.data.order_id;
          const waiter = this.waiters.get(id);
          if (waiter) {
            this.waiters.delete(id);
            waiter(at);
          } else if (!this.early.has(id)) {
            this.early.set(id, at);
          }
        }
      });
      this.ws.on("error", (e) => reject(e));
      this.ws.on("close", (code, reason) => {
        this.closed = `${code} ${reason.toString()}`;
        reject(new Error(`/ws/user closed: ${this.closed}`));
      });
    });
  }

  /** When (performance.now()) the first fill of `orderId` arrived; null after `timeoutMs`. */
  fillOf(orderId: string, timeoutMs: number): Promise<number | null> {
    const early = this.early.get(orderId);
    if (early !== undefined) return Promise.resolve(early);
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(orderId);
        resolve(null);
      }, timeoutMs);
      this.waiters.set(orderId, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** A text `ping` (answered by the runtime), so the server does not close the socket as silent. */
  ping(): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send("ping");
  }

  close(): void {
    this.ws.removeAllListeners("close");
    this.ws.on("error", () => {});
    this.ws.close();
  }
}

/**
 * Re-posts USD/KRW, USDT/KRW and the held coins' prices every few seconds, so no price the
 * benchmark relies on goes stale (tickers: 30 s; forex: 10 min) during long phases.
 */
export class PriceKeeper {
  private readonly held = new Map<string, number>();
  private timer: ReturnType<typeof setInterval> | undefined;
  failures = 0;
  firstFailure: string | null = null;

  constructor(
    private readonly api: TradingApi,
    private readonly everyMs = 5000,
  ) {}

  /** Holds `base` at `price` on Upbit (posted at once, and again every few seconds). */
  async hold(base: string, price: number): Promise<void> {
    this.held.set(base, price);
    await this.post();
  }

  release(base: string): void {
    this.held.delete(base);
  }

  async post(): Promise<void> {
    const now = Date.now();
    const events = [...rateEvents(now), ...[...this.held].map(([base, price]) => upbitTicker(base, price, now))];
    const res = await this.api.ingest(events, now);
    if (res.status !== 200) throw new Error(`ingest: ${res.status} ${res.text.slice(0, 300)}`);
  }

  start(): void {
    this.timer = setInterval(() => {
      this.post().catch((error: unknown) => {
        this.failures++;
        this.firstFailure ??= String(error);
      });
    }, this.everyMs);
  }

  stop(): void {
    clearInterval(this.timer);
  }
}

/** The state directory (`--persist-to`) of the running Worker under `wrangler dev`; null when none runs. */
export function findPersistDir(): string | null {
  for (const p of descendants(process.pid)) {
    const m = /--persist-to (\S+)/.exec(p.cmdline);
    if (m) return m[1];
  }
  return null;
}

/** The SQLite file in `dir` that is not miniflare's metadata; null when there is none. */
function sqliteFileIn(dir: string): string | null {
  try {
    const file = readdirSync(dir).find((f) => f.endsWith(".sqlite") && f !== "metadata.sqlite");
    return file ? join(dir, file) : null;
  } catch {
    return null;
  }
}

/**
 * The local D1 database of the Worker (its SQLite file under wrangler dev's `--persist-to`), read with
 * the `sqlite3` command line tool, read-only: what the projection holds, without asking the Worker.
 * Null when the file or the tool is not found.
 */
export function findLocalD1(): string | null {
  const dir = findPersistDir();
  return dir ? sqliteFileIn(join(dir, "v3", "d1", "miniflare-D1DatabaseObject")) : null;
}

/**
 * The SQLite file of a Durable Object class with a single instance (e.g. the MarketBoard), under the
 * running Worker's `--persist-to`; null when not found.
 */
export function findLocalObject(className: string): string | null {
  const dir = findPersistDir();
  if (!dir) return null;
  const root = join(dir, "v3", "do");
  try {
    const sub = readdirSync(root).find((d) => d.endsWith(`-${className}`));
    return sub ? sqliteFileIn(join(root, sub)) : null;
  } catch {
    return null;
  }
}

/** Runs one query returning a single integer against the local D1 file (read-only). */
export function d1Count(file: string, sql: string): Promise<number> {
  return new Promise((resolve, reject) => {
    execFile("sqlite3", ["-readonly", "-cmd", ".timeout 2000", file, sql], { timeout: 5000 }, (error, stdout) => {
      if (error) reject(error);
      else resolve(Number(stdout.trim()));
    });
  });
}

/** Runs one query against a local SQLite file (read-only) and answers its rows. */
export function sqliteRows<T>(file: string, sql: string): Promise<T[]> {
  return new Promise((resolve, reject) => {
    execFile(
      "sqlite3",
      ["-readonly", "-json", "-cmd", ".timeout 2000", file, sql],
      { timeout: 10_000, maxBuffer: 64 * 1024 * 1024 },
      (error, stdout) => {
        if (error) reject(error);
        else resolve(stdout.trim() ? (JSON.parse(stdout) as T[]) : []);
      },
    );
  });
}
