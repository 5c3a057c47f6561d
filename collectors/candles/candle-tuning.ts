import { CANDLE_RESOLUTIONS, type CandleResolution, INTERVAL_MS } from "../../protocol/venues";
import type { TimeRange } from "../core/time-ranges";
import { TokenBucket } from "../core/token-bucket";
import type { CandleVenue } from "./candle-venue";

const DAY_MS = 86_400_000;

/** How far back each resolution is backfilled by default: a year and more of days, a quarter of hours, the week of minutes the Worker keeps. */
export const DEFAULT_CANDLE_SPANS_MS: Readonly<Record<CandleResolution, number>> = {
  "1d": 400 * DAY_MS,
  "1h": 90 * DAY_MS,
  "1m": 7 * DAY_MS,
};

/** The share of each venue's published rate limit the candle feeds use. */
export const DEFAULT_RATE_SHARE = 0.8;

/** The candle feeds' knobs (CLI: `--candle-days-1d` ..., `--candle-rate-share`; tests shorten them). */
export interface CandleTuning {
  /** How far back each resolution is wanted (ms). */
  spansMs?: Partial<Record<CandleResolution, number>>;
  /** Share of the venue's published rate limit to use (0 to 1). Default 0.8. */
  rateShare?: number;
  /** Published limits to assume instead of the venues' own (tests, the benchmark's what-ifs). */
  rateLimitOverride?: { amount: number; perMs: number };
  /**
   * A multiple of each venue's limit to pace by: 1 against the real venues; the local simulator,
   * which is not the venue, allows {@link SIMULATOR_LIMIT_SCALE}.
   */
  limitScale?: number;
  /** How long after an interval ends before it is asked for: venues settle a candle a moment after its end (ms). Default 3000. */
  settleMs?: number;
  /** How often newly closed intervals are looked for (ms). Default 60 000, a little after each minute. */
  tickMs?: number;
  /** Requests in flight per venue at most. Default: a second's worth of the pace (4 to 32). */
  concurrency?: number;
  /** Fetched pages waiting for the Worker's acknowledgement per venue at most. Default 64. */
  maxUnacknowledgedPages?: number;
}

/**
 * How many times each venue's published rate the local simulator answers: enough for a demo
 * (`npm start` offline) to show a year of daily candles of every coin within a minute. Tests of the
 * rate limits and the benchmark pace by the published limits themselves.
 */
export const SIMULATOR_LIMIT_SCALE = 4;

/** {@link CandleTuning} with every default filled in. */
export interface ResolvedCandleTuning {
  spansMs: Record<CandleResolution, number>;
  rateShare: number;
  rateLimitOverride?: { amount: number; perMs: number };
  limitScale: number;
  settleMs: number;
  tickMs: number;
  concurrency?: number;
  maxUnacknowledgedPages: number;
}

/** Fills in the defaults. */
export function resolveCandleTuning(tuning: CandleTuning = {}): ResolvedCandleTuning {
  const spansMs = { ...DEFAULT_CANDLE_SPANS_MS, ...tuning.spansMs };
  for (const r of CANDLE_RESOLUTIONS) {
    if (!(spansMs[r] >= 0)) throw new Error(`candle span of ${r} must be a number of ms, got ${spansMs[r]}`);
  }
  const rateShare = tuning.rateShare ?? DEFAULT_RATE_SHARE;
  if (!(rateShare > 0 && rateShare <= 1)) throw new Error(`rate share must be in (0, 1], got ${rateShare}`);
  return {
    spansMs,
    rateShare,
    rateLimitOverride: tuning.rateLimitOverride,
    limitScale: tuning.limitScale ?? 1,
    settleMs: tuning.settleMs ?? 3000,
    tickMs: tuning.tickMs ?? 60_000,
    concurrency: tuning.concurrency,
    maxUnacknowledgedPages: tuning.maxUnacknowledgedPages ?? 64,
  };
}

/** The start of the latest interval that has ended (and settled) at `now`: the end of what may be fetched. */
export function lastClosedBoundary(interval: CandleResolution, now: number, settleMs: number): number {
  const size = INTERVAL_MS[interval];
  return Math.floor((now - settleMs) / size) * size;
}

/**
 * The window of closed candles wanted at `now` for one resolution: from `span` ago (rounded up to an
 * interval start) to the last settled boundary. Empty when the span is 0.
 */
export function wantedWindow(interval: CandleResolution, now: number, tuning: ResolvedCandleTuning): TimeRange {
  const size = INTERVAL_MS[interval];
  const to = lastClosedBoundary(interval, now, tuning.settleMs);
  const from = Math.min(to, Math.ceil((now - tuning.spansMs[interval]) / size) * size);
  return [from, to];
}

/** The token bucket of a venue's candle API: a share of its published limit, no bursts. */
export function candleBucket(
  venue: Pick<CandleVenue, "limit" | "requestCost">,
  tuning: ResolvedCandleTuning,
): TokenBucket {
  const limit = tuning.rateLimitOverride ?? venue.limit;
  const perSecond = ((limit.amount * 1000) / limit.perMs) * tuning.limitScale * tuning.rateShare;
  return new TokenBucket(perSecond, venue.requestCost);
}
