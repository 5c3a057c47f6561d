/**
 * The ledger's records as clients see them (protocol/trading.ts): decimals as JSON numbers, times as
 * ISO-8601, positions and the account valued at live prices.
 */
import type { Account, Fill, Order, PnlSummary, Position } from "../../protocol/trading";
import { AVERAGE_PLACES, Decimal, dec, num, ZERO } from "./decimal";
import type { Quotes } from "./quotes";
import type { AccountRecord, FillRecord, OrderRecord } from "./records";
import { dayRealizedUsd } from "./risk";
import { openOrderValue, toKrw, toUsd, type Valuation, type ValuedPosition } from "./valuation";

const iso = (ms: number) => new Date(ms).toISOString();

export function orderView(o: OrderRecord): Order {
  const filled = dec(o.filled_quantity);
  return {
    id: o.id,
    user_id: o.user_id,
    client_order_id: o.client_order_id,
    symbol: `${o.base}/${o.quote}`,
    venue: o.venue,
    side: o.side,
    order_type: o.order_type,
    time_in_force: o.time_in_force,
    quantity: num(dec(o.quantity)),
    price: o.price === null ? null : num(dec(o.price)),
    stop_price: o.stop_price === null ? null : num(dec(o.stop_price)),
    status: o.status,
    reject_reason: o.reject_reason,
    filled_quantity: num(filled),
    average_fill_price: filled.isZero() ? null : num(dec(o.filled_value).div(filled).toDecimalPlaces(AVERAGE_PLACES)),
    fee: num(dec(o.fee)),
    fee_currency: o.quote,
    created_at: iso(o.created_at),
    updated_at: o.version > 1 ? iso(o.updated_at) : null,
  };
}

export function fillView(f: FillRecord, userId: string): Fill {
  return {
    id: f.id,
    order_id: f.order_id,
    user_id: userId,
    symbol: `${f.base}/${f.quote}`,
    venue: f.venue,
    side: f.side,
    quantity: num(dec(f.quantity)),
    price: num(dec(f.price)),
    fee: num(dec(f.fee)),
    fee_currency: f.quote,
    liquidity: f.liquidity,
    timestamp: f.timestamp,
    created_at: iso(f.timestamp),
  };
}

export function positionView(p: ValuedPosition, userId: string): Position {
  return {
    user_id: userId,
    symbol: `${p.record.base}/${p.record.quote}`,
    venue: p.record.venue,
    quantity: num(p.quantity),
    avg_price: num(dec(p.record.avg_price)),
    currency: p.record.quote,
    realized_pnl: num(dec(p.record.realized_pnl)),
    market_price: p.price === null ? null : num(p.price),
    market_value: p.price === null ? null : num(p.value),
    unrealized_pnl: p.price === null ? null : num(p.unrealized),
    created_at: iso(p.record.created_at),
    updated_at: iso(p.record.updated_at),
  };
}

/** The account with its figures at live prices. */
export function accountView(
  account: AccountRecord,
  valuation: Valuation,
  openOrders: OrderRecord[],
  quotes: Quotes,
  now: number,
): Account {
  const perCurrency = (values: Record<"KRW" | "USDT", string>) => ({
    KRW: num(dec(values.KRW)),
    USDT: num(dec(values.USDT)),
  });
  const equity = valuation.equityKrw;
  const gross = valuation.grossKrw;
  let openValue = ZERO;
  for (const o of openOrders) openValue = openValue.plus(toKrw(openOrderValue(o, quotes), o.quote, quotes) ?? ZERO);
  const limits = account.limits;
  const largestUsd = valuation.positions.reduce((max, p) => {
    const usd = toUsd(p.value.abs(), p.record.quote, quotes);
    return usd?.greaterThan(max) ? usd : max;
  }, ZERO);
  const cooling = account.cooldown_until !== null && now < account.cooldown_until;
  return {
    user_id: account.user_id,
    cash: perCurrency(account.cash),
    fees_paid: perCurrency(account.fees_paid),
    realized_pnl: perCurrency(account.realized_pnl),
    day: {
      date: account.day,
      realized_pnl: perCurrency(account.day_realized),
      realized_pnl_usd: num(dayRealizedUsd(account, quotes).toDecimalPlaces(2)),
    },
    equity_krw: equity === null ? null : num(equity.toDecimalPlaces(2)),
    equity_usdt: equity === null || !quotes.usdtKrw ? null : num(equity.div(quotes.usdtKrw).toDecimalPlaces(2)),
    gross_position_value_krw: gross === null ? null : num(gross.toDecimalPlaces(2)),
    margin_used_krw: gross === null ? null : num(gross.div(limits.max_leverage).toDecimalPlaces(2)),
    buying_power_krw:
      equity === null || gross === null
        ? null
        : num(Decimal.max(equity.times(limits.max_leverage).minus(gross).minus(openValue), ZERO).toDecimalPlaces(2)),
    limits,
    usage: {
      largest_position_value_usd: num(largestUsd.toDecimalPlaces(2)),
      leverage:
        equity === null || gross === null || !equity.greaterThan(0)
          ? null
          : num(gross.plus(openValue).div(equity).toDecimalPlaces(4)),
      daily_realized_pnl_usd: num(dayRealizedUsd(account, quotes).toDecimalPlaces(2)),
      open_orders: openOrders.length,
      cooldown_until: cooling ? iso(account.cooldown_until as number) : null,
    },
    rates: {
      usd_krw: quotes.usdKrw === null ? null : num(quotes.usdKrw),
      usdt_krw: quotes.usdtKrw === null ? null : num(quotes.usdtKrw),
    },
    stale: valuation.stale,
    open_orders: openOrders.length,
    positions: valuation.positions.length,
    created_at: iso(account.created_at),
    timestamp: now,
  };
}

/** The seed's PnL summary, in KRW (USDT positions at USDT/KRW). */
export function pnlView(account: AccountRecord, valuation: Valuation, quotes: Quotes, now: number): PnlSummary {
  const unrealized = { KRW: ZERO, USDT: ZERO };
  for (const p of valuation.positions) unrealized[p.record.quote] = unrealized[p.record.quote].plus(p.unrealized);
  const realizedKrw = (toKrw(dec(account.realized_pnl.KRW), "KRW", quotes) ?? ZERO).plus(
    toKrw(dec(account.realized_pnl.USDT), "USDT", quotes) ?? ZERO,
  );
  const unrealizedKrw = unrealized.KRW.plus(toKrw(unrealized.USDT, "USDT", quotes) ?? ZERO);
  return {
    user_id: account.user_id,
    total_pnl: num(realizedKrw.plus(unrealizedKrw).toDecimalPlaces(2)),
    realized_pnl: num(realizedKrw.toDecimalPlaces(2)),
    unrealized_pnl: num(unrealizedKrw.toDecimalPlaces(2)),
    positions_count: valuation.positions.length,
    currency: "KRW",
    by_currency: {
      KRW: { realized_pnl: num(dec(account.realized_pnl.KRW)), unrealized_pnl: num(unrealized.KRW) },
      USDT: { realized_pnl: num(dec(account.realized_pnl.USDT)), unrealized_pnl: num(unrealized.USDT) },
    },
    stale: valuation.stale,
    timestamp: now,
  };
}
