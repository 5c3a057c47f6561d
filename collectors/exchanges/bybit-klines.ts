import type { CandleResolution } from "../../protocol/venues";
import { INTERVAL_MS } from "../../protocol/venues";
import type { CandleRequest } from "../candles/candle-venue";
import { candleResult, candlesFromKlineRows } from "../candles/closed-candle";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import type { ListedMarket } from "../core/market-directory";
import { isRecord, parseJson, toText } from "../core/parse";
import { resolveBase, splitConcatenated } from "../core/symbols";
import type { TimeRange } from "../core/time-ranges";

/** Klines per request at most (`limit`, default 200). */
export const BYBIT_KLINES_MAX = 1000;

/** Bybit's interval names: minutes as numbers, `D` for the day. */
const BYBIT_INTERVAL: Record<CandleResolution, string> = { "1m": "1", "1h": "60", "1d": "D" };

/**
 * The newest page of a gap on Bybit spot: `GET /v5/market/kline?category=spot&symbol=&interval=&start=
 * &end=&limit=`, a window of at most 1000 intervals ending at the gap's end (the `window` paging).
 */
export function bybitKlinesRequest(market: ListedMarket, interval: CandleResolution, gap: TimeRange): CandleRequest {
  const size = INTERVAL_MS[interval];
  const start = Math.max(gap[0], gap[1] - BYBIT_KLINES_MAX * size);
  const limit = Math.max(1, Math.ceil((gap[1] - start) / size));
  const path = `/v5/market/kline?category=spot&symbol=${encodeURIComponent(market.venueSymbol)}&interval=${BYBIT_INTERVAL[interval]}&start=${start}&end=${gap[1] - 1}&limit=${limit}`;
  return { path, stream: `rest ${path}`, window: [start, gap[1]], limit, fetched: interval };
}

/**
 * Bybit v5 klines (`GET /v5/market/kline`): `{retCode, retMsg, result: {category, symbol, list}, time}`,
 * `list` newest first, each `[startTime, open, high, low, close, volume, turnover]` as strings (spot:
 * volume in the base coin, turnover in the quote). The interval comes from the stream (the request's
 * query). Only spot is ours; the still-open kline is left out.
 */
export class BybitKlineNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    const [path, query = ""] = frame.stream.replace(/^rest /, "").split("?");
    if (path !== "/v5/market/kline") return { kind: "error", error: `unknown stream ${frame.stream}` };
    const params = new URLSearchParams(query);
    const interval = (Object.keys(BYBIT_INTERVAL) as CandleResolution[]).find(
      (r) => BYBIT_INTERVAL[r] === params.get("interval"),
    );
    if (!interval) return { kind: "error", error: `interval ${params.get("interval")} is not collected` };
    const body = parseJson(frame.frame);
    if (!isRecord(body)) return { kind: "error", error: body === undefined ? "not JSON" : "not an object" };
    if (body.retCode !== 0)
      return { kind: "error", error: `venue error ${String(body.retCode)}: ${String(body.retMsg)}` };
    const result = body.result;
    if (!isRecord(result) || !Array.isArray(result.list)) return { kind: "error", error: "no result.list" };
    if (result.category !== "spot") return { kind: "error", error: `category ${String(result.category)} is not spot` };
    const symbol = toText(result.symbol) ?? params.get("symbol") ?? "";
    const pair = splitConcatenated(symbol);
    const asset = pair && resolveBase("bybit", pair.base);
    if (!pair || !asset) return { kind: "error", error: `klines of an unknown symbol ${symbol}` };
    return candleResult(
      candlesFromKlineRows(
        result.list,
        { venue: "bybit", asset, quote: pair.quote, venueSymbol: symbol, interval },
        6,
        frame.received_at,
      ),
    );
  }
}
