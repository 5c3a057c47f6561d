import type { MarketVenue } from "../../protocol/common";
import type { CandleEvent } from "../../protocol/ingest";
import type { CandleResolution } from "../../protocol/venues";
import type { ListedMarket } from "../core/market-directory";
import type { TimeRange } from "../core/time-ranges";
import type { BanStatus, PublishedRateLimit } from "../exchanges/venue-rate-limits";

/** One request to a venue's candle API: the newest candles of a gap, at most one page of them. */
export interface CandleRequest {
  /** The path and query, appended to the feed's endpoint. */
  path: string;
  /** The frame's stream: `rest <path and query>` (a kline body names neither its symbol nor its interval). */
  stream: string;
  /** What was asked for: candles with `open_time` in [from, to). */
  window: TimeRange;
  /** The count (`count`, `limit`) sent. */
  limit: number;
  /** The resolution of the candles asked for (Bithumb's days are built from its hours). */
  fetched: CandleResolution;
}

/**
 * How an answer tells what it covered, which venues differ in:
 * - `window`: the request names [start, end] and never asks for more candles than fit (Binance, Bybit):
 *   the answer holds every candle of the window.
 * - `newest-before`: the request asks for the newest `count` candles before `to` (Upbit, Bithumb, which
 *   skip intervals without trades): a full answer holds every candle from its oldest to `to`; a short
 *   one holds every candle there is before `to`.
 */
export type CandlePaging = "window" | "newest-before";

/** One venue's candle API, as the candle collector drives it. */
export interface CandleVenue {
  /** The market venue whose tickers name the markets (`upbit`). */
  readonly venue: MarketVenue;
  /** The feed's endpoint key the paths go to. */
  readonly endpoint: string;
  /** The venue's published limit that candle requests count against. */
  readonly limit: PublishedRateLimit;
  /** What one request costs against it (1 request, or Binance's weight). */
  readonly requestCost: number;
  readonly paging: CandlePaging;
  /** The request for the newest page of `gap` (an interval-aligned range) of one market. */
  request(market: ListedMarket, interval: CandleResolution, gap: TimeRange): CandleRequest;
  /** With `newest-before` paging: how many candles an answer body held (read before any is dropped). */
  answerRows?(body: unknown): number;
  /** Resolutions the venue does not serve as we need them, built from the fetched ones (Bithumb's UTC days). */
  readonly built?: Partial<Record<CandleResolution, (fetched: readonly CandleEvent[]) => CandleEvent[]>>;
  /** A status besides 429/418 that means "too many requests" here (Bybit's 403), with its least wait. */
  readonly ban?: BanStatus;
  /** How long to hold off, read from a successful answer's headers (a spent budget); undefined: no need. */
  holdOff?(headers: Headers): number | undefined;
}
