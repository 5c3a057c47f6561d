/**
 * Base/quote mapping across venues. A coin is keyed by its base asset in upper case (`BTC`); venue
 * symbols come as `KRW-BTC` (Upbit, Bithumb), `BTCUSDT` (Binance, Bybit), `BTC-USDT-SWAP` (OKX),
 * and some carry a size multiplier (`1000PEPEUSDT`, `SHIB1000USDT`, `1MBABYDOGEUSDT`) or a ticker
 * that differs between venues for the same asset. Everything here is pure, so normalisers stay pure.
 * See ../../test/collectors/fixtures/venues/NOTES.md section 11.7.
 */
import { isCoinSymbol } from "../../protocol/venues";

/**
 * Quote assets recognised at the end of a concatenated symbol, longest first so `FDUSD` wins over
 * `USD` and `USDT` over `USD`.
 */
export const KNOWN_QUOTES = [
  "FDUSD",
  "USDT",
  "USDC",
  "TUSD",
  "BUSD",
  "USDE",
  "USD1",
  "EURI",
  "DAI",
  "USD",
  "BTC",
  "ETH",
  "BNB",
  "EUR",
  "TRY",
  "BRL",
  "JPY",
  "KRW",
  "MXN",
  "PLN",
  "ARS",
  "ZAR",
  "UAH",
  "IDR",
  "COP",
  "CZK",
  "RON",
  "XRP",
  "DOGE",
  "SOL",
  "TRX",
] as const;

/** Splits a concatenated symbol (`BTCUSDT`) into base and quote; null when no known quote ends it. */
export function splitConcatenated(
  symbol: string,
  quotes: readonly string[] = KNOWN_QUOTES,
): { base: string; quote: string } | null {
  const upper = symbol.toUpperCase();
  let best: string | undefined;
  for (const q of quotes) {
    if (upper.length > q.length && upper.endsWith(q) && (!best || q.length > best.length)) best = q;
  }
  return best ? { base: upper.slice(0, -best.length), quote: best } : null;
}

/** Splits a dashed market code, quote first (`KRW-BTC` on Upbit and Bithumb). */
export function splitQuoteFirst(code: string): { base: string; quote: string } | null {
  const parts = code.toUpperCase().split("-");
  if (parts.length !== 2 || !parts[0] || !parts[1]) return null;
  return { quote: parts[0], base: parts[1] };
}

/**
 * Tickers that name a different asset on one venue than the same string elsewhere, or the same asset
 * under another name: venue -> venue ticker -> our coin key. Add a line when a venue renames a coin.
 * - Upbit's `TON` is Tokamak Network (Bithumb lists it as `TOKAMAK`), not Toncoin.
 * - Binance lists the redenominated BitTorrent as `BTTC`; the Korean venues call it `BTT`.
 */
export const BASE_ALIASES: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  upbit: { TON: "TOKAMAK" },
  binance: { BTTC: "BTT" },
};

/** Multiplier prefixes (`1000PEPE` is 1000 PEPE per unit of the market), longest first. */
const MULTIPLIER_PREFIXES: readonly [string, number][] = [
  ["1000000", 1_000_000],
  ["100000", 100_000],
  ["10000", 10_000],
  ["1000", 1_000],
  ["1M", 1_000_000],
];

/**
 * Multiplier suffixes: Bybit writes some as `SHIB1000`. Only these bases, since a suffix rule on every
 * ticker would misread real assets whose names end in digits.
 */
const MULTIPLIER_SUFFIX_BASES: ReadonlySet<string> = new Set(["SHIB1000", "BONK1000", "FLOKI1000", "PEPE1000"]);

/** A venue ticker resolved to our coin key. */
export interface BaseAsset {
  /** The coin key (`PEPE`). */
  base: string;
  /** Units of `base` per unit of the venue's market (1000 for `1000PEPE`, else 1). */
  multiplier: number;
}

/**
 * The coin key of a venue's base ticker: multiplier stripped (`1000PEPE` -> PEPE x1000) and aliases
 * applied; null when the ticker cannot be a coin key (non-ASCII names such as `币安人生`).
 */
export function resolveBase(venue: string, rawBase: string): BaseAsset | null {
  const upper = rawBase.toUpperCase();
  let base = upper;
  let multiplier = 1;
  for (const [prefix, factor] of MULTIPLIER_PREFIXES) {
    const rest = upper.slice(prefix.length);
    if (upper.startsWith(prefix) && /^[A-Z][A-Z0-9]*$/.test(rest)) {
      base = rest;
      multiplier = factor;
      break;
    }
  }
  if (multiplier === 1 && MULTIPLIER_SUFFIX_BASES.has(upper)) {
    base = upper.slice(0, -4);
    multiplier = 1000;
  }
  base = BASE_ALIASES[venue]?.[base] ?? base;
  return isCoinSymbol(base) ? { base, multiplier } : null;
}

/** Whether a string is a valid asset code of the ingest contract. */
export function isAssetCode(code: string): boolean {
  return isCoinSymbol(code);
}

/** A price per market unit turned into a price per coin (divide by the multiplier). */
export function perCoinPrice(price: number, multiplier: number): number {
  return multiplier === 1 ? price : price / multiplier;
}

/** A volume in market units turned into coins (multiply by the multiplier). */
export function perCoinVolume(volume: number, multiplier: number): number {
  return multiplier === 1 ? volume : volume * multiplier;
}
