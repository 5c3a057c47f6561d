/**
 * Number formatting for the board. Prices keep the precision a trader reads on the venue; traded
 * value is shown in Korean units (만/억/조) in Korean and with K/M/B/T in English.
 */
import { lang } from "./i18n";

const DASH = "—";
const grouped = new Map<number, Intl.NumberFormat>();

function fixed(digits: number): Intl.NumberFormat {
  let f = grouped.get(digits);
  if (!f) {
    f = new Intl.NumberFormat("en-US", { minimumFractionDigits: digits, maximumFractionDigits: digits });
    grouped.set(digits, f);
  }
  return f;
}

/** Decimal places for a price so that about 4-5 significant digits show below 1,000. */
function priceDigits(value: number, forKrw: boolean): number {
  const abs = Math.abs(value);
  if (forKrw) {
    if (abs >= 1000) return 0;
    if (abs >= 100) return 1;
    if (abs >= 10) return 2;
    if (abs >= 1) return 3;
  } else {
    if (abs >= 1000) return 2;
    if (abs >= 10) return 3;
    if (abs >= 1) return 4;
  }
  if (abs === 0) return 2;
  // Below 1: four significant digits, at most 8 decimals.
  return Math.min(8, Math.max(4, 3 - Math.floor(Math.log10(abs))));
}

/** Prices from here up (no coin trades there) are shortened, so a wrong one cannot break its row. */
const LONG_PRICE = 1e10;

/** A KRW price: `135,000,000`, `1,452`, `0.5432` (`12.35B` from ten billion up). */
export function formatKrw(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (Math.abs(value) >= LONG_PRICE) return compact(value);
  return fixed(priceDigits(value, true)).format(value);
}

/** A USDT price: `91,000.50`, `3.1234`, `0.00001234` (`12.35B` from ten billion up). */
export function formatUsdt(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  if (Math.abs(value) >= LONG_PRICE) return compact(value);
  return fixed(priceDigits(value, false)).format(value);
}

/** A rate such as USD/KRW: two decimals. */
export function formatRate(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return fixed(2).format(value);
}

/** A signed percent: `+1.27%`, `-0.40%`, `0.00%`. */
export function formatPercent(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const rounded = Number(value.toFixed(digits));
  const sign = rounded > 0 ? "+" : "";
  return `${sign}${fixed(digits).format(rounded === 0 ? 0 : rounded)}%`;
}

/** -1, 0 or 1 after rounding to what is shown, so `+0.00%` is never coloured. */
export function signOf(value: number | null | undefined, digits = 2): -1 | 0 | 1 {
  if (value === null || value === undefined || !Number.isFinite(value)) return 0;
  const rounded = Number(value.toFixed(digits));
  return rounded > 0 ? 1 : rounded < 0 ? -1 : 0;
}

/**
 * A KRW amount in Korean units: `2,288억`, `1.23조`, `5,400만`; in English `₩228.8B`, `₩1.23T`.
 */
export function formatKrwAmount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const abs = Math.abs(value);
  if (lang() === "ko") {
    if (abs >= 1e12) return `${fixed(2).format(value / 1e12)}조`;
    if (abs >= 1e8) return `${fixed(0).format(Math.round(value / 1e8))}억`;
    if (abs >= 1e4) return `${fixed(0).format(Math.round(value / 1e4))}만`;
    return `${fixed(0).format(value)}원`;
  }
  return `₩${compact(value)}`;
}

/** A USD amount, compact: `$12.3K`, `$1.20M`. */
export function formatUsdAmount(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return `$${compact(value)}`;
}

function compact(value: number): string {
  const abs = Math.abs(value);
  if (abs >= 1e12) return `${fixed(2).format(value / 1e12)}T`;
  if (abs >= 1e9) return `${fixed(2).format(value / 1e9)}B`;
  if (abs >= 1e6) return `${fixed(2).format(value / 1e6)}M`;
  if (abs >= 1e3) return `${fixed(1).format(value / 1e3)}K`;
  return fixed(0).format(value);
}

/** A clock time in the browser's zone: `14:05:09`. */
export function formatTime(timestamp: number): string {
  const d = new Date(timestamp);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/**
 * A money amount in its currency, as a trader reads it: `990,495원` (`₩990,495` in English), `12.35 USDT`.
 * KRW keeps the price's precision below 1,000 (a price of 0.5432원); `signed` puts `+` on gains.
 */
export function formatMoney(value: number | null | undefined, currency: string, signed = false): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const sign = signed && value > 0 ? "+" : "";
  if (currency === "KRW") {
    const digits = Math.abs(value) >= 1000 ? 0 : priceDigits(value, true);
    const text = fixed(digits).format(value);
    return lang() === "ko" ? `${sign}${text}원` : `${sign}₩${text}`.replace("₩-", "-₩");
  }
  const digits = Math.abs(value) >= 1 ? 2 : priceDigits(value, false);
  return `${sign}${fixed(digits).format(value)} ${currency}`;
}

const quantityFormat = new Intl.NumberFormat("en-US", { maximumFractionDigits: 8 });

/** A coin quantity: up to 8 decimals, no trailing zeros: `0.0074074`, `1,250`. */
export function formatQuantity(value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  return quantityFormat.format(value);
}
