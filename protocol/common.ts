import { z } from "zod";
import {
  COIN_SYMBOL,
  COIN_SYMBOL_ANY_CASE,
  GLOBAL_VENUES,
  KRW_VENUES,
  LIQUIDATION_VENUES,
  MARKET_VENUES,
} from "./venues";

/** Where a figure came from: a live venue feed, a recorded session replayed, or the local venue simulator. */
export const Source = z.enum(["live", "replay", "simulated"]).meta({ id: "Source" });
export type Source = z.infer<typeof Source>;

/** Venues quoted in KRW. */
export const KrwVenue = z.enum(KRW_VENUES);
export type KrwVenue = z.infer<typeof KrwVenue>;

/** Venues quoted in USDT. */
export const GlobalVenue = z.enum(GLOBAL_VENUES);
export type GlobalVenue = z.infer<typeof GlobalVenue>;

/** Venues whose spot tickers we collect. */
export const MarketVenue = z.enum(MARKET_VENUES).meta({ id: "MarketVenue" });
export type MarketVenue = z.infer<typeof MarketVenue>;

/** Venues whose futures liquidations we collect. */
export const LiquidationVenue = z.enum(LIQUIDATION_VENUES).meta({ id: "LiquidationVenue" });
export type LiquidationVenue = z.infer<typeof LiquidationVenue>;

/** A base asset in upper case, as the coin key (`BTC`, `1000PEPE` is normalised to `PEPE` by the collector). */
export const Base = z.string().regex(COIN_SYMBOL, "an upper-case asset code such as BTC");

/** A coin symbol from a client, in either case, upper-cased. */
export const CoinSymbolParam = z
  .string()
  .regex(COIN_SYMBOL_ANY_CASE, "a coin symbol such as BTC")
  .transform((s) => s.toUpperCase());

/**
 * A whole number from a query string, in decimal digits only (`0x10`, `1e3`, `+5`, ` 7` and `1.0` are
 * refused, not read as numbers), from `min` to `max`.
 */
export function integerParam(min: number, max: number) {
  return z
    .string()
    .regex(/^\d{1,15}$/, `an integer from ${min} to ${max}, in decimal digits`)
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));
}

/** A quote asset (`KRW`, `USDT`, `USD` for inverse contracts). */
export const Quote = z.string().regex(/^[A-Z0-9]{2,10}$/, "an upper-case asset code such as KRW");

/** Milliseconds since the Unix epoch. */
export const EpochMs = z.number().int().nonnegative();

/** The largest price any market quotes (1e12 in its quote currency); anything above is a venue's or a parser's error. */
export const MAX_PRICE = 1e12;
/** The largest traded volume or value (1e16 in its asset) any market reports in a day. */
export const MAX_AMOUNT = 1e16;

/** A price: finite, strictly positive and at most {@link MAX_PRICE}. */
export const Price = z.number().positive().max(MAX_PRICE);

/** A quantity or traded volume: finite, not negative and at most {@link MAX_AMOUNT}. */
export const Amount = z.number().nonnegative().max(MAX_AMOUNT);
