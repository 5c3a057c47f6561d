/**
 * The risk checks an order passes before it is accepted (the seed's RiskManager, extended): at most
 * `max_open_orders` open; no order that adds exposure during the cooldown after a daily-loss breach;
 * one market's position (with its open orders the same way) at most `max_position_value_usd`; gross
 * exposure (positions and every open order) at most `max_leverage` times equity. An order that only
 * reduces a position passes the exposure checks, so a trader can always cut risk. A refusal names
 * the limit, its value, the order's figure and by how much it would exceed the limit.
 */
import type { Currency, OrderSide } from "../../protocol/trading";
import type { MarketVenue } from "../../protocol/venues";
import { type Decimal, dec, str, ZERO } from "./decimal";
import { refuse } from "./ledger-problem";
import type { Quotes } from "./quotes";
import type { AccountRecord, OrderRecord, PositionRecord } from "./records";
import { openOrderValue, toKrw, toUsd, type Valuation } from "./valuation";

export interface OrderExposure {
  venue: MarketVenue;
  base: string;
  quote: Currency;
  side: OrderSide;
  quantity: Decimal;
  /** The price the order is valued at: its limit, its stop, or the last price for a market order. */
  price: Decimal;
}

/** Whether an order only reduces the position it trades against. */
export function reducesOnly(order: OrderExposure, position: PositionRecord | null): boolean {
  if (!position) return false;
  const held = dec(position.quantity);
  if (held.isZero()) return false;
  const sells = order.side === "SELL";
  return held.greaterThan(0) === sells && order.quantity.lessThanOrEqualTo(held.abs());
}

/** The daily realised PnL (net of fees) in USD equivalent. */
export function dayRealizedUsd(account: AccountRecord, rates: Quotes): Decimal {
  let total = ZERO;
  for (const currency of ["KRW", "USDT"] as const) {
    total = total.plus(toUsd(dec(account.day_realized[currency]), currency, rates) ?? ZERO);
  }
  return total;
}

/** Refuses an order that a risk limit does not allow. */
export function checkRisk(input: {
  account: AccountRecord;
  order: OrderExposure;
  position: PositionRecord | null;
  openOrders: OrderRecord[];
  valuation: Valuation;
  quotes: Quotes;
  now: number;
}): void {
  const { account, order, position, openOrders, valuation, quotes, now } = input;
  const limits = account.limits;
  if (openOrders.length + 1 > limits.max_open_orders) {
    refuse(limitProblem("max_open_orders", limits.max_open_orders, openOrders.length + 1, "(order)"));
  }
  if (reducesOnly(order, position)) return;

  if (account.cooldown_until !== null && now < account.cooldown_until) {
    const until = new Date(account.cooldown_until).toISOString();
    refuse({
      status: 400,
      slug: "risk-limit",
      detail: `The daily loss limit (${limits.max_daily_loss_usd} USD) was reached; orders that add exposure are refused until ${until}`,
      path: "(order)",
      message: `cooldown until ${until}; orders that only reduce a position are allowed`,
      extra: { limit: "max_daily_loss_usd", limit_value: limits.max_daily_loss_usd, cooldown_until: until },
    });
  }
  const dayUsd = dayRealizedUsd(account, quotes);
  if (dayUsd.negated().greaterThanOrEqualTo(limits.max_daily_loss_usd)) {
    refuse(limitProblem("max_daily_loss_usd", limits.max_daily_loss_usd, dayUsd.negated().toNumber(), "(order)"));
  }

  // One market: the position, this order and the open orders that push the same way.
  const delta = order.side === "BUY" ? order.quantity : order.quantity.negated();
  let projected = dec(position?.quantity ?? 0).plus(delta);
  for (const o of openOrders) {
    if (o.venue !== order.venue || o.base !== order.base || o.side !== order.side) continue;
    const remaining = dec(o.quantity).minus(dec(o.filled_quantity));
    projected = projected.plus(o.side === "BUY" ? remaining : remaining.negated());
  }
  const positionUsd = toUsd(projected.abs().times(order.price), order.quote, quotes);
  if (positionUsd === null) refuse(noRates());
  if (positionUsd.greaterThan(limits.max_position_value_usd)) {
    refuse(limitProblem("max_position_value_usd", limits.max_position_value_usd, round2(positionUsd), "quantity"));
  }

  // Everything: gross positions, every open order, this order, over equity.
  const equity = valuation.equityKrw;
  const gross = valuation.grossKrw;
  const orderKrw = toKrw(order.quantity.times(order.price), order.quote, quotes);
  if (equity === null || gross === null || orderKrw === null) refuse(noRates());
  let exposure = gross.plus(orderKrw);
  for (const o of openOrders) exposure = exposure.plus(toKrw(openOrderValue(o, quotes), o.quote, quotes) ?? ZERO);
  if (!equity.greaterThan(0)) {
    refuse({
      status: 400,
      slug: "risk-limit",
      detail: `The account's equity is ${str(equity.toDecimalPlaces(0))} KRW; only orders that reduce a position are allowed`,
      path: "(order)",
      message: "equity is not positive",
      extra: { limit: "max_leverage", limit_value: limits.max_leverage, equity_krw: equity.toNumber() },
    });
  }
  const leverage = exposure.div(equity);
  if (leverage.greaterThan(limits.max_leverage)) {
    refuse(limitProblem("max_leverage", limits.max_leverage, round2(leverage), "quantity"));
  }
}

function round2(d: Decimal): number {
  return d.toDecimalPlaces(2).toNumber();
}

function limitProblem(limit: string, value: number, wouldBe: number, path: string) {
  const excess = Math.round((wouldBe - value) * 100) / 100;
  return {
    status: 400 as const,
    slug: "risk-limit",
    detail: `The order would exceed ${limit} (${value}): it would make ${wouldBe}, ${excess} over`,
    path,
    message: `${limit} is ${value}; this order would make ${wouldBe} (${excess} over)`,
    extra: { limit, limit_value: value, would_be: wouldBe, excess },
  };
}

function noRates() {
  return {
    status: 409 as const,
    slug: "stale-price",
    detail: "No USD/KRW or USDT/KRW rate is known yet, so the order cannot be valued against the limits",
    path: "venue",
    message: "rates unavailable; try again shortly",
  };
}
