import { z } from "zod";
import { EpochMs, MarketVenue, Source } from "./common";
import { LiquidationSummary } from "./liquidations";
import { CANDLE_INTERVALS } from "./venues";

/** One venue's latest 24 h ticker for a coin. */
export const VenuePrice = z
  .object({
    price: z.number(),
    currency: z.string().meta({ description: "Quote currency: KRW or USDT" }),
    change_percent: z.number(),
    volume: z.number(),
    quote_volume: z.number(),
    /** The venue's 24 h high and low (null when the venue's ticker does not carry them). */
    high_24h: z.number().nullable(),
    low_24h: z.number().nullable(),
    timestamp: EpochMs,
    stale: z.boolean(),
    source: Source,
  })
  .meta({ id: "VenuePrice" });
export type VenuePrice = z.infer<typeof VenuePrice>;

/** Where today's premium on one basis sits in the coin's own history (hourly premiums, last 30 and 90 days). */
export const PremiumContextBasis = z
  .object({
    /** 0 to 100: the share of the last 30 days' hourly premiums at or below today's. */
    percentile_30d: z.number().nullable(),
    /** Standard deviations from the 30-day mean. */
    z_score_30d: z.number().nullable(),
    percentile_90d: z.number().nullable(),
    z_score_90d: z.number().nullable(),
    min_30d: z.number().nullable(),
    median_30d: z.number().nullable(),
    max_30d: z.number().nullable(),
  })
  .meta({ id: "PremiumContextBasis" });
export type PremiumContextBasis = z.infer<typeof PremiumContextBasis>;

/**
 * Is this premium high for this coin? Today's premium against its own history, on both bases; a basis
 * is null until a day of history exists. `samples_*` count the hourly premiums compared against.
 */
export const PremiumContext = z
  .object({
    premium_percent: PremiumContextBasis.nullable(),
    usdt_premium_percent: PremiumContextBasis.nullable(),
    samples_30d: z.number().int(),
    samples_90d: z.number().int(),
    /** When the history was last summarised. */
    as_of: EpochMs,
  })
  .meta({ id: "PremiumContext" });
export type PremiumContext = z.infer<typeof PremiumContext>;

/**
 * The kimchi premium of one coin: KRW price / (USDT price x rate) - 1, in percent.
 * `premium_percent` uses USD/KRW; `usdt_premium_percent` uses the USDT/KRW price on the Korean venue.
 */
export const Premium = z
  .object({
    krw_venue: z.string(),
    global_venue: z.string(),
    krw_price: z.number(),
    global_price: z.number(),
    exchange_rate: z.number().nullable(),
    usdt_krw_rate: z.number().nullable(),
    premium_percent: z.number().nullable(),
    usdt_premium_percent: z.number().nullable(),
    stale: z.boolean(),
    /** The newest of the input timestamps. */
    timestamp: EpochMs,
    /** Each input's own timestamp, so a client can judge freshness itself. */
    inputs: z.object({
      krw_price_at: EpochMs,
      global_price_at: EpochMs,
      exchange_rate_at: EpochMs.nullable(),
      usdt_krw_rate_at: EpochMs.nullable(),
    }),
    /** Where this premium sits in the coin's own last 30 and 90 days; null before any history exists. */
    context: PremiumContext.nullable(),
  })
  .meta({ id: "Premium" });
export type Premium = z.infer<typeof Premium>;

/** Everything the board knows about one coin. */
export const Coin = z
  .object({
    symbol: z.string(),
    korean_name: z.string().nullable(),
    english_name: z.string().nullable(),
    prices: z.partialRecord(MarketVenue, VenuePrice),
    premium: Premium.nullable(),
    /** The venue's caution flags (Upbit `market_event`), empty when none. */
    warnings: z.array(z.string()),
  })
  .meta({ id: "Coin" });
export type Coin = z.infer<typeof Coin>;

/** USD/KRW, USDT/KRW and the tether premium (USDT/KRW over USD/KRW, in percent). */
export const ExchangeRate = z
  .object({
    exchange_rate: z.number().nullable(),
    usdt_krw_rate: z.number().nullable(),
    tether_premium_percent: z.number().nullable(),
    provider: z.string().nullable(),
    stale: z.boolean(),
    timestamp: EpochMs.nullable(),
  })
  .meta({ id: "ExchangeRate" });
export type ExchangeRate = z.infer<typeof ExchangeRate>;

export const FearGreed = z
  .object({
    value: z.number().int(),
    classification: z.string(),
    timestamp: EpochMs,
  })
  .meta({ id: "FearGreed" });
export type FearGreed = z.infer<typeof FearGreed>;

/** `GET /api/coins/latest`: all coins with prices and premiums, plus the market-wide figures. */
export const CoinsLatest = z
  .object({
    coins: z.array(Coin),
    exchange_rate: z.number().nullable(),
    usdt_krw_rate: z.number().nullable(),
    fear_greed: FearGreed.nullable(),
    /** The liquidation summary (1h/4h/12h/24h long and short totals per venue); null if the feed did not answer. */
    liquidations: LiquidationSummary.nullable(),
    timestamp: EpochMs,
    /** `timestamp` in ISO 8601 (the seed's field). */
    updated_at: z.string().meta({ format: "date-time", example: "2026-12-03T09:00:00.000Z" }),
    source: Source,
  })
  .meta({ id: "CoinsLatest" });
export type CoinsLatest = z.infer<typeof CoinsLatest>;

/** A coin's names. */
export const CoinName = z
  .object({
    symbol: z.string(),
    korean_name: z.string(),
    english_name: z.string(),
    warnings: z.array(z.string()),
  })
  .meta({ id: "CoinName" });
export type CoinName = z.infer<typeof CoinName>;

/** A candle row: [timestamp (minute start, ms), open, high, low, close, volume]. */
export const CandleRow = z
  .tuple([EpochMs, z.number(), z.number(), z.number(), z.number(), z.number()])
  .meta({ id: "CandleRow" });
export type CandleRow = z.infer<typeof CandleRow>;

/**
 * A premium-history row: the premium at the close of one period, from the venues' closed candles and
 * the rates of the time (the still-open period: the last live premium).
 */
export const PremiumHistoryPoint = z
  .object({
    timestamp: EpochMs,
    premium_percent: z.number().nullable(),
    usdt_premium_percent: z.number().nullable(),
    krw_price: z.number(),
    global_price: z.number(),
    exchange_rate: z.number().nullable(),
    usdt_krw_rate: z.number().nullable(),
  })
  .meta({ id: "PremiumHistoryPoint" });
export type PremiumHistoryPoint = z.infer<typeof PremiumHistoryPoint>;

export const CandleInterval = z.enum(CANDLE_INTERVALS);
export type CandleInterval = z.infer<typeof CandleInterval>;

/** A premium's distribution over one window (hourly premiums), in percent. */
export const PremiumDistributionSummary = z
  .object({
    samples: z.number().int(),
    min: z.number(),
    p10: z.number(),
    p25: z.number(),
    median: z.number(),
    p75: z.number(),
    p90: z.number(),
    max: z.number(),
    mean: z.number(),
    std: z.number(),
    from: EpochMs,
    to: EpochMs,
  })
  .meta({ id: "PremiumDistributionSummary" });
export type PremiumDistributionSummary = z.infer<typeof PremiumDistributionSummary>;

const PremiumWindow = z.object({
  premium_percent: PremiumDistributionSummary.nullable(),
  usdt_premium_percent: PremiumDistributionSummary.nullable(),
});

/** `GET /api/market/premiums/{symbol}/stats`: today's premium, its context, and the windows behind it. */
export const PremiumStats = z
  .object({
    symbol: z.string(),
    premium: Premium.nullable(),
    windows: z.object({ "30d": PremiumWindow, "90d": PremiumWindow }),
    timestamp: EpochMs,
    source: Source,
  })
  .meta({ id: "PremiumStats" });
export type PremiumStats = z.infer<typeof PremiumStats>;
