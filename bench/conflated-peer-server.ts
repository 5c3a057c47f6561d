/**
 * The conflated peer: the best a single Node process does with the same design as ours. A Node `ws`
 * server that takes the same ingest batches (node-ingest.ts), keeps the board's own in-memory book
 * (`MarketBook`) and renders each coin with the board's `CoinView` (no premium context: that needs the
 * coins' history), and fans out like durable-objects/sockets/sharded-fanout.ts, without the shards: at
 * most once per interval (50 ms, or BENCH_FANOUT_INTERVAL_MS), an `update`
 * with, per coin that changed, a patch (`diffPatch`, protocol/patch.ts) against the state last
 * published; a `snapshot` with `seq` on connect. Sockets subscribed to every coin share one `seq` and
 * one message per flush, encoded to bytes once and written to each socket as they are; a socket
 * opened with `?symbols=A,B` gets its own messages and its own `seq`. A text `ping` is answered with
 * `pong`, like the Worker's auto-response. Memory only, no backpressure (like ours, which cannot see
 * a socket's buffer).
 *
 * Run as its own process: `node --import tsx bench/conflated-peer-server.ts <port> <token>`; it
 * prints `listening <port>` when ready.
 */
import { createServer } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import { CoinView } from "../durable-objects/market/coin-view";
import { MarketBook } from "../durable-objects/market/market-book";
import type { FreshnessBounds } from "../durable-objects/market/premium";
import type { IngestBatch } from "../protocol/ingest";
import type { Coin } from "../protocol/market";
import { diffPatch } from "../protocol/patch";
import { ingestHandler, reply } from "./node-ingest";

const port = Number(process.argv[2] ?? 0);
const token = process.argv[3] ?? "";
const INTERVAL_MS = Number(process.env.BENCH_FANOUT_INTERVAL_MS ?? 50);

/** A socket with its own subscription and `seq`. */
interface OwnSubscriber {
  symbols: string[];
  seq: number;
}

/** wrangler.toml's TICKER_STALE_MS and FX_STALE_MS. */
const BOUNDS: FreshnessBounds = { tickerMs: 30_000, fxMs: 600_000 };

const book = new MarketBook();
const view = new CoinView(book, BOUNDS);
/** Sockets on every coin: one `seq`, one message per flush. */
const group = new Set<WebSocket>();
const own = new Map<WebSocket, OwnSubscriber>();
let groupSeq = 0;

/** Per coin, the state as of the last update that carried it: what the next patch is taken against. */
const published = new Map<string, Coin>();
const dirty = new Set<string>();
let globalsDirty = false;
let timer: ReturnType<typeof setTimeout> | undefined;
let lastFlushAt = 0;
/** The all-coins snapshot, rendered once per flush at most (a connect storm asks for it many times). */
let snapshotCache: Buffer | null = null;

const frame = (type: string, seq: number, data: string) => `{"type":"${type}","seq":${seq},"data":${data}}`;
const subscriberCount = () => group.size + own.size;

function apply(batch: IngestBatch): void {
  let everyCoin = false;
  for (const event of batch.events) {
    switch (event.kind) {
      case "ticker":
        if (book.applyTicker(event, batch.source)) {
          dirty.add(event.base);
          if (event.base === "USDT") everyCoin = true; // moves every coin's USDT-based premium
        }
        break;
      case "fx":
        if (book.applyFx(event)) everyCoin = true;
        break;
      case "coin":
        book.applyCoinName(event);
        dirty.add(event.base);
        break;
      case "fear_greed":
        if (book.applyFearGreed(event)) globalsDirty = true;
        break;
      default:
        break;
    }
  }
  if (everyCoin) {
    for (const base of book.bases()) dirty.add(base);
    globalsDirty = true;
  }
  book.setSource(batch.source);
  schedule();
}

/** Flushes at once if the last flush was at least one interval ago, else when the interval is up. */
function schedule(): void {
  if (timer !== undefined || (dirty.size === 0 && !globalsDirty)) return;
  if (subscriberCount() === 0) {
    // Nobody holds the published states: the next subscriber starts from a snapshot of the current ones.
    dirty.clear();
    globalsDirty = false;
    published.clear();
    snapshotCache = null;
    return;
  }
  timer = setTimeout(
    () => {
      timer = undefined;
      flush();
    },
    Math.max(0, lastFlushAt + INTERVAL_MS - Date.now()),
  );
}

/** The JSON of a coin's patch from its published state to its current one; undefined when unchanged. */
function renderPatch(base: string, now: number, usdtKrw: ReturnType<CoinView["usdtKrwByVenue"]>): string | undefined {
  const current = view.coin(base, now, usdtKrw);
  const previous = published.get(base);
  published.set(base, current);
  if (previous === undefined) return JSON.stringify(current);
  const patch = diffPatch(previous, current);
  return patch === undefined ? undefined : JSON.stringify({ symbol: base, ...patch });
}

function globalsJson(now: number): string {
  return `"exchange_rate":${JSON.stringify(view.exchangeRate(now))},"fear_greed":${JSON.stringify(book.fearGreed())}`;
}

function flush(): void {
  const now = Date.now();
  lastFlushAt = now;
  const usdtKrw = view.usdtKrwByVenue();
  const rendered = new Map<string, string>();
  for (const base of dirty) {
    const json = renderPatch(base, now, usdtKrw);
    if (json !== undefined) rendered.set(base, json);
  }
  const globals = globalsDirty ? globalsJson(now) : "";
  dirty.clear();
  globalsDirty = false;
  snapshotCache = null;
  if (rendered.size === 0 && !globals) return;
  const dataOf = (coins: string[]) => `{"coins":[${coins.join(",")}]${globals ? `,${globals}` : ""}}`;
  if (group.size > 0) {
    groupSeq++;
    const message = Buffer.from(frame("update", groupSeq, dataOf([...rendered.values()])));
    for (const ws of group) ws.send(message, { binary: false });
  }
  for (const [ws, subscriber] of own) {
    const parts = subscriber.symbols.flatMap((s) => rendered.get(s) ?? []);
    if (parts.length === 0 && !globals) continue;
    subscriber.seq++;
    ws.send(frame("update", subscriber.seq, dataOf(parts)));
  }
}

/** The snapshot of `bases`: each coin as last published (the next patch applies to it), else as now. */
function snapshotData(bases: string[]): string {
  const now = Date.now();
  const usdtKrw = view.usdtKrwByVenue();
  const coins = bases.filter((b) => book.has(b)).map((b) => published.get(b) ?? view.coin(b, now, usdtKrw));
  return JSON.stringify({
    coins,
    exchange_rate: view.exchangeRate(now),
    fear_greed: book.fearGreed(),
    source: book.source(),
  });
}

function onConnection(ws: WebSocket, url: string): void {
  const query = new URL(url, "http://localhost").searchParams.get("symbols");
  const symbols = query ? [...new Set(query.split(",").map((s) => s.trim().toUpperCase()))] : null;
  ws.on("message", (data, isBinary) => {
    if (!isBinary && data.toString() === "ping") ws.send("pong");
  });
  const forget = () => {
    group.delete(ws);
    own.delete(ws);
  };
  ws.on("close", forget);
  ws.on("error", forget);
  if (symbols === null) {
    snapshotCache ??= Buffer.from(frame("snapshot", groupSeq, snapshotData([...book.bases()].sort())));
    ws.send(snapshotCache, { binary: false });
    group.add(ws);
  } else {
    ws.send(frame("snapshot", 1, snapshotData(symbols)));
    own.set(ws, { symbols, seq: 1 });
  }
}

const ingest = ingestHandler(token, apply);
const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/internal/ingest") ingest(req, res);
  else if (req.url === "/health") reply(res, 200, { status: "ok" });
  else reply(res, 404, { title: "not found" });
});

const wss = new WebSocketServer({ server, path: "/ws/market" });
wss.on("connection", (ws, req) => onConnection(ws, req.url ?? "/"));

server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : port}`);
});
