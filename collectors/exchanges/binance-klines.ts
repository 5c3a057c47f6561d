import type { CandleResolution } from "../../protocol/venues";
import { CANDLE_RESOLUTIONS, INTERVAL_MS } from "../../protocol/venues";
import type { CandleRequest } from "../candles/candle-venue";
import { candleResult, candlesFromKlineRows } from "../candles/closed-candle";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import type { ListedMarket } from "../core/market-directory";
import { isRecord, parseJson } from "../core/parse";
import { resolveBase, splitConcatenated } from "../core/symbols";
import type { TimeRange } from "../core/time-ranges";

/** Klines per request at most (`limit`, default 500). */
export const BINANCE_KLINES_MAX = 1000;

/**
 * The newest page of a gap on Binance: `GET /api/v3/klines?symbol=&interval=&startTime=&endTime=&limit=`,
 * a window of at most 1000 intervals ending at the gap's end, so the answer (oldest first) holds every
 * kline of the window (the `window` paging). Intervals are `1m`, `1h`, `1d` as we name them.
 */
export function binanceKlinesRequest(market: ListedMarket, interval: CandleResolution, gap: TimeRange): CandleRequest {
  const size = INTERVAL_MS[interval];
  const start = Math.max(gap[0], gap[1] - BINANCE_KLINES_MAX * size);
  const limit = Math.max(1, Math.ceil((gap[1] - start) / size));
  const path = `/api/v3/klines?symbol=${encodeURIComponent(market.venueSymbol)}&interval=${interval}&startTime=${start}&endTime=${gap[1] - 1}&limit=${limit}`;
  return { path, stream: `rest ${path}`, window: [start, gap[1]], limit, fetched: interval };
}

/**
 * Binance spot klines (`GET /api/v3/klines`): an array, oldest first, of arrays `[openTime, open, high,
 * low, close, volume, closeTime, quoteAssetVolume, trades, takerBuyBase, takerBuyQuote, "0"]`, values
 * as strings. The body names neither symbol nor interval: both come from the stream (the request's
 * query). The still-open kline is left out.
 */
export class BinanceKlineNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    const [path, query = ""] = frame.stream.replace(/^rest /, "").split("?");
    if (path !== "/api/v3/klines") return { kind: "error", error: `unknown stream ${frame.stream}` };
    const params = new URLSearchParams(query);
    const symbol = params.get("symbol") ?? "";
    const interval = CANDLE_RESOLUTIONS.find((r) => r === params.get("interval"));
    const pair = splitConcatenated(symbol);
    const asset = pair && resolveBase("binance", pair.base);
    if (!interval || !pair || !asset) return { kind: "error", error: `klines of ${symbol} ${params.get("interval")}` };
    const body = parseJson(frame.frame);
    if (body === undefined) return { kind: "error", error: "not JSON" };
    if (isRecord(body)) return { kind: "error", error: `venue error ${String(body.code)}: ${String(body.msg)}` };
    if (!Array.isArray(body)) return { kind: "error", error: "klines are not an array" };
    return candleResult(
      candlesFromKlineRows(
        body,
        { venue: "binance", asset, quote: pair.quote, venueSymbol: symbol, interval },
        7,
        frame.received_at,
      ),
    );
  }
}
