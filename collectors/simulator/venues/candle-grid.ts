/**
 * Time helpers shared by the simulated candle APIs: candle grids (with an origin: Bithumb's days start
 * at 00:00 KST) and the venues' ways of writing a time.
 */

/** The start of the grid interval holding `t` (grid of `size` through `origin`). */
export function gridFloor(t: number, size: number, origin = 0): number {
  return Math.floor((t - origin) / size) * size + origin;
}

/** The first grid start at or after `t`. */
export function gridCeil(t: number, size: number, origin = 0): number {
  return Math.ceil((t - origin) / size) * size + origin;
}

/**
 * A time as a venue's `to` parameter takes it: ISO 8601 with `Z` or an offset, or a bare
 * `yyyy-MM-dd HH:mm:ss` / `yyyy-MM-ddTHH:mm:ss` read at `bareOffsetHours` (Upbit: UTC; Bithumb: KST).
 * NaN when unreadable.
 */
export function parseVenueTime(text: string, bareOffsetHours: number): number {
  const iso = text.trim().replace(" ", "T");
  if (/(Z|[+-]\d{2}:?\d{2})$/.test(iso)) return Date.parse(iso);
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}$/.test(iso)) return Number.NaN;
  return Date.parse(`${iso}Z`) - bareOffsetHours * 3_600_000;
}

/** `yyyy-MM-ddTHH:mm:ss` of a time at a UTC offset (how Upbit-style candles label their start). */
export function wallClockIso(ms: number, offsetHours = 0): string {
  return new Date(ms + offsetHours * 3_600_000).toISOString().slice(0, 19);
}

/** A decimal string without an exponent and with at least 8 significant digits (Binance and Bybit print strings). */
export function decimalString(n: number): string {
  if (n === 0) return "0";
  const digits = n >= 1 ? 8 : Math.min(20, 8 + Math.ceil(-Math.log10(n)));
  return n.toFixed(digits);
}
