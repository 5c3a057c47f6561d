/**
 * `npm run soak`: the whole system on loopback (the Worker under wrangler dev, the collectors against
 * the local venue simulator) while clients read, subscribe and trade, with faults injected one after
 * another:
 *   1. the Worker killed (SIGKILL) and kept down 20 s, then started again on its state;
 *   2. the collectors killed (SIGKILL) and started again 5 s later;
 *   3. the Worker stopped cleanly and started again at once;
 *   4. each kind of Durable Object evicted in turn (`POST /internal/evict`, which has the object call
 *      `ctx.abort()`): the MarketBoard, the LiquidationFeed, BTC's MarketSymbol, the trader's UserLedger.
 * Subscribers follow every object's stream: /ws/market (the board), /ws/liquidations (the feed),
 * /ws/prices/BTC (the coin) and /ws/user (the ledger, with a fresh ticket at each connect).
 * For each fault it reports how long after the recovery every feed was fresh again (each venue's
 * newest ticker under the 30 s bound) and every affected subscriber had a new snapshot; at the end, whether
 * any event the Worker acknowledged was lost or counted twice: liquidations (every acknowledged
 * liquidation id, seen by a recording proxy between the collectors and the Worker, against the
 * Worker's per-venue counts), orders (every 201) and fills. Bounded in time (about 5 minutes).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { freePort, startWorker, type WorkerProcess } from "../test/support/worker-process";

const root = new URL("..", import.meta.url).pathname;
const log = (line: string) => console.log(`[soak ${new Date().toISOString().slice(11, 19)}] ${line}`);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// --- the recording proxy between the collectors and the Worker ---------------------------------

/** Liquidation ids of every batch the Worker acknowledged, by venue. */
const acknowledged = new Map<string, Set<string>>();

async function startProxy(target: () => string): Promise<{ url: string; server: Server }> {
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    try {
      const upstream = await fetch(`${target()}${req.url}`, {
        method: req.method,
        headers: { "Content-Type": "application/json", Authorization: req.headers.authorization ?? "" },
        body: req.method === "GET" ? undefined : body,
      });
      const text = await upstream.text();
      if (upstream.status === 200 && req.url?.startsWith("/internal/ingest")) {
        const batch = JSON.parse(body.toString("utf8")) as { events: { kind: string; venue?: string; id?: string }[] };
        for (const e of batch.events) {
          if (e.kind !== "liquidation" || !e.venue || !e.id) continue;
          const ids = acknowledged.get(e.venue) ?? new Set<string>();
          acknowledged.set(e.venue, ids);
          ids.add(e.id);
        }
      }
      res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") ?? "application/json" });
      res.end(text);
    } catch {
      req.socket.destroy(); // the Worker is down: the collectors see a dead connection
    }
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

// --- the collectors ------------------------------------------------------------------------------

function startCollectors(workerUrl: string, token: string, spool: string, port: number): ChildProcess {
  const child = spawn(
    process.execPath,
    [
      "--import",
      "tsx",
      "collectors/main.ts",
      "--worker-url",
      workerUrl,
      "--token",
      token,
      "--simulate",
      "on",
      "--spool-dir",
      spool,
      "--port",
      String(port),
      "--log-level",
      "warn",
    ],
    { cwd: root, stdio: ["ignore", "ignore", "inherit"] },
  );
  return child;
}

async function collectorsBuffered(port: number): Promise<number | null> {
  try {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    let total = 0;
    for (const m of text.matchAll(/^collectors_pusher_(?:buffered|spooled)_events(?:\{[^}]*\})? (\d+)/gm))
      total += Number(m[1]);
    return total;
  } catch {
    return null;
  }
}

// --- clients -----------------------------------------------------------------------------------

/**
 * A client of one stream: connects (asking `target` for the URL each time, so a private stream gets a
 * fresh ticket), reconnects with backoff after a close, and notes when each snapshot arrives.
 */
class Subscriber {
  snapshots: number[] = [];
  private ws: WebSocket | null = null;
  private stopped = false;
  constructor(
    readonly stream: string,
    private readonly target: () => Promise<string>,
  ) {
    void this.connect(0);
  }
  private async connect(attempt: number): Promise<void> {
    if (this.stopped) return;
    const retry = () => setTimeout(() => void this.connect(attempt + 1), Math.min(200 * 2 ** attempt, 2_000));
    let url: string;
    try {
      url = await this.target();
    } catch {
      retry(); // the Worker is down (no ticket)
      return;
    }
    const ws = new WebSocket(url);
    this.ws = ws;
    ws.on("open", () => {
      attempt = 0;
    });
    ws.on("message", (data) => {
      if (String(data).startsWith('{"type":"snapshot"')) this.snapshots.push(Date.now());
    });
    const ping = setInterval(() => ws.readyState === ws.OPEN && ws.send("ping"), 20_000);
    ws.on("close", () => {
      clearInterval(ping);
      retry();
    });
    ws.on("error", () => undefined);
  }
  stop(): void {
    this.stopped = true;
    this.ws?.close();
  }
}

/** Subscribers to the public streams: 5 dashboards on /ws/market, 2 on /ws/liquidations, 2 on /ws/prices/BTC. */
function publicSubscribers(url: () => string): Subscriber[] {
  const on = (path: string) => async () => `${url().replace("http", "ws")}${path}`;
  return [
    ...Array.from({ length: 5 }, () => new Subscriber("/ws/market", on("/ws/market"))),
    ...Array.from({ length: 2 }, () => new Subscriber("/ws/liquidations", on("/ws/liquidations"))),
    ...Array.from({ length: 2 }, () => new Subscriber("/ws/prices/BTC", on("/ws/prices/BTC"))),
  ];
}

/** The trader's private stream, opened with a single-use ticket each time. */
function userSubscriber(url: () => string, token: string): Subscriber {
  return new Subscriber("/ws/user", async () => {
    const res = await fetch(`${url()}/api/auth/ws-ticket`, {
      method: "POST",
      headers: { Authorization: `Bearer ${token}` },
    });
    if (res.status !== 200) throw new Error(`ws-ticket: ${res.status}`);
    const { ticket } = (await res.json()) as { ticket: string };
    return `${url().replace("http", "ws")}/ws/user?ticket=${encodeURIComponent(ticket)}`;
  });
}

/** A trader: places a small market order every 2 s; remembers every order the Worker accepted (201). */
class Trader {
  accepted: string[] = [];
  /** Accepted orders the Worker answered as FILLED (a market order fills at once, in full). */
  filled: string[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;
  constructor(
    private readonly url: () => string,
    readonly token: string,
    private readonly symbol: string,
  ) {}
  start(): void {
    this.timer = setInterval(() => void this.place(), 2_000);
  }
  private async place(): Promise<void> {
    try {
      const res = await fetch(`${this.url()}/api/orders`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${this.token}` },
        body: JSON.stringify({
          symbol: this.symbol,
          side: this.accepted.length % 2 ? "SELL" : "BUY",
          order_type: "MARKET",
          quantity: "0.0001",
        }),
      });
      if (res.status === 201) {
        const order = (await res.json()) as { id: string; status: string };
        this.accepted.push(order.id);
        if (order.status === "FILLED") this.filled.push(order.id);
      }
    } catch {
      // the Worker is down: not accepted
    }
  }
  stop(): void {
    clearInterval(this.timer);
  }
}

async function signUp(url: string): Promise<{ token: string; userId: string }> {
  const email = `soak-${Date.now()}@example.com`;
  const password = `Kimchi ${crypto.randomUUID().slice(0, 12)} Soak`;
  const registered = await fetch(`${url}/api/auth/register`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, username: "endurance", password }),
  });
  if (registered.status !== 201) throw new Error(`register: ${registered.status} ${await registered.text()}`);
  const res = await fetch(`${url}/api/auth/token`, {
    method: "POST",
    headers: { "Content-Type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ username: email, password }),
  });
  const token = ((await res.json()) as { access_token: string }).access_token;
  const me = (await (await fetch(`${url}/api/auth/me`, { headers: { Authorization: `Bearer ${token}` } })).json()) as {
    id: string;
  };
  return { token, userId: me.id };
}

/** Resets one Durable Object through the Worker (`POST /internal/evict`, with the collectors' token). */
async function evict(worker: WorkerProcess, object: string): Promise<void> {
  const res = await fetch(`${worker.url}/internal/evict?object=${encodeURIComponent(object)}`, {
    method: "POST",
    headers: { Authorization: `Bearer ${worker.token}` },
  });
  if (res.status !== 200) throw new Error(`evict ${object}: ${res.status} ${await res.text()}`);
}

// --- measuring recovery --------------------------------------------------------------------------

/** Whether every market venue has a ticker newer than `since` (`/health/ready` gives each feed's age). */
async function tickedSince(url: string, since: number): Promise<boolean> {
  try {
    const body = (await (await fetch(`${url}/health/ready`)).json()) as { feeds: Record<string, { age_ms: number }> };
    const feeds = Object.values(body.feeds ?? {});
    return feeds.length >= 4 && feeds.every((f) => Date.now() - f.age_ms > since);
  } catch {
    return false;
  }
}

/**
 * Seconds from `from` until every venue has ticked again (a ticker newer than `from`, so fresh data,
 * not what was stored before the fault) and every subscriber has had a snapshot after `from`.
 */
async function recovery(
  url: string,
  subscribers: Subscriber[],
  from: number,
  limitMs = 90_000,
): Promise<{ feeds: number | null; snapshots: number | null }> {
  let feeds: number | null = null;
  let snapshots: number | null = null;
  while (Date.now() - from < limitMs && (feeds === null || snapshots === null)) {
    if (feeds === null && (await tickedSince(url, from))) feeds = (Date.now() - from) / 1000;
    if (snapshots === null && subscribers.every((s) => s.snapshots.some((t) => t > from))) {
      snapshots = (Math.max(...subscribers.map((s) => s.snapshots.find((t) => t > from) ?? 0)) - from) / 1000;
    }
    await sleep(250);
  }
  return { feeds, snapshots };
}

// --- the run -------------------------------------------------------------------------------------

interface FaultResult {
  fault: string;
  feedsFreshS: number | null;
  snapshotsS: number | null;
  /** The streams whose subscribers had to get a new snapshot. */
  streams: string;
}

/** The collectors' liquidation feeds and the Worker's venue each counts under. */
const FEED_VENUE: Record<string, string> = {
  "binance-futures": "binance",
  "bybit-linear": "bybit",
  okx: "okx",
  bitmex: "bitmex",
};

/** Liquidations each liquidation feed has handed to its pusher (valid events), from the collectors' metrics. */
async function collectorsLiquidations(port: number): Promise<Record<string, number>> {
  const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const out: Record<string, number> = {};
  for (const m of text.matchAll(/^collectors_venue_events_total\{venue="([^"]+)"\} (\d+)/gm)) {
    if (m[1] && m[1] in FEED_VENUE) out[m[1]] = Number(m[2]);
  }
  return out;
}

/** Liquidations the Worker counted, per venue. */
async function workerLiquidations(worker: WorkerProcess): Promise<Record<string, number>> {
  const res = await fetch(`${worker.url}/api/liquidations/debug`, {
    headers: { Authorization: `Bearer ${worker.token}` },
  });
  const body = (await res.json()) as { venues: Record<string, { accepted: number }> };
  return Object.fromEntries(Object.entries(body.venues).map(([v, c]) => [v, c.accepted]));
}

async function main(): Promise<void> {
  const started = Date.now();
  log("starting the Worker (wrangler dev)");
  const worker: WorkerProcess = await startWorker();
  const proxy = await startProxy(() => worker.url);
  const spool = mkdtempSync(join(tmpdir(), "kimchi-soak-spool-"));
  const collectorsPort = await freePort();
  let collectors = startCollectors(proxy.url, worker.token, spool, collectorsPort);
  const subscribers = publicSubscribers(() => worker.url);
  const on = (...streams: string[]) => subscribers.filter((s) => streams.includes(s.stream));
  const results: FaultResult[] = [];
  let trader: Trader | null = null;
  try {
    log("warming up: waiting for every feed to be fresh");
    const warm = await recovery(worker.url, subscribers, Date.now() - 1);
    log(`feeds fresh after ${warm.feeds} s`);
    const account = await signUp(worker.url);
    trader = new Trader(() => worker.url, account.token, "BTC/KRW");
    trader.start();
    subscribers.push(userSubscriber(() => worker.url, account.token));
    await sleep(15_000);
    const allStreams = [...new Set(subscribers.map((s) => s.stream))].join(", ");

    log("fault 1: the Worker killed (SIGKILL), down 20 s");
    await worker.kill();
    await sleep(20_000);
    await worker.restart();
    let from = Date.now();
    let r = await recovery(worker.url, subscribers, from);
    results.push({
      fault: "Worker killed (SIGKILL), down 20 s, restarted",
      feedsFreshS: r.feeds,
      snapshotsS: r.snapshots,
      streams: allStreams,
    });
    log(`recovered: feeds fresh ${r.feeds} s, snapshots ${r.snapshots} s`);
    await sleep(15_000);
    // Across the Worker's outage: every liquidation the collectors produced (handed to their pusher,
    // which held them while the Worker was away) against what the Worker counted, once drained.
    for (let i = 0; i < 60 && (await collectorsBuffered(collectorsPort)) !== 0; i++) await sleep(500);
    const produced = await collectorsLiquidations(collectorsPort);
    const countedThen = await workerLiquidations(worker);
    const outageRows = Object.entries(produced).map(
      ([feed, n]) => `| ${feed} | ${n} | ${countedThen[FEED_VENUE[feed] ?? feed] ?? 0} |`,
    );

    log("fault 2: the collectors killed (SIGKILL), restarted after 5 s");
    collectors.kill("SIGKILL");
    await sleep(5_000);
    collectors = startCollectors(proxy.url, worker.token, spool, collectorsPort);
    from = Date.now();
    r = await recovery(worker.url, [], from);
    const fresh = r.feeds;
    results.push({
      fault: "collectors killed (SIGKILL), restarted after 5 s",
      feedsFreshS: fresh,
      snapshotsS: null,
      streams: "–",
    });
    log(`recovered: every venue ticked again after ${fresh} s`);
    await sleep(15_000);

    log("fault 3: the Worker stopped cleanly and restarted at once");
    await worker.stop();
    await worker.restart();
    from = Date.now();
    r = await recovery(worker.url, subscribers, from);
    results.push({
      fault: "Worker stopped cleanly, restarted at once",
      feedsFreshS: r.feeds,
      snapshotsS: r.snapshots,
      streams: allStreams,
    });
    log(`recovered: feeds fresh ${r.feeds} s, snapshots ${r.snapshots} s`);
    await sleep(10_000);

    // Fault 4: each object reset in turn while ingest, trading and the streams go on.
    const evictions: { object: string; name: string; streams: string[] }[] = [
      { object: "board", name: "MarketBoard evicted (`ctx.abort()`)", streams: ["/ws/market"] },
      { object: "feed", name: "LiquidationFeed evicted", streams: ["/ws/liquidations"] },
      { object: "symbol:BTC", name: "MarketSymbol BTC evicted", streams: ["/ws/prices/BTC"] },
      { object: `ledger:${account.userId}`, name: "the trader's UserLedger evicted", streams: ["/ws/user"] },
    ];
    for (const e of evictions) {
      log(`fault 4: ${e.name}`);
      from = Date.now();
      await evict(worker, e.object);
      r = await recovery(worker.url, on(...e.streams), from);
      results.push({ fault: e.name, feedsFreshS: r.feeds, snapshotsS: r.snapshots, streams: e.streams.join(", ") });
      log(`recovered: feeds fresh ${r.feeds} s, snapshots ${r.snapshots} s`);
      await sleep(8_000);
    }
    trader.stop();

    log("draining: waiting for the collectors' buffers to empty");
    for (let i = 0; i < 120 && (await collectorsBuffered(collectorsPort)) !== 0; i++) await sleep(500);
    await sleep(3_000);

    // Liquidations: every acknowledged id counted once.
    const counted = await workerLiquidations(worker);
    const rows: string[] = [];
    let lost = 0;
    let doubled = 0;
    for (const [venue, ids] of acknowledged) {
      const n = counted[venue] ?? 0;
      // The Worker's counts include only what it was sent here (a fresh state directory), so fewer means lost, more means doubled.
      lost += Math.max(0, ids.size - n);
      doubled += Math.max(0, n - ids.size);
      rows.push(`| ${venue} | ${ids.size} | ${n} |`);
    }

    // Orders and fills: every accepted order is there, every filled one has exactly one fill.
    const token = trader.token;
    const mine = (await (
      await fetch(`${worker.url}/api/orders?limit=500`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { items: { id: string; status: string }[] };
    const fills = (await (
      await fetch(`${worker.url}/api/fills?limit=500`, { headers: { Authorization: `Bearer ${token}` } })
    ).json()) as { items: { order_id: string }[] };
    const present = new Set(mine.items.map((o) => o.id));
    const ordersLost = trader.accepted.filter((id) => !present.has(id)).length;
    const fillsPerOrder = new Map<string, number>();
    for (const f of fills.items) fillsPerOrder.set(f.order_id, (fillsPerOrder.get(f.order_id) ?? 0) + 1);
    const ordersDoubled = [...fillsPerOrder.values()].filter((n) => n > 1).length;
    const fillsLost = trader.filled.filter((id) => (fillsPerOrder.get(id) ?? 0) === 0).length;

    const report = [
      "# Soak: recovery and durability under faults",
      "",
      `Generated by \`npm run soak\` (bench/soak.ts) on ${new Date().toISOString()}, ${Math.round((Date.now() - started) / 1000)} s in all.`,
      "The Worker under wrangler dev (local workerd), the collectors against the local venue simulator,",
      "subscribers reconnecting with backoff (5 on /ws/market, 2 on /ws/liquidations, 2 on /ws/prices/BTC, the",
      "trader's /ws/user with a fresh ticket each time) and one trader placing a market order every 2 s.",
      "Objects are evicted with `POST /internal/evict` (the object calls `ctx.abort()`: its memory and its",
      "sockets go, its storage stays). Seconds are counted from the restart or the eviction.",
      "",
      "| fault | feeds fresh again (s) | every subscriber re-snapshotted (s) | subscribers that needed one |",
      "|---|---|---|---|",
      ...results.map(
        (f) => `| ${f.fault} | ${f.feedsFreshS ?? "not within 90 s"} | ${f.snapshotsS ?? "–"} | ${f.streams} |`,
      ),
      "",
      "Across the Worker's 20 s outage: liquidations the collectors produced (handed to their pusher, which held",
      "them meanwhile) against what the Worker had counted once the pusher had drained, before fault 2:",
      "",
      "| feed | produced by the collectors | counted by the Worker |",
      "|---|---|---|",
      ...outageRows,
      "",
      "Over the whole run, acknowledged liquidations (ids in batches the Worker answered 200) against the Worker's counts:",
      "",
      "| feed | acknowledged ids | counted by the Worker |",
      "|---|---|---|",
      ...rows,
      "",
      `Liquidations lost: ${lost}; counted twice: ${doubled}.`,
      `Orders accepted (201): ${trader.accepted.length}; lost: ${ordersLost}; orders with more than one fill: ${ordersDoubled}; ` +
        `accepted as FILLED but without their fill: ${fillsLost} (market orders fill once, in full).`,
      "",
    ].join("\n");
    writeFileSync(new URL("./SOAK.md", import.meta.url), report);
    console.log(`\n${report}`);
  } finally {
    trader?.stop();
    for (const s of subscribers) s.stop();
    collectors.kill("SIGTERM");
    proxy.server.close();
    proxy.server.closeAllConnections();
    await worker.dispose();
    rmSync(spool, { recursive: true, force: true });
  }
}

await main();
process.exit(0);
