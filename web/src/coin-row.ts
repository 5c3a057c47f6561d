/**
 * The figures one board row shows, derived from a coin and the market-wide rates. Kept apart from
 * the DOM so sorting, filtering and rendering all read the same numbers.
 */
import type { Source } from "../../protocol/common";
import type { Coin, ExchangeRate, VenuePrice } from "../../protocol/market";
import { GLOBAL_VENUES, KRW_VENUES, type MarketVenue, pickVenue } from "../../protocol/venues";
import { toInitials } from "./hangul";

/** A ticker counts as stale after this long without a new one (the Worker's default TICKER_STALE_MS). */
export const TICKER_STALE_MS = 30_000;

export interface RowFigures {
  symbol: string;
  koreanName: string | null;
  englishName: string | null;
  /** The Korean name's initial consonants, for 초성 search. */
  initials: string;
  krwVenue: string | null;
  krwPrice: number | null;
  globalVenue: string | null;
  globalPrice: number | null;
  /** The global price converted at USD/KRW (USDT taken as USD). */
  globalKrw: number | null;
  premium: number | null;
  usdtPremium: number | null;
  change: number | null;
  /** 24 h traded value in KRW on the Korean venue (or the global venue's, converted, when there is none). */
  value: number | null;
  /** Newest input time (ms). */
  timestamp: number;
  /** Oldest input time the row depends on (ms), to age it on the client. */
  oldestInput: number;
  /** The Worker's own stale verdict at the time it sent the coin. */
  staleFlag: boolean;
  /** Where the prices came from when that is not `live`. */
  source: Source;
  warnings: string[];
}

function pick(prices: Coin["prices"], order: readonly MarketVenue[]): [string, VenuePrice] | [null, null] {
  const venue = pickVenue(prices, order);
  return venue ? [venue, prices[venue] as VenuePrice] : [null, null];
}

/** Computes a row's figures. `rate` converts global prices and volumes to KRW. */
export function rowFigures(coin: Coin, rate: ExchangeRate | null): RowFigures {
  const [krwVenue, krw] = pick(coin.prices, KRW_VENUES);
  const [globalVenue, global] = pick(coin.prices, GLOBAL_VENUES);
  const usdKrw = coin.premium?.exchange_rate ?? rate?.exchange_rate ?? null;
  const globalKrw = global && usdKrw ? global.price * usdKrw : null;
  const globalValueKrw = global && usdKrw ? global.quote_volume * usdKrw : null;
  const inputs = [krw?.timestamp, global?.timestamp].filter((x): x is number => x !== undefined);
  const sources = Object.values(coin.prices).map((p) => p?.source);
  const source: Source = sources.includes("simulated") ? "simulated" : sources.includes("replay") ? "replay" : "live";
  return {
    symbol: coin.symbol,
    koreanName: coin.korean_name,
    englishName: coin.english_name,
    initials: coin.korean_name ? toInitials(coin.korean_name) : "",
    krwVenue,
    krwPrice: krw?.price ?? null,
    globalVenue,
    globalPrice: global?.price ?? null,
    globalKrw,
    premium: coin.premium?.premium_percent ?? null,
    usdtPremium: coin.premium?.usdt_premium_percent ?? null,
    change: krw?.change_percent ?? global?.change_percent ?? null,
    value: krw ? krw.quote_volume : globalValueKrw,
    timestamp: inputs.length ? Math.max(...inputs) : 0,
    oldestInput: inputs.length ? Math.min(...inputs) : 0,
    staleFlag: Boolean(coin.premium?.stale || krw?.stale || global?.stale),
    source,
    warnings: coin.warnings,
  };
}

/** Whether the row should be marked stale now: the Worker said so, or an input has aged past the bound since. */
export function isStale(row: RowFigures, now: number): boolean {
  return row.staleFlag || (row.oldestInput > 0 && now - row.oldestInput > TICKER_STALE_MS);
}

/** The columns the board can sort by. */
export type SortKey =
  | "name"
  | "symbol"
  | "krwPrice"
  | "globalPrice"
  | "globalKrw"
  | "premium"
  | "usdtPremium"
  | "change"
  | "value";

/** Compares two rows for a column; missing figures always sort last, whatever the direction. */
export function compareRows(a: RowFigures, b: RowFigures, key: SortKey, dir: 1 | -1, koreanNames: boolean): number {
  if (key === "name") {
    const an = (koreanNames ? a.koreanName : a.englishName) ?? a.englishName ?? a.symbol;
    const bn = (koreanNames ? b.koreanName : b.englishName) ?? b.englishName ?? b.symbol;
    return dir * an.localeCompare(bn, koreanNames ? "ko" : "en") || a.symbol.localeCompare(b.symbol);
  }
  if (key === "symbol") return dir * a.symbol.localeCompare(b.symbol);
  const av = a[key];
  const bv = b[key];
  if (av === null && bv === null) return a.symbol.localeCompare(b.symbol);
  if (av === null) return 1;
  if (bv === null) return -1;
  return dir * (av - bv) || a.symbol.localeCompare(b.symbol);
}
