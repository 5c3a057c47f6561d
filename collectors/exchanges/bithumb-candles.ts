import { candleFeed } from "../candles/candle-feed";
import type { CandleVenue } from "../candles/candle-venue";
import { dailyFromHourly } from "../candles/daily-from-hourly";
import { UpbitStyleCandleNormalizer, upbitStyleAnswerRows, upbitStyleRequest } from "./upbit-style-candles";
import { BITHUMB_CANDLE_LIMIT } from "./venue-rate-limits";

const KST_MS = 9 * 3_600_000;

/** Bithumb reads a `to` without a zone as KST (its docs say so; measured: a UTC time is taken 9 h early). */
function kst(ms: number): string {
  return new Date(ms + KST_MS).toISOString().slice(0, 19).replace("T", " ");
}

/** Hours per request when building days: 8 whole days, under the 200 a request may hold. */
const HOURS_PER_DAY_PAGE = 192;

/**
 * Bithumb's candle API, Upbit-compatible (`/v1/candles/minutes/1`, `/minutes/60`, 200 per request
 * before `to`), with two differences: `to` is read in KST, and its daily candle runs from 00:00 KST
 * (labelled 15:00 UTC), not 00:00 UTC. So its 1-day candles are built here from its own hourly candles
 * (`dailyFromHourly`), day by UTC day. The candle category allows 150 requests/s per IP.
 */
export const BITHUMB_CANDLES: CandleVenue = {
  venue: "bithumb",
  endpoint: "rest",
  limit: BITHUMB_CANDLE_LIMIT,
  requestCost: 1,
  paging: "newest-before",
  request: (market, interval, gap) =>
    interval === "1d"
      ? upbitStyleRequest(market, "1h", gap, kst, HOURS_PER_DAY_PAGE)
      : upbitStyleRequest(market, interval, gap, kst),
  answerRows: upbitStyleAnswerRows,
  built: { "1d": dailyFromHourly },
};

/** Bithumb's closed candles (1m, 1h; 1d built from 1h) for every KRW market of the `bithumb` feed. */
export const bithumbCandlesFeed = candleFeed({
  venue: "bithumb-candles",
  description:
    "Bithumb candles: REST /v1/candles/minutes/1 and /minutes/60 (UTC days built from the hours) for every KRW market (120 req/s)",
  endpoints: { rest: "https://api.bithumb.com" },
  createNormalizer: () => new UpbitStyleCandleNormalizer("bithumb"),
  candles: BITHUMB_CANDLES,
});
