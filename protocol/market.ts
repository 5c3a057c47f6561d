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
    timestamp: EpochMs,
    stale: z.boolean(),
    source: Source,
  })
  .meta({ id: "VenuePrice" });
export type VenuePrice = z.infer<typeof VenuePrice>;

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

/** A premium-history row: one per minute, the last premium of that minute. */
export const PremiumHistoryPoint = z
  .object({
    timestamp: EpochMs,
    premium_percent: z.number().nullable(),
    usdt_premium_percent: z.number().nullable(),
    krw_price: z.number(),
    global_price: z.number(),
    exchange_rate: z.number().nullable(),
  })
  .meta({ id: "PremiumHistoryPoint" });
export type PremiumHistoryPoint = z.infer<typeof PremiumHistoryPoint>;

export const CandleInterval = z.enum(CANDLE_INTERVALS);
export type CandleInterval = z.infer<typeof CandleInterval>;
