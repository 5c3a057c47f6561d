import { candleFeed } from "../candles/candle-feed";
import type { CandleVenue } from "../candles/candle-venue";
import { UpbitStyleCandleNormalizer, upbitStyleAnswerRows, upbitStyleRequest } from "./upbit-style-candles";
import { UPBIT_CANDLE_LIMIT } from "./venue-rate-limits";

/** Upbit reads `to` as UTC (`2024-01-01T00:00:00Z`). */
function utc(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}

/**
 * `Remaining-Req: group=candle; min=600; sec=0`: no request left in this second (`min` is a fixed,
 * deprecated value): hold off for a second.
 */
function remainingRequests(headers: Headers): number | undefined {
  const sec = /sec=(\d+)/.exec(headers.get("remaining-req") ?? "")?.[1];
  return sec === "0" ? 1000 : undefined;
}

/**
 * Upbit's candle API: `GET /v1/candles/minutes/1`, `/v1/candles/minutes/60` (the hour) and
 * `/v1/candles/days` (UTC days), 200 candles per request before `to`, none for intervals without
 * trades; the candle group allows 10 requests/s per IP.
 */
export const UPBIT_CANDLES: CandleVenue = {
  venue: "upbit",
  endpoint: "rest",
  limit: UPBIT_CANDLE_LIMIT,
  requestCost: 1,
  paging: "newest-before",
  request: (market, interval, gap) => upbitStyleRequest(market, interval, gap, utc),
  answerRows: upbitStyleAnswerRows,
  holdOff: remainingRequests,
};

/** Upbit's closed candles (1m, 1h, 1d) for every KRW market of the `upbit` feed, KRW-USDT included. */
export const upbitCandlesFeed = candleFeed({
  venue: "upbit-candles",
  description: "Upbit candles: REST /v1/candles/minutes/1, /minutes/60, /days for every KRW market (8 req/s)",
  endpoints: { rest: "https://api.upbit.com" },
  createNormalizer: () => new UpbitStyleCandleNormalizer("upbit"),
  candles: UPBIT_CANDLES,
});
