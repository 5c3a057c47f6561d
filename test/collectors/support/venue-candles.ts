/**
 * What the tests compare the collectors' work with: a venue's own candles as the simulator's candle API
 * answers them (read straight from the venue's wire format, not through our normalisers), the candles
 * the Worker serves, and request rates measured from the simulator's request timeline.
 */
import type { ListedMarket } from "../../../collectors/core/market-directory";
import type { VenueSimulator } from "../../../collectors/simulator/server";
import type { CandleRow } from "../../../protocol/market";

/** One candle's values: open, high, low, close, volume (in the market's base unit). */
export type Ohlcv = [open: number, high: number, low: number, close: number, volume: number];

const MINUTE = 60_000;
const HOUR = 3_600_000;

async function getJson(url: string): Promise<unknown> {
  const res = await fetch(url);
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status} from ${url}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/**
 * A venue's own 1m or 1h candles with a start in [from, to), by start, from the simulator's candle API
 * (Upbit and Bithumb `/v1/candles/minutes/{1,60}`, Binance `/api/v3/klines`, Bybit `/v5/market/kline`).
 */
export async function venueCandles(
  sim: VenueSimulator,
  market: ListedMarket,
  interval: "1m" | "1h",
  from: number,
  to: number,
): Promise<Map<number, Ohlcv>> {
  const size = interval === "1m" ? MINUTE : HOUR;
  const out = new Map<number, Ohlcv>();
  const keep = (start: number, values: Ohlcv) => {
    if (start >= from && start < to) out.set(start, values);
  };
  if (market.venue === "upbit" || market.venue === "bithumb") {
    // Newest first, 200 at most before `to` (exclusive); an ISO time with `Z` reads as UTC on both.
    let before = to;
    while (before > from) {
      const query = `market=${market.venueSymbol}&to=${new Date(before).toISOString()}&count=200`;
      const rows = (await getJson(
        `${sim.url}/${market.venue}/rest/v1/candles/minutes/${size / MINUTE}?${query}`,
      )) as Record<string, number | string>[];
      if (rows.length === 0) break;
      for (const r of rows) {
        keep(Date.parse(`${r.candle_date_time_utc}Z`), [
          Number(r.opening_price),
          Number(r.high_price),
          Number(r.low_price),
          Number(r.trade_price),
          Number(r.candle_acc_trade_volume),
        ]);
      }
      before = Math.min(...rows.map((r) => Date.parse(`${r.candle_date_time_utc}Z`)));
    }
  } else if (market.venue === "binance") {
    for (let start = from; start < to; start += 1000 * size) {
      const end = Math.min(to, start + 1000 * size) - 1;
      const rows = (await getJson(
        `${sim.url}/binance/rest/api/v3/klines?symbol=${market.venueSymbol}&interval=${interval}&startTime=${start}&endTime=${end}&limit=1000`,
      )) as (number | string)[][];
      for (const r of rows) keep(Number(r[0]), [Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5])]);
    }
  } else if (market.venue === "bybit") {
    for (let start = from; start < to; start += 1000 * size) {
      const end = Math.min(to, start + 1000 * size) - 1;
      const body = (await getJson(
        `${sim.url}/bybit/rest/v5/market/kline?category=spot&symbol=${market.venueSymbol}&interval=${size / MINUTE}&start=${start}&end=${end}&limit=1000`,
      )) as { result: { list: string[][] } };
      for (const r of body.result.list) {
        keep(Number(r[0]), [Number(r[1]), Number(r[2]), Number(r[3]), Number(r[4]), Number(r[5])]);
      }
    }
  } else {
    throw new Error(`no candle API simulated for ${market.venue}`);
  }
  return out;
}

/** The Worker's chart of one coin on one venue (`GET /api/market/candles/{symbol}`), by period start. */
export async function workerCandles(
  workerUrl: string,
  base: string,
  venue: string,
  interval: string,
  limit: number,
): Promise<Map<number, Ohlcv>> {
  const rows = (await getJson(
    `${workerUrl}/api/market/candles/${base}?venue=${venue}&interval=${interval}&limit=${limit}`,
  )) as CandleRow[];
  return new Map(rows.map(([t, o, h, l, c, v]) => [t, [o, h, l, c, v]]));
}

/** Minutes (or any periods) rolled up as a chart does: first open, highest high, lowest low, last close, summed volume. */
export function rollUp(candles: Map<number, Ohlcv>, period: number): Map<number, Ohlcv> {
  const out = new Map<number, Ohlcv>();
  for (const [start, [o, h, l, c, v]] of [...candles].sort((a, b) => a[0] - b[0])) {
    const bucket = Math.floor(start / period) * period;
    const seen = out.get(bucket);
    out.set(bucket, seen ? [seen[0], Math.max(seen[1], h), Math.min(seen[2], l), c, seen[4] + v] : [o, h, l, c, v]);
  }
  return out;
}

/** The coverage the Worker (or its stand-in) holds for one market: per resolution, merged ranges. */
export async function coverageAt(
  target: { url: string; token: string },
  market: Pick<ListedMarket, "venue" | "base" | "quote">,
): Promise<Record<"1m" | "1h" | "1d", [number, number][]>> {
  const query = new URLSearchParams({ venue: market.venue, base: market.base, quote: market.quote });
  const res = await fetch(`${target.url}/internal/candles/coverage?${query}`, {
    headers: { Authorization: `Bearer ${target.token}` },
  });
  if (!res.ok) throw new Error(`coverage: HTTP ${res.status}`);
  return ((await res.json()) as { intervals: Record<"1m" | "1h" | "1d", [number, number][]> }).intervals;
}

/** Polls an asynchronous condition until it holds, or throws after `timeoutMs`. */
export async function eventually(predicate: () => Promise<boolean>, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
