import { candleFeed } from "../candles/candle-feed";
import type { CandleVenue } from "../candles/candle-venue";
import { BinanceKlineNormalizer, binanceKlinesRequest } from "./binance-klines";
import { BINANCE_KLINES_WEIGHT, BINANCE_REQUEST_WEIGHT_LIMIT } from "./venue-rate-limits";

/** Hold off once the minute's used weight passes this share of the limit (another client on the IP, the ticker snapshot). */
const USED_WEIGHT_CEILING = 0.9;

/**
 * `X-MBX-USED-WEIGHT-1M`: the IP's weight used in the current minute. Near the limit, wait for the
 * next minute rather than earn a 429.
 */
function usedWeight(headers: Headers): number | undefined {
  const used = Number(headers.get("x-mbx-used-weight-1m"));
  if (!Number.isFinite(used) || used < BINANCE_REQUEST_WEIGHT_LIMIT.amount * USED_WEIGHT_CEILING) return undefined;
  return 60_000 - (Date.now() % 60_000) + 100;
}

/**
 * Binance spot klines: `GET /api/v3/klines`, 1000 per request, weight 2 each against the IP's 6000 per
 * minute; a kline exists for every interval of a trading symbol.
 */
export const BINANCE_CANDLES: CandleVenue = {
  venue: "binance",
  endpoint: "rest",
  limit: BINANCE_REQUEST_WEIGHT_LIMIT,
  requestCost: BINANCE_KLINES_WEIGHT,
  paging: "window",
  request: binanceKlinesRequest,
  holdOff: usedWeight,
};

/** Binance's closed klines (1m, 1h, 1d) for every USDT market of the `binance` feed. */
export const binanceCandlesFeed = candleFeed({
  venue: "binance-candles",
  description: "Binance klines: REST /api/v3/klines 1m, 1h, 1d for every USDT market (weight 2, 4800 of 6000/min)",
  endpoints: { rest: "https://api.binance.com" },
  createNormalizer: () => new BinanceKlineNormalizer(),
  candles: BINANCE_CANDLES,
});
