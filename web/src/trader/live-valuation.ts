/**
 * The account at the prices the page streams, between the server's figures: each position's value
 * and unrealised PnL at its venue's last price, and equity in KRW (USDT at the Korean USDT/KRW
 * market, as the ledger values it). Pure, so it is cheap to run on every tick.
 */
import type { Currency, Position } from "../../../protocol/trading";

export interface PositionMark {
  /** The venue's last price, or null when the page has none (then the average price marks it). */
  price: number | null;
  value: number;
  unrealized: number;
  /** Unrealised PnL over the cost, in percent (a short gains when the price falls). */
  returnPercent: number;
}

/** A position at `price`. */
export function markPosition(position: Pick<Position, "quantity" | "avg_price">, price: number | null): PositionMark {
  const mark = price ?? position.avg_price;
  const unrealized = (mark - position.avg_price) * position.quantity;
  const cost = Math.abs(position.avg_price * position.quantity);
  return {
    price,
    value: mark * position.quantity,
    unrealized,
    returnPercent: cost > 0 ? (unrealized / cost) * 100 : 0,
  };
}

/** An amount in KRW, or null when a USDT amount has no USDT/KRW rate to convert at. */
export function toKrw(amount: number, currency: Currency, usdtKrw: number | null): number | null {
  if (currency === "KRW") return amount;
  return usdtKrw ? amount * usdtKrw : null;
}

export interface LiveTotals {
  equityKrw: number | null;
  unrealizedKrw: number | null;
}

/** Equity and total unrealised PnL in KRW: cash plus every position at its mark. */
export function liveTotals(
  cash: Partial<Record<Currency, number>>,
  positions: { position: Position; mark: PositionMark }[],
  usdtKrw: number | null,
): LiveTotals {
  let equity: number | null = 0;
  let unrealized: number | null = 0;
  const add = (to: number | null, value: number | null) => (to === null || value === null ? null : to + value);
  for (const currency of ["KRW", "USDT"] as const) equity = add(equity, toKrw(cash[currency] ?? 0, currency, usdtKrw));
  for (const { position, mark } of positions) {
    equity = add(equity, toKrw(mark.value, position.currency, usdtKrw));
    unrealized = add(unrealized, toKrw(mark.unrealized, position.currency, usdtKrw));
  }
  return { equityKrw: equity, unrealizedKrw: unrealized };
}
