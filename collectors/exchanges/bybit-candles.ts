import { candleFeed } from "../candles/candle-feed";
import type { CandleVenue } from "../candles/candle-venue";
import { BybitKlineNormalizer, bybitKlinesRequest } from "./bybit-klines";
import { BYBIT_BAN, BYBIT_HTTP_LIMIT } from "./venue-rate-limits";

/**
 * Bybit spot klines: `GET /v5/market/kline?category=spot`, 1000 per request, against the IP's 600
 * requests per 5 s (a breach is a 403 and a 10-minute ban).
 */
export const BYBIT_CANDLES: CandleVenue = {
  venue: "bybit",
  endpoint: "rest",
  limit: BYBIT_HTTP_LIMIT,
  requestCost: 1,
  paging: "window",
  request: bybitKlinesRequest,
  ban: BYBIT_BAN,
};

/** Bybit's closed spot klines (1m, 1h, 1d) for every USDT market of the `bybit` feed. */
export const bybitCandlesFeed = candleFeed({
  venue: "bybit-candles",
  description: "Bybit klines: REST /v5/market/kline?category=spot 1, 60, D for every USDT market (96 req/s)",
  endpoints: { rest: "https://api.bybit.com" },
  createNormalizer: () => new BybitKlineNormalizer(),
  candles: BYBIT_CANDLES,
});
