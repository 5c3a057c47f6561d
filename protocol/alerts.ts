/**
 * Server-side alerts (`/api/alerts`): conditions on the live market that a user wants to hear about
 * when the browser tab is closed. Each is evaluated where its data lives: price, premium, premium
 * percentile and caution-flag alerts in the coin's `MarketSymbol`, liquidation alerts in the
 * `LiquidationFeed`. A fired alert is an `alert.triggered` event on the `notifications` queue.
 *
 * Level alerts (price, premium, percentile) fire once when their condition becomes true and re-arm
 * only after the value has moved back past the threshold by `hysteresis` (in the alert's own unit)
 * and `cooldown_seconds` have passed since it fired. Event alerts (a liquidation, a caution flag
 * appearing) fire on each event, at most once per cooldown. A new alert starts armed, so one whose
 * condition already holds fires at the next tick.
 */
import { z } from "zod";
import { Base, EpochMs, MarketVenue } from "./common";

export const AlertKind = z
  .enum(["price", "premium", "premium_percentile", "liquidation", "caution"])
  .meta({ id: "AlertKind" });
export type AlertKind = z.infer<typeof AlertKind>;

export const AlertDirection = z.enum(["above", "below"]).meta({ id: "AlertDirection" });
export type AlertDirection = z.infer<typeof AlertDirection>;

/** `usd`: the premium against USD/KRW (`premium_percent`); `usdt`: against USDT/KRW (`usdt_premium_percent`). */
export const PremiumBasis = z.enum(["usd", "usdt"]).meta({ id: "PremiumBasis" });
export type PremiumBasis = z.infer<typeof PremiumBasis>;

/** Which history a percentile is taken over. */
export const PercentileWindow = z.enum(["30d", "90d"]).meta({ id: "PercentileWindow" });
export type PercentileWindow = z.infer<typeof PercentileWindow>;

/** The longest cooldown (a week) and the default ones, in seconds. */
export const MAX_COOLDOWN_SECONDS = 7 * 24 * 3600;
export const DEFAULT_LEVEL_COOLDOWN_SECONDS = 300;
export const DEFAULT_EVENT_COOLDOWN_SECONDS = 60;

/** A coin symbol in either case, upper-cased. */
const CoinSymbol = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(Base);

/** A finite JSON number (strings such as "3" are refused: a threshold is a number). */
const Finite = z.number().refine(Number.isFinite, "a finite number");

const Cooldown = z.number().int().min(0).max(MAX_COOLDOWN_SECONDS);
const Note = z.string().max(200);

const Common = {
  cooldown_seconds: Cooldown.optional(),
  enabled: z.boolean().optional(),
  note: Note.optional(),
};

export const PriceAlertCreate = z
  .object({
    kind: z.literal("price"),
    symbol: CoinSymbol,
    venue: MarketVenue,
    direction: AlertDirection,
    /** In the venue's quote currency (KRW on Korean venues, USDT on global ones). */
    threshold: Finite.pipe(z.number().positive().max(1e12)),
    /** Default: 0.5 % of the threshold. */
    hysteresis: Finite.pipe(z.number().nonnegative()).optional(),
    ...Common,
  })
  .strict()
  .refine((a) => a.hysteresis === undefined || a.direction === "below" || a.hysteresis < a.threshold, {
    message: "an alert above a price re-arms below threshold - hysteresis: keep it under the threshold",
    path: ["hysteresis"],
  });

export const PremiumAlertCreate = z
  .object({
    kind: z.literal("premium"),
    symbol: CoinSymbol,
    basis: PremiumBasis,
    direction: AlertDirection,
    /** In percent (3 means a 3 % premium; negative values are a discount). */
    threshold: Finite.pipe(z.number().min(-100).max(1000)),
    /** In percentage points; default 0.2. */
    hysteresis: Finite.pipe(z.number().nonnegative().max(100)).optional(),
    ...Common,
  })
  .strict();

export const PremiumPercentileAlertCreate = z
  .object({
    kind: z.literal("premium_percentile"),
    symbol: CoinSymbol,
    basis: PremiumBasis,
    window: PercentileWindow.optional(),
    direction: AlertDirection,
    /** 0 to 100: where today's premium sits in the coin's own history. */
    threshold: Finite.pipe(z.number().min(0).max(100)),
    /** In percentile points; default 5. */
    hysteresis: Finite.pipe(z.number().nonnegative().max(100)).optional(),
    ...Common,
  })
  .strict()
  .refine(
    (a) => {
      const margin = a.hysteresis ?? 0;
      return a.direction === "above" ? a.threshold - margin > 0 : a.threshold + margin < 100;
    },
    {
      message: "the alert could never re-arm: the threshold moved back by the hysteresis must stay within 0-100",
      path: ["hysteresis"],
    },
  );

export const LiquidationAlertCreate = z
  .object({
    kind: z.literal("liquidation"),
    /** A coin, or null (or absent) for any coin. */
    symbol: CoinSymbol.nullable().optional(),
    /** Fires on a single liquidation worth at least this many US dollars. */
    min_usd: Finite.pipe(z.number().positive().max(1e12)),
    ...Common,
  })
  .strict();

export const CautionAlertCreate = z
  .object({
    kind: z.literal("caution"),
    symbol: CoinSymbol,
    ...Common,
  })
  .strict();

/** `POST /api/alerts`. */
export const AlertCreate = z
  .discriminatedUnion("kind", [
    PriceAlertCreate,
    PremiumAlertCreate,
    PremiumPercentileAlertCreate,
    LiquidationAlertCreate,
    CautionAlertCreate,
  ])
  .meta({ id: "AlertCreate" });
export type AlertCreate = z.infer<typeof AlertCreate>;

/** `PATCH /api/alerts/{id}`: the fields that make sense for the alert's kind; the kind and coin stay. */
export const AlertUpdate = z
  .object({
    direction: AlertDirection.optional(),
    threshold: Finite.optional(),
    hysteresis: Finite.pipe(z.number().nonnegative()).optional(),
    min_usd: Finite.pipe(z.number().positive().max(1e12)).optional(),
    cooldown_seconds: Cooldown.optional(),
    enabled: z.boolean().optional(),
    note: Note.nullable().optional(),
  })
  .strict()
  .refine((u) => Object.keys(u).length > 0, "name at least one field to change")
  .meta({ id: "AlertUpdate" });
export type AlertUpdate = z.infer<typeof AlertUpdate>;

/**
 * What the evaluators hold of an alert: its condition, fully resolved (defaults applied). Level
 * alerts carry `direction`, `threshold` and `hysteresis`; liquidation alerts `min_usd`.
 */
export const AlertRule = z.object({
  id: z.string(),
  user_id: z.string(),
  kind: AlertKind,
  /** Null only for a liquidation alert on any coin. */
  symbol: z.string().nullable(),
  venue: MarketVenue.nullable(),
  basis: PremiumBasis.nullable(),
  window: PercentileWindow.nullable(),
  direction: AlertDirection.nullable(),
  threshold: z.number().nullable(),
  hysteresis: z.number(),
  min_usd: z.number().nullable(),
  cooldown_seconds: z.number().int(),
  enabled: z.boolean(),
});
export type AlertRule = z.infer<typeof AlertRule>;

/** An alert as its owner sees it. */
export const Alert = AlertRule.extend({
  note: z.string().nullable(),
  created_at: z.string(),
  updated_at: z.string(),
  /** When it last fired (ISO-8601), or null. */
  last_triggered_at: z.string().nullable(),
}).meta({ id: "Alert" });
export type Alert = z.infer<typeof Alert>;

/** `alert.triggered` data: which alert, what it saw, and the coin's names for the message. */
export const AlertTriggered = z
  .object({
    user_id: z.string(),
    alert_id: z.string(),
    kind: AlertKind,
    symbol: z.string().nullable(),
    venue: z.string().nullable(),
    basis: PremiumBasis.nullable(),
    direction: AlertDirection.nullable(),
    threshold: z.number().nullable(),
    /** The value that made it fire: a price, a premium in percent, a percentile, a liquidation in USD. */
    value: z.number().nullable(),
    /** The caution flags that appeared (caution alerts). */
    flags: z.array(z.string()).optional(),
    /** The liquidation (liquidation alerts): venue, side, price, quantity. */
    liquidation: z
      .object({
        venue: z.string(),
        symbol: z.string(),
        side: z.string(),
        price: z.number(),
        quantity: z.number(),
        usd_value: z.number(),
      })
      .optional(),
    korean_name: z.string().nullable().optional(),
    /** The time of the tick or liquidation that fired it. */
    observed_at: EpochMs,
  })
  .meta({ id: "AlertTriggered" });
export type AlertTriggered = z.infer<typeof AlertTriggered>;
