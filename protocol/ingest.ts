import { z } from "zod";
import { Amount, Base, EpochMs, LiquidationVenue, MarketVenue, Price, Quote, Source } from "./common";
import { CANDLE_RESOLUTIONS, INTERVAL_MS } from "./venues";

/** The latest 24 h ticker of one market on one venue, normalised by the collector. */
export const TickerEvent = z
  .object({
    kind: z.literal("ticker"),
    venue: MarketVenue,
    base: Base,
    quote: Quote,
    /** The venue's own symbol (`KRW-BTC`, `BTCUSDT`), kept for debugging. */
    venue_symbol: z.string().min(1).max(40),
    price: Price,
    /** 24 h change in percent (1.27 means +1.27 %), whatever unit the venue used. */
    change_percent: z.number().min(-100).max(1e6),
    /** 24 h traded volume in the base asset. */
    volume: Amount,
    /** 24 h traded value in the quote asset. */
    quote_volume: Amount,
    high: Price.optional(),
    low: Price.optional(),
    /** The venue's event time (ms). */
    timestamp: EpochMs,
    /** When the collector received it (ms); optional. */
    received_at: EpochMs.optional(),
  })
  .meta({ id: "TickerEvent" });
export type TickerEvent = z.infer<typeof TickerEvent>;

/** One futures liquidation; `side` is the side of the position that was liquidated. */
export const LiquidationEvent = z
  .object({
    kind: z.literal("liquidation"),
    venue: LiquidationVenue,
    base: Base,
    quote: Quote,
    venue_symbol: z.string().min(1).max(40),
    side: z.enum(["long", "short"]),
    price: Price,
    /** Quantity in the base asset (contracts already converted by the collector). */
    quantity: z.number().positive(),
    /** Notional value in USD (USDT taken as USD), computed by the collector where the contract needs it. */
    value_usd: z.number().positive().optional(),
    timestamp: EpochMs,
    received_at: EpochMs.optional(),
    /** The venue's id for this liquidation, or a stable id derived from it; duplicates are counted once. */
    id: z.string().min(1).max(128),
  })
  .meta({ id: "LiquidationEvent" });
export type LiquidationEvent = z.infer<typeof LiquidationEvent>;

/** The USD/KRW rate from a forex source. (USDT/KRW comes from the Korean venues' KRW-USDT tickers.) */
export const FxEvent = z
  .object({
    kind: z.literal("fx"),
    pair: z.literal("USD/KRW"),
    rate: Price,
    provider: z.string().min(1).max(64),
    timestamp: EpochMs,
  })
  .meta({ id: "FxEvent" });
export type FxEvent = z.infer<typeof FxEvent>;

/** A coin's names and the venue's caution flags (from Upbit's market list). */
export const CoinEvent = z
  .object({
    kind: z.literal("coin"),
    base: Base,
    korean_name: z.string().min(1).max(100),
    english_name: z.string().min(1).max(100),
    venue: MarketVenue,
    warnings: z.array(z.string().min(1).max(64)).max(20),
  })
  .meta({ id: "CoinEvent" });
export type CoinEvent = z.infer<typeof CoinEvent>;

/** The crypto Fear & Greed index (alternative.me), 0 to 100. */
export const FearGreedEvent = z
  .object({
    kind: z.literal("fear_greed"),
    value: z.number().int().min(0).max(100),
    classification: z.string().min(1).max(40),
    timestamp: EpochMs,
  })
  .meta({ id: "FearGreedEvent" });
export type FearGreedEvent = z.infer<typeof FearGreedEvent>;

/**
 * One closed candle from a venue's own candle API: what traded on that market in that minute, hour or
 * UTC day. The venue's candle is the truth for its interval; the Worker's ticker-built candle is only
 * the still-open interval's provisional one and never replaces it.
 */
export const CandleEvent = z
  .object({
    kind: z.literal("candle"),
    venue: MarketVenue,
    base: Base,
    quote: Quote,
    venue_symbol: z.string().min(1).max(40),
    interval: z.enum(CANDLE_RESOLUTIONS),
    /** The interval's start (ms, UTC), a multiple of the interval. */
    open_time: EpochMs,
    open: Price,
    high: Price,
    low: Price,
    close: Price,
    /** Traded in the interval, in the base asset. */
    volume: Amount,
    /** Traded in the interval, in the quote asset. */
    quote_volume: Amount,
    /** When the collector fetched it from the venue (ms). */
    timestamp: EpochMs,
  })
  .superRefine((c, ctx) => {
    if (c.open_time % INTERVAL_MS[c.interval] !== 0) {
      ctx.addIssue({ code: "custom", path: ["open_time"], message: `not the start of a ${c.interval} interval` });
    }
    if (c.high < Math.max(c.open, c.close, c.low)) {
      ctx.addIssue({ code: "custom", path: ["high"], message: "below the open, close or low" });
    }
    if (c.low > Math.min(c.open, c.close)) {
      ctx.addIssue({ code: "custom", path: ["low"], message: "above the open or close" });
    }
  })
  .meta({ id: "CandleEvent" });
export type CandleEvent = z.infer<typeof CandleEvent>;

/**
 * A collector's statement that every candle the venue has for one market and interval with
 * `open_time` in [`from`, `to`) was in this batch or an earlier acknowledged one (a venue has no candle
 * for an interval without trades). The Worker keeps these ranges so a collector can find, after a
 * restart or an outage, which ranges it has yet to fetch.
 */
export const CandleCoverageEvent = z
  .object({
    kind: z.literal("candle_coverage"),
    venue: MarketVenue,
    base: Base,
    quote: Quote,
    interval: z.enum(CANDLE_RESOLUTIONS),
    from: EpochMs,
    to: EpochMs,
    timestamp: EpochMs,
  })
  .refine((c) => c.from < c.to, { path: ["to"], message: "not after from" })
  .meta({ id: "CandleCoverageEvent" });
export type CandleCoverageEvent = z.infer<typeof CandleCoverageEvent>;

/** A day's USD/KRW reference rate from a forex source with history (the premium history's rate). */
export const FxHistoryEvent = z
  .object({
    kind: z.literal("fx_history"),
    pair: z.literal("USD/KRW"),
    /** The UTC day the rate is for (ms at 00:00 UTC). */
    day: EpochMs.refine((d) => d % INTERVAL_MS["1d"] === 0, "not 00:00 UTC"),
    rate: Price,
    provider: z.string().min(1).max(64),
    timestamp: EpochMs,
  })
  .meta({ id: "FxHistoryEvent" });
export type FxHistoryEvent = z.infer<typeof FxHistoryEvent>;

export const IngestEvent = z.discriminatedUnion("kind", [
  TickerEvent,
  LiquidationEvent,
  FxEvent,
  CoinEvent,
  FearGreedEvent,
  CandleEvent,
  CandleCoverageEvent,
  FxHistoryEvent,
]);
export type IngestEvent = z.infer<typeof IngestEvent>;

/** Most events one batch may carry; collectors flush every 100 ms or 500 events. */
export const MAX_EVENTS_PER_BATCH = 5000;
/** Largest ingest body accepted, in bytes. */
export const MAX_INGEST_BYTES = 2 * 1024 * 1024;

// --- event times -------------------------------------------------------------------------------

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * How far an event's time may lie ahead of the Worker's clock: venue clocks and ours disagree by
 * seconds, not minutes. A time further ahead is refused; a stored time further ahead (from before
 * this bound existed) never blocks a newer event.
 */
export const FUTURE_ALLOWANCE_MS = 2 * MINUTE_MS;

/**
 * How far the end of the period a closed candle (or a coverage range) describes may lie ahead of the
 * Worker's clock: a collector sends a candle once its venue has closed it, so only clock skew remains.
 */
export const CLOSE_SKEW_MS = 5_000;

/**
 * Whether a value held at time `held` stands against one dated `incoming`: it does when it is newer,
 * unless its own time lies further ahead of `now` than any event may (such a time can only be wrong,
 * and must not pin a market or a rate until that date comes).
 */
export function keepsHeld(held: number, incoming: number, now = Date.now()): boolean {
  return held > incoming && held <= now + FUTURE_ALLOWANCE_MS;
}

/**
 * How old an event may be when it arrives, per kind: a ticker is a quote of the last day at most;
 * the USD/KRW rate's fallback (the ECB) publishes on working days only, so it can be days old over a
 * long weekend; the Fear & Greed index is dated at the start of its day; a liquidation older than
 * the statistics keep (7 days) has no window left to count in.
 */
export const MAX_EVENT_AGE_MS: Record<Exclude<IngestEvent["kind"], "coin">, number> = {
  ticker: DAY_MS,
  fx: 10 * DAY_MS,
  fear_greed: 3 * DAY_MS,
  liquidation: 7 * DAY_MS,
  // Candles, coverage and forex history carry the time they were fetched: old data, fetched now.
  candle: DAY_MS,
  candle_coverage: DAY_MS,
  fx_history: DAY_MS,
};

/**
 * Why an event's time is out of bounds at `now`, or null when it is within them. `share` narrows the
 * future allowance: the collectors drop events past half of it, so a collector whose clock is off by
 * less than a minute never sends an event the Worker refuses (which would refuse its whole batch).
 */
export function eventTimeProblem(event: IngestEvent, now: number, share = 1): string | null {
  if (event.kind === "coin") return null;
  const ahead = event.timestamp - now;
  if (ahead > FUTURE_ALLOWANCE_MS * share) {
    return `more than ${Math.round((FUTURE_ALLOWANCE_MS * share) / 1000)} s in the future`;
  }
  const closesAt = periodEnd(event);
  if (closesAt !== null && closesAt - now > CLOSE_SKEW_MS * share) return "covers a period that has not ended";
  const maxAge = MAX_EVENT_AGE_MS[event.kind];
  if (-ahead > maxAge) return `older than ${Math.round(maxAge / HOUR_MS)} h`;
  return null;
}

/** When the period an event describes ends (a candle closes), for events about a period; else null. */
function periodEnd(event: IngestEvent): number | null {
  if (event.kind === "candle") return event.open_time + INTERVAL_MS[event.interval];
  if (event.kind === "candle_coverage") return event.to;
  if (event.kind === "fx_history") return event.day;
  return null;
}

/** What a collector posts to `POST /internal/ingest`. Validated whole, applied at most once per `batch_id`. */
export const IngestBatch = z
  .object({
    batch_id: z.uuid(),
    source: Source,
    sent_at: EpochMs,
    events: z.array(IngestEvent).max(MAX_EVENTS_PER_BATCH),
  })
  .superRefine((batch, ctx) => {
    // Event times are checked against the clock of whoever validates (the Worker's, at ingest).
    const now = Date.now();
    batch.events.forEach((event, i) => {
      const problem = eventTimeProblem(event, now);
      if (problem) ctx.addIssue({ code: "custom", path: ["events", i, "timestamp"], message: problem });
    });
  })
  .meta({ id: "IngestBatch" });
export type IngestBatch = z.infer<typeof IngestBatch>;

/** Half-open [from, to) ranges, sorted and merged. */
const CoveredRanges = z.array(z.tuple([EpochMs, EpochMs]));

/**
 * `GET /internal/candles/coverage`: what the collectors have covered of one market's candles, per
 * resolution, within retention; the ranges not listed are what is left to fetch.
 */
export const CandleCoverageAnswer = z
  .object({
    venue: MarketVenue,
    base: Base,
    quote: Quote,
    intervals: z.object({ "1m": CoveredRanges, "1h": CoveredRanges, "1d": CoveredRanges }),
  })
  .meta({ id: "CandleCoverageAnswer" });
export type CandleCoverageAnswer = z.infer<typeof CandleCoverageAnswer>;

/** The Worker's answer to an ingest batch. `duplicate` is true when the batch had been applied before. */
export const IngestAck = z
  .object({
    batch_id: z.string(),
    accepted: z.number().int(),
    duplicate: z.boolean(),
  })
  .meta({ id: "IngestAck" });
export type IngestAck = z.infer<typeof IngestAck>;
