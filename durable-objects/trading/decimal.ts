/**
 * Exact decimal arithmetic for the ledger (decimal.js): cash, quantities, prices and fees are kept
 * as decimal strings and computed with `Decimal`, never as accumulating floats. Sums, differences and
 * products of decimals are exact; the only division (a weighted average price) keeps 18 places.
 * JSON responses carry plain numbers, converted once at the edge (`toNumber`).
 */
import DecimalJs from "decimal.js";

/** A Decimal constructor of our own (40 significant digits, half-even rounding for divisions). */
export const Decimal = DecimalJs.clone({
  precision: 40,
  rounding: DecimalJs.ROUND_HALF_EVEN,
  toExpNeg: -30,
  toExpPos: 40,
});
export type Decimal = InstanceType<typeof Decimal>;

export const ZERO = new Decimal(0);

// Note: decimal.js's `isPositive()` is true for zero (it reads the sign); compare with `greaterThan(0)`.

/** Places kept by an average price (the ledger's one division). */
export const AVERAGE_PLACES = 18;

/** A request amount (number or decimal string) as an exact decimal. */
export function dec(value: number | string | Decimal): Decimal {
  return new Decimal(value);
}

/** A decimal for storage: a plain string, never exponent notation. */
export function str(value: Decimal): string {
  return value.toFixed();
}

/** A decimal as a JSON number (the API's amounts). */
export function num(value: Decimal): number {
  return value.toNumber();
}
