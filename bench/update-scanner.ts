/**
 * Finds, in one WebSocket message, which coins it carries and the newest tick timestamp of each,
 * without JSON.parse (a dashboard update with 200 coins is ~200 KB; parsing it on every sampled
 * socket would cost the load generator more than the system under test).
 *
 * - `coins` (ours, `/ws/market`): an `update` carries `data.coins[]`, each a full Coin whose venue
 *   prices and premium have `"timestamp"` fields; the coin's newest one is the newest tick it reflects.
 *   Snapshots are skipped (they are the state at connect, not an update).
 * - `tick` (the baseline): one message is one ingest ticker event, with `"base"` and `"timestamp"`.
 */

/** Which wire format the subscriber reads. */
export type ScanMode = "coins" | "tick";

/** Called per coin found: its symbol and the newest timestamp in it. */
export type EntryHandler = (symbol: string, newestTimestamp: number) => void;

const UPDATE = Buffer.from('{"type":"update"');
const SYMBOL = Buffer.from('{"symbol":"');
const BASE = Buffer.from('"base":"');
const TIMESTAMP = Buffer.from('"timestamp":');
const GLOBALS = Buffer.from('"exchange_rate":{');
const QUOTE = 0x22;

function readInt(buf: Buffer, at: number): number {
  let n = 0;
  for (let i = at; i < buf.length; i++) {
    const c = buf[i];
    if (c < 0x30 || c > 0x39) break;
    n = n * 10 + (c - 0x30);
  }
  return n;
}

function newestTimestamp(buf: Buffer, from: number, to: number): number {
  let newest = 0;
  let at = buf.indexOf(TIMESTAMP, from);
  while (at !== -1 && at < to) {
    const ts = readInt(buf, at + TIMESTAMP.length);
    if (ts > newest) newest = ts;
    at = buf.indexOf(TIMESTAMP, at + TIMESTAMP.length);
  }
  return newest;
}

/** Calls `onEntry` for every coin update in the message; returns how many there were. */
export function scanMessage(mode: ScanMode, buf: Buffer, onEntry: EntryHandler): number {
  if (mode === "tick") {
    const b = buf.indexOf(BASE);
    if (b === -1) return 0;
    const start = b + BASE.length;
    const symbol = buf.toString("latin1", start, buf.indexOf(QUOTE, start));
    onEntry(symbol, newestTimestamp(buf, 0, buf.length));
    return 1;
  }
  if (buf.compare(UPDATE, 0, UPDATE.length, 0, UPDATE.length) !== 0) return 0;
  const globals = buf.indexOf(GLOBALS);
  const end = globals === -1 ? buf.length : globals;
  let count = 0;
  let at = buf.indexOf(SYMBOL);
  while (at !== -1 && at < end) {
    const next = buf.indexOf(SYMBOL, at + SYMBOL.length);
    const entryEnd = next === -1 || next > end ? end : next;
    const start = at + SYMBOL.length;
    const symbol = buf.toString("latin1", start, buf.indexOf(QUOTE, start));
    onEntry(symbol, newestTimestamp(buf, start, entryEnd));
    count++;
    at = next;
  }
  return count;
}

/**
 * The same as `scanMessage`, on a message already parsed with JSON.parse (BENCH_PARSE=1: what a client
 * that decodes every message does): calls `onEntry` per coin update, returns how many there were.
 */
export function scanParsed(mode: ScanMode, message: unknown, onEntry: EntryHandler): number {
  const m = message as { type?: string; data?: { base?: string; coins?: { symbol?: string }[] } };
  if (mode === "tick") {
    if (typeof m.data?.base !== "string") return 0;
    onEntry(m.data.base, newestIn(m.data));
    return 1;
  }
  if (m.type !== "update" || !Array.isArray(m.data?.coins)) return 0;
  for (const coin of m.data.coins) onEntry(String(coin.symbol), newestIn(coin));
  return m.data.coins.length;
}

/** The newest `timestamp` member anywhere inside a parsed value. */
function newestIn(value: unknown): number {
  if (typeof value !== "object" || value === null) return 0;
  let newest = 0;
  for (const [key, member] of Object.entries(value)) {
    const ts = key === "timestamp" && typeof member === "number" ? member : newestIn(member);
    if (ts > newest) newest = ts;
  }
  return newest;
}
