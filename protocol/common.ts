import { z } from "zod";

/** Where a figure came from: a live venue feed, a recorded session replayed, or the local venue simulator. */
export const Source = z.enum(["live", "replay", "simulated"]).meta({ id: "Source" });
export type Source = z.infer<typeof Source>;

/** Venues quoted in KRW. */
export const KrwVenue = z.enum(["upbit", "bithumb"]);
export type KrwVenue = z.infer<typeof KrwVenue>;

/** Venues quoted in USDT. */
export const GlobalVenue = z.enum(["binance", "bybit"]);
export type GlobalVenue = z.infer<typeof GlobalVenue>;

/** Venues whose spot tickers we collect. */
export const MarketVenue = z.enum([...KrwVenue.options, ...GlobalVenue.options]).meta({ id: "MarketVenue" });
export type MarketVenue = z.infer<typeof MarketVenue>;

/** The quote currency each market venue prices the board's coins in. */
export const VENUE_CURRENCY: Record<MarketVenue, "KRW" | "USDT"> = {
  upbit: "KRW",
  bithumb: "KRW",
  binance: "USDT",
  bybit: "USDT",
};

/** Whether a market belongs on the board (a KRW market on a Korean venue, a USDT one on a global venue). */
export function isBoardMarket(venue: MarketVenue, quote: string): boolean {
  return VENUE_CURRENCY[venue] === quote;
}

/** Venues whose futures liquidations we collect. */
export const LiquidationVenue = z.enum(["binance", "bybit", "okx", "bitmex"]).meta({ id: "LiquidationVenue" });
export type LiquidationVenue = z.infer<typeof LiquidationVenue>;

/** A base asset in upper case, as the coin key (`BTC`, `1000PEPE` is normalised to `PEPE` by the collector). */
export const Base = z.string().regex(/^[A-Z0-9]{1,20}$/, "an upper-case asset code such as BTC");

/** A quote asset (`KRW`, `USDT`, `USD` for inverse contracts). */
export const Quote = z.string().regex(/^[A-Z0-9]{2,10}$/, "an upper-case asset code such as KRW");

/** Milliseconds since the Unix epoch. */
export const EpochMs = z.number().int().nonnegative();

/** A price: finite and strictly positive. */
export const Price = z.number().positive();

/** A quantity or traded volume: finite and not negative. */
export const Amount = z.number().nonnegative();
