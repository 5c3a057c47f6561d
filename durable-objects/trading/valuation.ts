/**
 * Putting the account on one scale: KRW and USDT amounts in KRW (USDT at the Korean venue's
 * USDT/KRW) and in USD (KRW at USD/KRW, USDT at par), positions at the venues' last prices (or at
 * their average price, flagged stale, when a venue has none), equity and gross exposure.
 */
import type { Currency } from "../../protocol/trading";
import { type Decimal, dec, ZERO } from "./decimal";
import type { Quotes } from "./quotes";
import type { AccountRecord, OrderRecord, PositionRecord } from "./records";

export interface Rates {
  usdKrw: Decimal | null;
  usdtKrw: Decimal | null;
}

/** An amount in KRW, or null without the rate it needs. */
export function toKrw(amount: Decimal, currency: Currency, rates: Rates): Decimal | null {
  if (currency === "KRW") return amount;
  return rates.usdtKrw ? amount.times(rates.usdtKrw) : null;
}

/** An amount in USD equivalent (USDT at par), or null without the rate it needs. */
export function toUsd(amount: Decimal, currency: Currency, rates: Rates): Decimal | null {
  if (currency === "USDT") return amount;
  const rate = rates.usdKrw ?? rates.usdtKrw;
  return rate && !rate.isZero() ? amount.div(rate) : null;
}

export interface ValuedPosition {
  record: PositionRecord;
  quantity: Decimal;
  /** The venue's last price, or null when it has none (then the average price values it). */
  price: Decimal | null;
  /** Signed market value in the quote currency. */
  value: Decimal;
  unrealized: Decimal;
}

export interface Valuation {
  positions: ValuedPosition[];
  equityKrw: Decimal | null;
  grossKrw: Decimal | null;
  /** A price is missing or old, or a rate is missing. */
  stale: boolean;
}

/** The account's positions at live prices, its equity and its gross exposure, in KRW. */
export function valuate(account: AccountRecord, records: PositionRecord[], quotes: Quotes, staleMs: number): Valuation {
  let stale = !quotes.usdKrw || !quotes.usdtKrw;
  let equity: Decimal | null = ZERO;
  let gross: Decimal | null = ZERO;
  const add = (value: Decimal | null, to: Decimal | null) => (value === null || to === null ? null : to.plus(value));
  for (const currency of ["KRW", "USDT"] as const)
    equity = add(toKrw(dec(account.cash[currency]), currency, quotes), equity);
  const positions = records
    .filter((r) => !dec(r.quantity).isZero())
    .map((record) => {
      const quantity = dec(record.quantity);
      const quote = quotes.quote(record.venue, record.base);
      if (!quote || quotes.at - quote.timestamp > staleMs) stale = true;
      const price = quote?.price ?? null;
      const mark = price ?? dec(record.avg_price);
      const value = quantity.times(mark);
      equity = add(toKrw(value, record.quote, quotes), equity);
      gross = add(toKrw(value.abs(), record.quote, quotes), gross);
      return { record, quantity, price, value, unrealized: mark.minus(dec(record.avg_price)).times(quantity) };
    });
  return { positions, equityKrw: equity, grossKrw: gross, stale };
}

/** What an open order could still add to exposure: its remaining quantity at its limit, stop or the last price. */
export function openOrderValue(order: OrderRecord, quotes: Quotes): Decimal {
  const remaining = dec(order.quantity).minus(dec(order.filled_quantity));
  const price = order.price ?? order.stop_price;
  const reference = price !== null ? dec(price) : (quotes.quote(order.venue, order.base)?.price ?? ZERO);
  return remaining.times(reference);
}
