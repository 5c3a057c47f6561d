import { z } from "zod";
import { Amount, Base, EpochMs, LiquidationVenue, MarketVenue, Price, Quote, Source } from "./common";

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

export const IngestEvent = z.discriminatedUnion("kind", [
  TickerEvent,
  LiquidationEvent,
  FxEvent,
  CoinEvent,
  FearGreedEvent,
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
  const maxAge = MAX_EVENT_AGE_MS[event.kind];
  if (-ahead > maxAge) return `older than ${Math.round(maxAge / HOUR_MS)} h`;
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

/** The Worker's answer to an ingest batch. `duplicate` is true when the batch had been applied before. */
export const IngestAck = z
  .object({
    batch_id: z.string(),
    accepted: z.number().int(),
    duplicate: z.boolean(),
  })
  .meta({ id: "IngestAck" });
export type IngestAck = z.infer<typeof IngestAck>;
