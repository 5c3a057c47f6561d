/**
 * What the platform knows about its venues, in one place: which venues quote coins in KRW and which in
 * USDT, the order a coin's venues are shown and picked in, which market prices USDT in KRW, the candle
 * intervals, and the shape of a coin symbol. The Durable Objects, the gateway, the collectors and the
 * dashboard all read these.
 *
 * No zod here: the dashboard bundles this file (protocol/common.ts builds the schemas from it).
 */

/** Korean venues, quoted in KRW, in order of preference (Upbit while it quotes, else Bithumb). */
export const KRW_VENUES = ["upbit", "bithumb"] as const;
export type KrwVenue = (typeof KRW_VENUES)[number];

/** Global venues, quoted in USDT, in order of preference. */
export const GLOBAL_VENUES = ["binance", "bybit"] as const;
export type GlobalVenue = (typeof GLOBAL_VENUES)[number];

/** Every venue whose spot tickers we collect, in the order a coin's venues are shown. */
export const MARKET_VENUES = [...KRW_VENUES, ...GLOBAL_VENUES] as const;
export type MarketVenue = (typeof MARKET_VENUES)[number];

/** Venues whose futures liquidations we collect. */
export const LIQUIDATION_VENUES = ["binance", "bybit", "okx", "bitmex"] as const;
export type LiquidationVenue = (typeof LIQUIDATION_VENUES)[number];

/** The currency each market venue prices the board's coins in. */
export const VENUE_CURRENCY: Record<MarketVenue, "KRW" | "USDT"> = {
  upbit: "KRW",
  bithumb: "KRW",
  binance: "USDT",
  bybit: "USDT",
};

/** Whether a venue quotes in KRW. */
export function isKrwVenue(venue: string): venue is KrwVenue {
  return (KRW_VENUES as readonly string[]).includes(venue);
}

/**
 * Picks the first venue in `order` that has a fresh price, or else the first that has any price.
 * So Upbit is used while it quotes, and Bithumb takes over when Upbit has no price or has gone stale.
 */
export function pickVenue<V extends string>(
  prices: Partial<Record<string, { stale: boolean }>>,
  order: readonly V[],
): V | undefined {
  const present = order.filter((v) => prices[v] !== undefined);
  return present.find((v) => !prices[v]?.stale) ?? present[0];
}

/** Whether a market belongs on the board (a KRW market on a Korean venue, a USDT one on a global venue). */
export function isBoardMarket(venue: MarketVenue, quote: string): boolean {
  return VENUE_CURRENCY[venue] === quote;
}

/** A market's key: `upbit:BTC-KRW`. */
export function marketKey(venue: string, base: string, quote: string): string {
  return `${venue}:${base}-${quote}`;
}

/**
 * The markets that price USDT in KRW, one per Korean venue: the USDT/KRW rate of the USDT-based
 * premium, taken from the same venue as the coin's KRW price where it has one.
 */
export const USDT_KRW_MARKETS: Record<KrwVenue, string> = {
  upbit: marketKey("upbit", "USDT", "KRW"),
  bithumb: marketKey("bithumb", "USDT", "KRW"),
};

/** Candle and history intervals, shortest first. */
export const CANDLE_INTERVALS = ["1m", "5m", "15m", "1h", "4h", "1d"] as const;
export type CandleInterval = (typeof CANDLE_INTERVALS)[number];

/** Milliseconds in each candle interval. */
export const INTERVAL_MS: Record<CandleInterval, number> = {
  "1m": 60_000,
  "5m": 300_000,
  "15m": 900_000,
  "1h": 3_600_000,
  "4h": 14_400_000,
  "1d": 86_400_000,
};

/**
 * The resolutions candles are stored at, from the venues' own candle APIs; 5m, 15m and 4h are rolled
 * up from them on read. Every venue starts its 1-day candle at 00:00 UTC (09:00 in Seoul).
 */
export const CANDLE_RESOLUTIONS = ["1m", "1h", "1d"] as const;
export type CandleResolution = (typeof CANDLE_RESOLUTIONS)[number];

/** How long stored candles (and the premium history built from them) are kept, per resolution. */
export const CANDLE_RETENTION_MS: Record<CandleResolution, number> = {
  "1m": 7 * 86_400_000,
  "1h": 366 * 86_400_000,
  "1d": Number.POSITIVE_INFINITY,
};

/** A coin's key: its base asset in upper case (`BTC`; `1000PEPE` is normalised to `PEPE` by the collector). */
export const COIN_SYMBOL = /^[A-Z0-9]{1,20}$/;

/** A coin symbol as a client may type it, in either case (normalise with `toUpperCase`). */
export const COIN_SYMBOL_ANY_CASE = /^[A-Za-z0-9]{1,20}$/;

/** A comma-separated list of 1 to `max` coin symbols in either case (`BTC,eth`). */
export function coinSymbolList(max: number): RegExp {
  return new RegExp(`^[A-Za-z0-9]{1,20}(,[A-Za-z0-9]{1,20}){0,${max - 1}}$`);
}

/** Whether a string is a coin key (`BTC`). */
export function isCoinSymbol(value: string): boolean {
  return COIN_SYMBOL.test(value);
}
