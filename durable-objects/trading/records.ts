/**
 * What the paper-trading ledger stores, one interface per table. Amounts are exact decimal strings;
 * times are ms since the epoch. These rows are the ledger's truth; D1 holds a projection of orders
 * and fills, and the API shapes (protocol/trading.ts) are rendered from them.
 */
import type { MarketVenue } from "../../protocol/common";
import type { Currency, OrderSide, OrderStatus, OrderType, RiskLimits, TimeInForce } from "../../protocol/trading";

/** Where an order waits for the market: nowhere, to be registered with its coin's matcher, or registered there. */
export type MatcherState = "none" | "pending" | "resting";

export interface OrderRecord {
  id: string;
  user_id: string;
  client_order_id: string | null;
  /** The `Idempotency-Key` the order was placed with, and the hash of that request's body. */
  idempotency_key: string | null;
  request_hash: string | null;
  venue: MarketVenue;
  base: string;
  quote: Currency;
  side: OrderSide;
  order_type: OrderType;
  time_in_force: TimeInForce;
  quantity: string;
  price: string | null;
  stop_price: string | null;
  status: OrderStatus;
  reject_reason: string | null;
  filled_quantity: string;
  /** Sum of fill quantity x price, for the average fill price. */
  filled_value: string;
  fee: string;
  matcher: MatcherState;
  /** When a stop order's trigger price was reached (ms), or null. */
  triggered_at: number | null;
  /** How many fills the ledger itself executed for this order (their ids are `<order>:f<n>`). */
  own_fills: number;
  /** The premium trade this order is a leg of, if any. */
  trade_id: string | null;
  created_at: number;
  updated_at: number;
  /** Bumped on every change, so the D1 projection keeps the newest. */
  version: number;
}

export interface FillRecord {
  id: string;
  order_id: string;
  venue: MarketVenue;
  base: string;
  quote: Currency;
  side: OrderSide;
  quantity: string;
  price: string;
  fee: string;
  liquidity: "maker" | "taker";
  timestamp: number;
}

export interface PositionRecord {
  venue: MarketVenue;
  base: string;
  quote: Currency;
  /** Signed: negative is short. */
  quantity: string;
  avg_price: string;
  realized_pnl: string;
  created_at: number;
  updated_at: number;
}

export type PerCurrency = Record<Currency, string>;

export interface AccountRecord {
  user_id: string;
  created_at: number;
  cash: PerCurrency;
  fees_paid: PerCurrency;
  realized_pnl: PerCurrency;
  /** The current day (Asia/Seoul, `YYYY-MM-DD`) and its realised PnL net of fees, per currency. */
  day: string;
  day_realized: PerCurrency;
  limits: RiskLimits;
  /** Until when orders that add exposure are refused after a daily-loss breach (ms), or null. */
  cooldown_until: number | null;
}

export interface TradeRecord {
  id: string;
  base: string;
  quantity: string;
  buy_order_id: string;
  sell_order_id: string;
  /** The premium at entry, computed from the two legs' fills and the USD/KRW rate then. */
  entry_usd_krw: string | null;
  created_at: number;
}

/** A change the ledger publishes after it is stored: to D1 (the projection), the queue and the user's stream. */
export type OutboxEntry =
  | { kind: "order"; order: OrderRecord; event: "order.created" | "order.status_updated" | "order.filled" | null }
  | { kind: "fill"; fill: FillRecord };

/** What the ledger registers with a coin's matcher: a limit to fill, or a stop to watch. */
export interface RestingOrder {
  id: string;
  user_id: string;
  venue: MarketVenue;
  base: string;
  side: OrderSide;
  kind: "limit" | "stop";
  /** The limit price, or the stop price. */
  price: string;
  /** A stop-limit's limit: when the stop is reached, the matcher rests it as a limit at this price. */
  limit: string | null;
  /** What is left to fill (a stop: the whole quantity). */
  remaining: string;
  /** Since when it rests (ms): a limit fills only from prices after this, and from the volume traded since. */
  since: number;
}

/** What a matcher tells a ledger: a fill of a resting limit, or a stop whose price was reached. */
export type MatchMessage =
  | { kind: "fill"; id: string; order_id: string; quantity: string; price: string; timestamp: number }
  | { kind: "trigger"; id: string; order_id: string; price: string; timestamp: number };
