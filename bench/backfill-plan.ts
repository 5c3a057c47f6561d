/**
 * The backfill's plan, computed rather than measured: per venue, the requests the candle collector
 * needs for every market's wanted windows (paged with the venue's own request builder, as the
 * collector pages), and how long they take at the allowed rate (the collector's share of the
 * published limit), with and without the live upkeep that competes with the backfill.
 */
import {
  type CandleTuning,
  candleBucket,
  resolveCandleTuning,
  wantedWindow,
} from "../collectors/candles/candle-tuning";
import type { CandleVenue } from "../collectors/candles/candle-venue";
import { upkeepEveryMs } from "../collectors/candles/upkeep-pace";
import type { Feed } from "../collectors/core/feed";
import type { ListedMarket } from "../collectors/core/market-directory";
import type { TimeRange } from "../collectors/core/time-ranges";
import { BINANCE_CANDLES, binanceCandlesFeed } from "../collectors/exchanges/binance-candles";
import { BITHUMB_CANDLES, bithumbCandlesFeed } from "../collectors/exchanges/bithumb-candles";
import { BYBIT_CANDLES, bybitCandlesFeed } from "../collectors/exchanges/bybit-candles";
import { UPBIT_CANDLES, upbitCandlesFeed } from "../collectors/exchanges/upbit-candles";
import type { MarketVenue } from "../protocol/common";
import { CANDLE_RESOLUTIONS, type CandleResolution, INTERVAL_MS } from "../protocol/venues";

/** One venue's candle feed as the benchmark runs it. */
export interface BenchVenue {
  venue: MarketVenue;
  feed: Feed;
  candles: CandleVenue;
  /** The candle API's paths at the venue (what the simulator's request times are filtered by). */
  pathPrefix: string;
}

export const BENCH_VENUES: readonly BenchVenue[] = [
  { venue: "upbit", feed: upbitCandlesFeed, candles: UPBIT_CANDLES, pathPrefix: "/v1/candles" },
  { venue: "bithumb", feed: bithumbCandlesFeed, candles: BITHUMB_CANDLES, pathPrefix: "/v1/candles" },
  { venue: "binance", feed: binanceCandlesFeed, candles: BINANCE_CANDLES, pathPrefix: "/api/v3/klines" },
  { venue: "bybit", feed: bybitCandlesFeed, candles: BYBIT_CANDLES, pathPrefix: "/v5/market/kline" },
];

/** One venue's computed backfill. */
export interface VenuePlan {
  venue: MarketVenue;
  markets: number;
  /** What one request costs against the limit (1, or Binance's weight 2). */
  requestCost: number;
  /** The published limit, in its units per second. */
  publishedPerSecond: number;
  /** What the collector allows itself (its token bucket's rate), in the same units. */
  allowedPerSecond: number;
  /** Requests per market, per resolution (full pages: at most this many). */
  pagesPerMarket: Record<CandleResolution, number>;
  /** Candles per market the Worker is sent (intervals in the wanted windows). */
  candlesPerMarket: number;
  /** Requests for every market. */
  requests: number;
  /** Cost units per second that newly closed intervals take once a resolution is live, per resolution. */
  upkeepPerSecond: Record<CandleResolution, number>;
  /** (a): the first page of 1-day candles of every market, at the allowed rate. */
  firstPageSeconds: number;
  /** Every request at the allowed rate, nothing else competing. */
  fullSecondsWithoutUpkeep: number;
  /**
   * Every request at the allowed rate less the live upkeep: the collector fetches days, then hours, then
   * minutes; a resolution's newly closed intervals cost a request per market each once that market's
   * first page of it was fetched (before that they extend the waiting job), and they go before older
   * pages. Infinity when the upkeep alone takes the whole allowance.
   */
  fullSeconds: number;
}

/** The pages of one market's window, walked with the venue's request builder as the collector walks them. */
function pagesOf(venue: CandleVenue, market: ListedMarket, interval: CandleResolution, window: TimeRange): number {
  const size = INTERVAL_MS[interval];
  const [from] = window;
  let to = window[1];
  let pages = 0;
  while (to > from) {
    const request = venue.request(market, interval, [from, to]);
    pages++;
    const next = Math.max(from, Math.ceil(request.window[0] / size) * size);
    if (next >= to) break;
    to = next;
  }
  return pages;
}

/** The plan of one venue's backfill of `markets` markets with `tuning`, as of `now`. */
export function planVenue(bench: BenchVenue, markets: number, tuning: CandleTuning, now = Date.now()): VenuePlan {
  const resolved = resolveCandleTuning(tuning);
  const { candles } = bench;
  const sample: ListedMarket = { venue: bench.venue, base: "BTC", quote: "KRW", venueSymbol: "KRW-BTC" };
  const pagesPerMarket = {} as Record<CandleResolution, number>;
  const upkeepPerSecond = {} as Record<CandleResolution, number>;
  let candlesPerMarket = 0;
  for (const r of CANDLE_RESOLUTIONS) {
    const window = wantedWindow(r, now, resolved);
    pagesPerMarket[r] = pagesOf(candles, sample, r, window);
    candlesPerMarket += (window[1] - window[0]) / INTERVAL_MS[r];
  }
  const cost = markets * candles.requestCost;
  const bucket = candleBucket(candles, resolved);
  // Each market is looked at every `every` ms (every minute, or every few on a venue whose pace is
  // small for its markets); a resolution then costs a request when one of its intervals closed since.
  const every = upkeepEveryMs(markets, bucket.ratePerSecond / bucket.capacity, resolved.tickMs);
  for (const r of CANDLE_RESOLUTIONS) {
    const period = Math.max(every, INTERVAL_MS[r]);
    upkeepPerSecond[r] = pagesPerMarket[r] > 0 ? (markets * candles.requestCost * 1000) / period : 0;
  }
  const allowed = bucket.ratePerSecond;
  const published = resolved.rateLimitOverride ?? candles.limit;
  const requests = markets * (pagesPerMarket["1d"] + pagesPerMarket["1h"] + pagesPerMarket["1m"]);
  // Days first (their first pages before everything), then hours, then minutes. A resolution's upkeep
  // starts for a market with its first page; first pages go round the markets, so over the first
  // round the upkeep grows from none to all of it (half on average), and is whole after.
  let fullSeconds = 0;
  let live = 0;
  for (const r of ["1d", "1h", "1m"] as const) {
    const pages = pagesPerMarket[r];
    if (pages === 0) continue;
    const up = upkeepPerSecond[r];
    const rounds: [number, number][] = [
      [cost, allowed - live - up / 2],
      [cost * (pages - 1), allowed - live - up],
    ];
    for (const [units, rate] of rounds) {
      if (units > 0) fullSeconds += rate > 0 ? units / rate : Number.POSITIVE_INFINITY;
    }
    live += up;
  }
  return {
    venue: bench.venue,
    markets,
    requestCost: candles.requestCost,
    publishedPerSecond: (published.amount * 1000) / published.perMs,
    allowedPerSecond: allowed,
    pagesPerMarket,
    candlesPerMarket,
    requests,
    upkeepPerSecond,
    firstPageSeconds: pagesPerMarket["1d"] > 0 ? cost / allowed : 0,
    fullSecondsWithoutUpkeep: (requests * candles.requestCost) / allowed,
    fullSeconds,
  };
}
