/**
 * Number parsing, done once at the adapter. Venues send prices as JSON numbers (Upbit, Bithumb v1,
 * BitMEX) or strings (Binance, Bybit, OKX, Bithumb legacy), sometimes in exponent notation (`1.4E-7`).
 */

/** A finite number from a JSON number or a numeric string; undefined for anything else (`""`, null, "abc"). */
export function toNumber(value: unknown): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value !== "string" || value.trim() === "") return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

/** A strictly positive finite number, else undefined (a price of 0 means "no trade" on some venues). */
export function toPositive(value: unknown): number | undefined {
  const n = toNumber(value);
  return n !== undefined && n > 0 ? n : undefined;
}

/** A finite number that is not negative, else undefined. */
export function toNonNegative(value: unknown): number | undefined {
  const n = toNumber(value);
  return n !== undefined && n >= 0 ? n : undefined;
}

/** An integer ms timestamp from a number or numeric string (seconds are not guessed: say so with `unit`). */
export function toEpochMs(value: unknown, unit: "ms" | "s" = "ms"): number | undefined {
  const n = toNumber(value);
  if (n === undefined || n <= 0) return undefined;
  return Math.round(unit === "s" ? n * 1000 : n);
}

/** `JSON.parse` that returns undefined instead of throwing. */
export function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A non-empty string, else undefined. */
export function toText(value: unknown): string | undefined {
  return typeof value === "string" && value.length > 0 ? value : undefined;
}

/** A 24 h change given as a ratio (0.0127) turned into a percent (1.27), rounded to remove float noise. */
export function ratioToPercent(ratio: number): number {
  return Math.round(ratio * 100 * 1e8) / 1e8;
}
