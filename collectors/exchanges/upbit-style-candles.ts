import type { CandleResolution } from "../../protocol/venues";
import { INTERVAL_MS } from "../../protocol/venues";
import type { CandleRequest } from "../candles/candle-venue";
import { candleResult, closedCandle, collectCandles } from "../candles/closed-candle";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import type { ListedMarket } from "../core/market-directory";
import { isRecord, parseJson, toText } from "../core/parse";
import { resolveBase, splitQuoteFirst } from "../core/symbols";
import type { TimeRange } from "../core/time-ranges";

/** Candles per request on Upbit and Bithumb (`count`, at most 200). */
export const UPBIT_STYLE_MAX_COUNT = 200;

/** The candle path of a resolution: `/v1/candles/minutes/1`, `/v1/candles/minutes/60`, `/v1/candles/days`. */
export function upbitStyleCandlePath(interval: CandleResolution): string {
  return interval === "1d" ? "/v1/candles/days" : `/v1/candles/minutes/${INTERVAL_MS[interval] / 60_000}`;
}

/** The resolution a candle path serves, or undefined (3-, 5-minute... candles are not collected). */
function resolutionOfPath(path: string): CandleResolution | undefined {
  if (path === "/v1/candles/days") return "1d";
  if (path === "/v1/candles/minutes/1") return "1m";
  if (path === "/v1/candles/minutes/60") return "1h";
  return undefined;
}

/**
 * The newest page of a gap on Upbit or Bithumb: `count` candles of `resolution` before `to` (exclusive),
 * newest first; intervals without trades have no candle, so a page can reach further back than `count`
 * intervals (the `newest-before` paging). `formatTo` writes `to` as the venue reads it: Upbit takes
 * UTC, Bithumb reads a time without a zone as KST.
 */
export function upbitStyleRequest(
  market: ListedMarket,
  resolution: CandleResolution,
  gap: TimeRange,
  formatTo: (ms: number) => string,
  maxCount = UPBIT_STYLE_MAX_COUNT,
): CandleRequest {
  const count = Math.max(1, Math.min(maxCount, Math.ceil((gap[1] - gap[0]) / INTERVAL_MS[resolution])));
  const query = `market=${encodeURIComponent(market.venueSymbol)}&to=${encodeURIComponent(formatTo(gap[1]))}&count=${count}`;
  const path = `${upbitStyleCandlePath(resolution)}?${query}`;
  return {
    path,
    stream: `rest ${path}`,
    window: [Math.max(gap[0], gap[1] - count * INTERVAL_MS[resolution]), gap[1]],
    limit: count,
    fetched: resolution,
  };
}

/** How many candles an Upbit-style answer body held. */
export function upbitStyleAnswerRows(body: unknown): number {
  return Array.isArray(body) ? body.length : 0;
}

/**
 * Upbit's and Bithumb's candle answers (`GET /v1/candles/minutes/{1,60}`, `/v1/candles/days`): an array,
 * newest first, of `{market, candle_date_time_utc, opening_price, high_price, low_price, trade_price,
 * candle_acc_trade_volume, candle_acc_trade_price, timestamp, ...}`, prices as JSON numbers. The start
 * is `candle_date_time_utc` (`timestamp` is the last trade, and on Bithumb a KST wall clock). The
 * interval comes from the path; the market from each row. The still-open candle is left out.
 */
export class UpbitStyleCandleNormalizer implements Normalizer {
  constructor(private readonly venue: "upbit" | "bithumb") {}

  normalize(frame: RawFrame): NormalizeResult {
    const path = frame.stream.startsWith("rest ") ? (frame.stream.slice(5).split("?")[0] ?? "") : "";
    const interval = resolutionOfPath(path);
    if (!interval) return { kind: "error", error: `unknown stream ${frame.stream}` };
    const body = parseJson(frame.frame);
    if (body === undefined) return { kind: "error", error: "not JSON" };
    if (isRecord(body) && isRecord(body.error)) {
      return { kind: "error", error: `venue error ${String(body.error.name)}: ${String(body.error.message)}` };
    }
    if (!Array.isArray(body)) return { kind: "error", error: "candles are not an array" };
    const parsed = collectCandles(
      body.map((row) => {
        if (!isRecord(row)) return { ok: false as const, error: "a candle is not an object" };
        const code = toText(row.market);
        const market = code ? splitQuoteFirst(code) : null;
        const asset = market && resolveBase(this.venue, market.base);
        const start = toText(row.candle_date_time_utc);
        const openTime = start ? Date.parse(`${start}Z`) : Number.NaN;
        if (!code || !market || !asset || Number.isNaN(openTime)) {
          return { ok: false as const, error: `unreadable candle of ${String(row.market)} at ${String(start)}` };
        }
        return closedCandle(
          { venue: this.venue, asset, quote: market.quote, venueSymbol: code, interval, openTime },
          {
            open: row.opening_price,
            high: row.high_price,
            low: row.low_price,
            close: row.trade_price,
            volume: row.candle_acc_trade_volume,
            quoteVolume: row.candle_acc_trade_price,
          },
          frame.received_at,
        );
      }),
    );
    return candleResult(parsed);
  }
}
