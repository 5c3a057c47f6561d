/**
 * A trader's fills as the analytics read them: from D1's projection of the ledgers' fills, oldest
 * first, amounts as numbers with the currency they are in.
 */
import type { FillInput } from "./performance-math";

export interface HistoricFill extends FillInput {
  currency: "KRW" | "USDT";
}

/** At most this many fills are read (the newest are kept); beyond it the figures say so by being partial. */
export const FILL_HISTORY_LIMIT = 100_000;

export async function fillHistory(db: D1Database, userId: string): Promise<HistoricFill[]> {
  const { results } = await db
    .prepare(
      `SELECT venue, symbol, side, quantity, price, fee, fee_currency, timestamp FROM (
         SELECT * FROM fills WHERE user_id = ? ORDER BY timestamp DESC LIMIT ?
       ) ORDER BY timestamp ASC`,
    )
    .bind(userId, FILL_HISTORY_LIMIT)
    .all<{
      venue: string;
      symbol: string;
      side: "BUY" | "SELL";
      quantity: string;
      price: string;
      fee: string;
      fee_currency: "KRW" | "USDT";
      timestamp: number;
    }>();
  return results.map((r) => ({
    venue: r.venue,
    symbol: r.symbol,
    side: r.side,
    quantity: Number(r.quantity),
    price: Number(r.price),
    fee: Number(r.fee),
    currency: r.fee_currency,
    timestamp: r.timestamp,
  }));
}

/** An amount in KRW: USDT at the Korean USDT/KRW market (0 when that rate is missing, flagged stale by the caller). */
export function krw(amount: number, currency: string, usdtKrw: number | null): number {
  return currency === "KRW" ? amount : amount * (usdtKrw ?? 0);
}
