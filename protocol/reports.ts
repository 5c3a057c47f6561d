/**
 * Reports: the admin platform report (`GET /api/admin/reports/platform`). Days are Asia/Seoul days
 * (UTC+9, no daylight saving time): `2026-12-04` runs from `2026-12-03T15:00:00Z` to `2026-12-04T15:00:00Z`.
 */
import { z } from "zod";
import { EpochMs } from "./common";

/** A calendar date, `YYYY-MM-DD`, that exists. */
export const ReportDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, "a date as YYYY-MM-DD")
  .refine((s) => {
    const ms = Date.parse(`${s}T00:00:00Z`);
    return Number.isFinite(ms) && new Date(ms).toISOString().startsWith(s);
  }, "a calendar date that exists");

/** Traded value, fees and counts of one venue (in its quote currency) over the day. */
export const VenueVolume = z
  .object({
    venue: z.string(),
    /** The venue's quote currency for these markets (`KRW` or `USDT`). */
    currency: z.string(),
    fills: z.number().int(),
    /** Sum of quantity x price, in `currency`. */
    value: z.number(),
    buy_value: z.number(),
    sell_value: z.number(),
    fees: z.number(),
    maker_fills: z.number().int(),
    taker_fills: z.number().int(),
  })
  .meta({ id: "VenueVolume" });
export type VenueVolume = z.infer<typeof VenueVolume>;

/** One ticker feed as the board sees it at the moment of the report. */
export const FeedState = z
  .object({
    markets: z.number().int(),
    /** Age of the venue's newest ticker (ms). */
    age_ms: z.number(),
    stale: z.boolean(),
  })
  .meta({ id: "ReportFeedState" });

/** `GET /api/admin/reports/platform` (JSON). */
export const PlatformReport = z
  .object({
    date: z.string().meta({ example: "2026-12-04" }),
    time_zone: z.literal("Asia/Seoul"),
    /** The day's bounds: `from` inclusive, `to` exclusive. */
    from: z.string(),
    to: z.string(),
    generated_at: z.string(),
    users: z.object({
      /** Accounts that existed at the end of the day (or now, for today). */
      total: z.number().int(),
      /** Accounts created during the day. */
      new: z.number().int(),
      /** Accounts that placed at least one order during the day. */
      active_traders: z.number().int(),
    }),
    orders: z.object({
      /** Orders created during the day, in their status as of the report. */
      total: z.number().int(),
      by_status: z.record(z.string(), z.number().int()),
      by_type: z.record(z.string(), z.number().int()),
      by_side: z.record(z.string(), z.number().int()),
    }),
    fills: z.object({
      /** Fills executed during the day. */
      total: z.number().int(),
      /** Accounts with at least one fill during the day. */
      traders: z.number().int(),
    }),
    /** Per venue, in its quote currency: nothing is converted. */
    volume: z.array(VenueVolume),
    feed_health: z.object({
      /**
       * Whether feed freshness over the day is recorded. It is not (nothing stores a history of it), so
       * `current` is the feeds' state at `generated_at`, whatever `date` is.
       */
      history_recorded: z.literal(false),
      current: z
        .object({
          venues: z.record(z.string(), FeedState),
          fx: z.object({ age_ms: z.number(), stale: z.boolean() }).nullable(),
          /** Per liquidation venue: ms since the last one was counted (null: never), and the count over 24 h. */
          liquidations: z.record(
            z.string(),
            z.object({ last_received_age_ms: z.number().nullable(), count_24h: z.number().int() }),
          ),
          timestamp: EpochMs,
        })
        .nullable(),
      /** Why `current` is null (the board or the liquidation feed did not answer). */
      error: z.string().optional(),
    }),
  })
  .meta({ id: "PlatformReport" });
export type PlatformReport = z.infer<typeof PlatformReport>;
