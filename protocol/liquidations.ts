/**
 * Liquidations as the Worker serves them: `GET /api/liquidations/*`, `WS /ws/liquidations`, the
 * `liquidations` member of `/ws/prices` updates and of `GET /api/coins/latest`.
 *
 * Conventions: `side` is the side of the position that was liquidated (`long` or `short`), whatever
 * the venue's own convention; values are in USD (dollar stablecoins taken at par) and in KRW at the
 * current USD/KRW rate (`null` while no rate is known).
 */
import { z } from "zod";
import { EpochMs, integerParam, LiquidationVenue, Source } from "./common";
import type { LiquidationEvent } from "./ingest";
import { COIN_SYMBOL_ANY_CASE, coinSymbolList } from "./venues";

// --- windows and completeness ------------------------------------------------------------------

/** The statistics windows. Each covers the current minute and the whole minutes before it (1h = 60 minutes). */
export const LiquidationWindow = z.enum(["1h", "4h", "12h", "24h"]).meta({ id: "LiquidationWindow" });
export type LiquidationWindow = z.infer<typeof LiquidationWindow>;

/** Milliseconds in each window. */
export const WINDOW_MS: Record<LiquidationWindow, number> = {
  "1h": 3_600_000,
  "4h": 14_400_000,
  "12h": 43_200_000,
  "24h": 86_400_000,
};

/**
 * Whether a venue's public feed carries every liquidation (`complete`) or at most one per symbol
 * per second (`sampled`: counts and values are a floor, not a total).
 */
export const Completeness = z.enum(["complete", "sampled"]).meta({ id: "LiquidationCompleteness" });
export type Completeness = z.infer<typeof Completeness>;

/** What each venue's documentation says about its liquidation feed. */
export const VENUE_COMPLETENESS: Record<LiquidationVenue, { completeness: Completeness; note: string }> = {
  binance: {
    completeness: "sampled",
    note: "forceOrder pushes only the latest liquidation per symbol within each 1000 ms",
  },
  bybit: {
    completeness: "complete",
    note: "allLiquidation pushes all liquidations that occur on Bybit (every 500 ms)",
  },
  okx: {
    completeness: "sampled",
    note: "liquidation-orders shows at most one order per contract per second; not the total number of liquidations",
  },
  bitmex: {
    completeness: "complete",
    note: "the liquidation table carries every liquidation order entered into the book; times are receive times",
  },
};

/** Quote assets whose price is taken as USD (the dollar and the dollar stablecoins, as the collectors do). */
export const USD_QUOTES: ReadonlySet<string> = new Set(["USD", "USDT", "USDC", "FDUSD", "BUSD"]);

// --- one liquidation ---------------------------------------------------------------------------

/** One liquidation as clients see it. */
export const Liquidation = z
  .object({
    /** The venue's id (or a stable id derived from it); unique per venue. */
    id: z.string(),
    venue: LiquidationVenue,
    /** The base asset (`BTC`). */
    symbol: z.string(),
    quote: z.string(),
    /** The venue's own symbol (`BTCUSDT`, `XBTUSD`, `BTC-USDT-SWAP`). */
    venue_symbol: z.string(),
    /** The side of the position that was liquidated. */
    side: z.enum(["long", "short"]),
    price: z.number(),
    /** Quantity in the base asset. */
    quantity: z.number(),
    value_usd: z.number(),
    /** `value_usd` at the current USD/KRW rate; null while no rate is known. */
    value_krw: z.number().nullable(),
    /** The venue's event time (ms); for venues without one (BitMEX), the collector's receive time. */
    timestamp: EpochMs,
    source: Source,
  })
  .meta({ id: "Liquidation" });
export type Liquidation = z.infer<typeof Liquidation>;

/**
 * The USD value of an ingest event: the collector's `value_usd` when given (inverse and quanto
 * contracts need it), else price x quantity for USD-like quotes; null when it cannot be known.
 */
export function liquidationValueUsd(event: Pick<LiquidationEvent, "value_usd" | "price" | "quantity" | "quote">) {
  if (event.value_usd !== undefined) return event.value_usd;
  return USD_QUOTES.has(event.quote) ? event.price * event.quantity : null;
}

/** A counted liquidation as stored: everything but the KRW value, which follows the current rate. */
export type LiquidationRecord = Omit<Liquidation, "value_krw">;

/** A single liquidation worth more than this is a collector's unit error, not a market event. */
export const MAX_PLAUSIBLE_USD = 1e12;

/**
 * The public shape of an ingest event, or null when it has no usable USD value. A timestamp in
 * the future (clock skew) is taken as `now`; the USD value is rounded to the cent.
 */
export function toLiquidationRecord(event: LiquidationEvent, source: Source, now: number): LiquidationRecord | null {
  const value = liquidationValueUsd(event);
  if (value === null || !Number.isFinite(value) || value > MAX_PLAUSIBLE_USD) return null;
  return {
    id: event.id,
    venue: event.venue,
    symbol: event.base,
    quote: event.quote,
    venue_symbol: event.venue_symbol,
    side: event.side,
    price: event.price,
    quantity: event.quantity,
    value_usd: Math.round(value * 100) / 100,
    timestamp: Math.min(event.timestamp, now),
    source,
  };
}

/** A record with its KRW value at a rate. */
export function withKrw(l: LiquidationRecord, usdKrw: number | null): Liquidation {
  return { ...l, value_krw: toKrw(l.value_usd, usdKrw) };
}

/** KRW for a USD value at a rate, rounded to the won; null without a rate. */
export function toKrw(valueUsd: number, usdKrw: number | null): number | null {
  return usdKrw === null ? null : Math.round(valueUsd * usdKrw);
}

// --- statistics --------------------------------------------------------------------------------

/** Count and value of liquidations on one side (or both). */
export const SideTotals = z
  .object({
    count: z.number().int(),
    value_usd: z.number(),
    value_krw: z.number().nullable(),
  })
  .meta({ id: "LiquidationSideTotals" });
export type SideTotals = z.infer<typeof SideTotals>;

/** Long and short totals over a window, for one venue or for all of them. */
export const LiquidationTotals = z
  .object({
    long: SideTotals,
    short: SideTotals,
    total: SideTotals,
    /** Share of the value that was long positions, in percent; null when nothing was liquidated. */
    long_percent: z.number().nullable(),
    /** `sampled` when the figures rest on a sampled feed (for the total: when any venue's does). */
    completeness: Completeness,
  })
  .meta({ id: "LiquidationTotals" });
export type LiquidationTotals = z.infer<typeof LiquidationTotals>;

/** Every venue, always all four (zeros when a venue had none). */
export const VenueTotals = z.record(LiquidationVenue, LiquidationTotals);
export type VenueTotals = z.infer<typeof VenueTotals>;

/** `GET /api/liquidations/aggregated?window=`: totals per venue and overall, and the largest liquidations. */
export const LiquidationAggregate = z
  .object({
    window: LiquidationWindow,
    /** Start of the oldest minute in the window (ms, inclusive). */
    from: EpochMs,
    /** The time the figures were computed at (ms). */
    to: EpochMs,
    /** USD/KRW used for the KRW figures; null while no rate is known. */
    exchange_rate: z.number().nullable(),
    venues: VenueTotals,
    total: LiquidationTotals,
    /** The largest liquidations in the window, largest first (at most 10). */
    largest: z.array(Liquidation),
    /** The newest liquidations in the window, newest first (at most 100): the seed's field. */
    liquidations: z.array(Liquidation),
    timestamp: EpochMs,
  })
  .meta({ id: "LiquidationAggregate" });
export type LiquidationAggregate = z.infer<typeof LiquidationAggregate>;

/** Totals of one window (the `summary` keeps every window). */
export const WindowTotals = z
  .object({ from: EpochMs, venues: VenueTotals, total: LiquidationTotals })
  .meta({ id: "LiquidationWindowTotals" });
export type WindowTotals = z.infer<typeof WindowTotals>;

/** What each venue's feed publishes, from its documentation. */
export const VenueCompleteness = z
  .record(LiquidationVenue, z.object({ completeness: Completeness, note: z.string() }))
  .meta({ id: "LiquidationVenueCompleteness" });

/**
 * `GET /api/liquidations/summary`, also the `liquidations` member of `GET /api/coins/latest`:
 * totals for every window, the largest of the last 24 h and the newest liquidation.
 */
export const LiquidationSummary = z
  .object({
    exchange_rate: z.number().nullable(),
    windows: z.record(LiquidationWindow, WindowTotals),
    /** The largest liquidations of the last 24 h, largest first (at most 5). */
    largest_24h: z.array(Liquidation),
    latest: Liquidation.nullable(),
    completeness: VenueCompleteness,
    timestamp: EpochMs,
  })
  .meta({ id: "LiquidationSummary" });
export type LiquidationSummary = z.infer<typeof LiquidationSummary>;

/** One venue's feed as the Worker sees it (`GET /api/liquidations/debug`). Counts survive restarts. */
export const VenueFeedState = z
  .object({
    completeness: Completeness,
    /** Liquidations counted (first sighting of a venue id). */
    accepted: z.number().int(),
    /** The same venue id sent again (retries, BitMEX updates): ignored. */
    duplicates: z.number().int(),
    /** Older than the retention when they arrived: ignored. */
    too_old: z.number().int(),
    /** No usable USD value (no `value_usd` with a quote that is not USD-like, or above 1e12): ignored. */
    unpriced: z.number().int(),
    /** The newest counted liquidation's event time; null when none yet. */
    last_event_timestamp: EpochMs.nullable(),
    /** When the Worker last counted one of this venue's liquidations; null when never. */
    last_received_at: EpochMs.nullable(),
    /** Liquidations counted in the last hour and the last 24 h (by event time). */
    count_1h: z.number().int(),
    count_24h: z.number().int(),
  })
  .meta({ id: "LiquidationVenueFeedState" });
export type VenueFeedState = z.infer<typeof VenueFeedState>;

/** `GET /api/liquidations/debug`: per-venue feed state and storage figures. */
export const LiquidationDebug = z
  .object({
    venues: z.record(LiquidationVenue, VenueFeedState),
    storage: z.object({
      /** Per-minute statistics rows kept (one per venue and minute with liquidations). */
      buckets: z.number().int(),
      oldest_bucket: EpochMs.nullable(),
      /** Venue ids remembered for de-duplication. */
      seen_ids: z.number().int(),
      recent: z.number().int(),
      retention_ms: z.number().int(),
    }),
    exchange_rate: z.object({ rate: z.number().nullable(), fetched_at: EpochMs.nullable() }),
    subscribers: z.number().int(),
    timestamp: EpochMs,
  })
  .meta({ id: "LiquidationDebug" });
export type LiquidationDebug = z.infer<typeof LiquidationDebug>;

// --- filters (REST and WebSocket) --------------------------------------------------------------

/** Most liquidations `/recent` returns (and the most the object keeps). */
export const MAX_RECENT = 1000;

const venueList = z
  .string()
  .max(100)
  .transform((s, ctx) => {
    const parts = [...new Set(s.split(",").map((p) => p.trim().toLowerCase()))];
    for (const p of parts) {
      if (!LiquidationVenue.safeParse(p).success) {
        ctx.addIssue({
          code: "custom",
          message: `unknown venue "${p}"; one of ${LiquidationVenue.options.join(", ")}`,
        });
        return z.NEVER;
      }
    }
    return parts as LiquidationVenue[];
  });

const symbolList = z
  .string()
  .regex(coinSymbolList(50), "comma-separated base assets, e.g. BTC,ETH")
  .transform((s) => [...new Set(s.toUpperCase().split(","))]);

/** Parses a non-negative USD amount from a query string (no hex, no exponents beyond what JSON allows). */
const minUsd = z
  .string()
  .regex(/^\d{1,15}(\.\d{1,8})?$/, "a non-negative USD amount such as 10000")
  .transform(Number);

/**
 * Filters of `/api/liquidations/recent` and `/ws/liquidations`. Every filter is optional;
 * `venue` and `symbol` accept comma-separated lists.
 */
export const LiquidationQuery = z.object({
  venue: venueList
    .optional()
    .meta({ description: "binance, bybit, okx or bitmex; comma-separated", example: "binance" }),
  symbol: symbolList.optional().meta({ description: "base assets, comma-separated", example: "BTC,ETH" }),
  min_usd: minUsd.optional().meta({ description: "only liquidations worth at least this many USD", example: "10000" }),
  limit: integerParam(1, MAX_RECENT)
    .optional()
    .meta({ description: `how many, newest first (1 to ${MAX_RECENT}, default 100)`, example: "100" }),
});
export type LiquidationQuery = z.infer<typeof LiquidationQuery>;

/** A validated filter, as the feed applies it. */
export interface LiquidationFilter {
  venues: LiquidationVenue[] | null;
  symbols: string[] | null;
  min_usd: number;
}

/** The filter a parsed query describes (absent fields match everything). */
export function filterOf(query: LiquidationQuery): LiquidationFilter {
  return { venues: query.venue ?? null, symbols: query.symbol ?? null, min_usd: query.min_usd ?? 0 };
}

/** Whether a liquidation passes a filter. */
export function matchesFilter(l: Pick<Liquidation, "venue" | "symbol" | "value_usd">, f: LiquidationFilter): boolean {
  return (
    (f.venues === null || f.venues.includes(l.venue)) &&
    (f.symbols === null || f.symbols.includes(l.symbol)) &&
    l.value_usd >= f.min_usd
  );
}

/** `GET /api/liquidations/recent`: newest first. */
export const RecentLiquidations = z
  .object({
    liquidations: z.array(Liquidation),
    exchange_rate: z.number().nullable(),
    timestamp: EpochMs,
  })
  .meta({ id: "RecentLiquidations" });
export type RecentLiquidations = z.infer<typeof RecentLiquidations>;

// --- WebSocket messages ------------------------------------------------------------------------

/**
 * What a client sends on `/ws/liquidations`: `snapshot` asks for a fresh snapshot (after a `seq`
 * gap); `filter` replaces the socket's filters (as in the query string) and answers with a snapshot.
 * The text `ping` is answered with `pong`.
 */
export const LiquidationClientMessage = z.discriminatedUnion("op", [
  z.object({ op: z.literal("snapshot") }),
  z.object({
    op: z.literal("filter"),
    venue: z.array(LiquidationVenue).min(1).max(4).optional(),
    symbol: z.array(z.string().regex(COIN_SYMBOL_ANY_CASE)).min(1).max(50).optional(),
    min_usd: z.number().nonnegative().max(1e15).optional(),
  }),
]);
export type LiquidationClientMessage = z.infer<typeof LiquidationClientMessage>;

/** First message on `/ws/liquidations` (and the answer to `snapshot`/`filter`). */
export const LiquidationSnapshotMessage = z
  .object({
    type: z.literal("snapshot"),
    seq: z.number().int(),
    data: z.object({
      /** The newest liquidations matching the socket's filters, newest first (`limit`, default 100). */
      liquidations: z.array(Liquidation),
      summary: LiquidationSummary,
    }),
  })
  .meta({ id: "LiquidationSnapshotMessage" });
export type LiquidationSnapshotMessage = z.infer<typeof LiquidationSnapshotMessage>;

/**
 * Sent at most once per fan-out interval (50 ms) while liquidations arrive: the new ones matching the socket's filters
 * (oldest first, possibly none) and the updated summary. `dropped` counts matching liquidations left
 * out because more than 500 arrived within one interval (ask for a snapshot to catch up).
 */
export const LiquidationUpdateMessage = z
  .object({
    type: z.literal("update"),
    seq: z.number().int(),
    data: z.object({
      liquidations: z.array(Liquidation),
      summary: LiquidationSummary,
      dropped: z.number().int().optional(),
    }),
  })
  .meta({ id: "LiquidationUpdateMessage" });
export type LiquidationUpdateMessage = z.infer<typeof LiquidationUpdateMessage>;

/**
 * On `/ws/prices`, an `update` also carries `liquidations`: the liquidations that arrived since the
 * socket's last message, oldest first (the same shape as above).
 */
export const PricesLiquidations = z.array(Liquidation).meta({ id: "PricesLiquidations" });
export type PricesLiquidations = z.infer<typeof PricesLiquidations>;
