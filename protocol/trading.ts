/**
 * Paper trading as clients see it, in the seed's shapes (trading-service: `OrderCreate`, `Order`,
 * `OrderStatus`, `Position`, `PositionUpdate`), extended: venues, stop and stop-limit orders, time
 * in force, client order ids, fills, the account, risk limits and the kimchi-premium trade.
 *
 * Amounts in requests may be JSON numbers or decimal strings (`"0.0015"`); the ledger keeps them
 * exactly. Responses carry them as JSON numbers, as the seed does. `*_at` fields are ISO-8601;
 * `timestamp` fields are ms since the epoch.
 */
import { z } from "zod";
import { EpochMs, MarketVenue } from "./common";
import { COIN_SYMBOL, MARKET_VENUES } from "./venues";

export const OrderSide = z.enum(["BUY", "SELL"]).meta({ id: "OrderSide" });
export type OrderSide = z.infer<typeof OrderSide>;

export const OrderType = z.enum(["MARKET", "LIMIT", "STOP", "STOP_LIMIT"]).meta({ id: "OrderType" });
export type OrderType = z.infer<typeof OrderType>;

/** GTC rests until filled or cancelled; IOC fills what it can at once and cancels the rest; FOK fills whole at once or not at all. */
export const TimeInForce = z.enum(["GTC", "IOC", "FOK"]).meta({ id: "TimeInForce" });
export type TimeInForce = z.infer<typeof TimeInForce>;

export const OrderStatus = z
  .enum(["PENDING", "PARTIALLY_FILLED", "FILLED", "CANCELLED", "REJECTED"])
  .meta({ id: "OrderStatus" });
export type OrderStatus = z.infer<typeof OrderStatus>;

/** Statuses after which an order never changes again. */
export const FINAL_STATUSES: readonly OrderStatus[] = ["FILLED", "CANCELLED", "REJECTED"];

/** The quote currencies the paper account holds. */
export const Currency = z.enum(["KRW", "USDT"]).meta({ id: "Currency" });
export type Currency = z.infer<typeof Currency>;

/** A ccxt-style market symbol: `BTC/KRW`, `ETH/USDT` (either letter case in requests). */
export const MarketSymbol = z
  .string()
  .transform((s) => s.toUpperCase())
  .pipe(
    z
      .string()
      .regex(/^[A-Z0-9]{1,20}\/(KRW|USDT)$/, "a market such as BTC/KRW or BTC/USDT")
      .refine((s) => COIN_SYMBOL.test(s.split("/")[0] ?? ""), "a coin symbol such as BTC"),
  );

/**
 * A decimal in plain notation with no superfluous zeros (`1e-7` is `0.0000001`, `"0.50"` is `0.5`), so
 * the same amount reads the same however a client wrote it.
 */
export function canonicalDecimal(value: number | string): string {
  let text = typeof value === "number" ? String(value) : value.trim();
  const exp = /^(-?)(\d+)(?:\.(\d+))?e([+-]?\d+)$/i.exec(text);
  if (exp) {
    const [, sign, whole, fraction = "", power] = exp;
    const digits = whole + fraction;
    const point = whole.length + Number(power);
    text =
      point <= 0
        ? `${sign}0.${"0".repeat(-point)}${digits}`
        : point >= digits.length
          ? `${sign}${digits}${"0".repeat(point - digits.length)}`
          : `${sign}${digits.slice(0, point)}.${digits.slice(point)}`;
  }
  const [int, frac = ""] = text.replace(/^(-?)0+(?=\d)/, "$1").split(".");
  const fraction = frac.replace(/0+$/, "");
  return fraction ? `${int}.${fraction}` : (int as string);
}

/** A positive decimal amount: a JSON number or a decimal string such as "0.0015", read as an exact decimal string. */
export const Amount = z
  .union([
    z.number().positive("must be greater than 0").finite(),
    z
      .string()
      .regex(/^\d{1,20}(\.\d{1,18})?$/, "a decimal number such as 0.0015")
      .refine((s) => /[1-9]/.test(s), "must be greater than 0"),
  ])
  .transform(canonicalDecimal)
  .meta({ description: "a positive number, or a decimal string for exact amounts", example: "0.0015" });
export type AmountInput = z.input<typeof Amount>;

/** `client_order_id`: the caller's own id for an order, unique per user. */
export const ClientOrderId = z.string().regex(/^[A-Za-z0-9._:-]{1,64}$/, "1 to 64 letters, digits or . _ : -");

/** `POST /api/orders` (seed: `OrderCreate`, extended). */
export const OrderCreate = z
  .object({
    /** The seed's field: optional, and must be the caller unless the caller is an admin. */
    user_id: z.uuid().optional(),
    symbol: MarketSymbol,
    side: OrderSide,
    order_type: OrderType,
    quantity: Amount,
    /** The limit price: required for LIMIT and STOP_LIMIT, refused for MARKET and STOP. */
    price: Amount.nullish(),
    /** The trigger price: required for STOP and STOP_LIMIT. */
    stop_price: Amount.nullish(),
    /** Default: Upbit for KRW markets, Binance for USDT markets. */
    venue: MarketVenue.optional(),
    /** Default GTC; a MARKET or STOP order executes at once whatever it says. */
    time_in_force: TimeInForce.optional(),
    client_order_id: ClientOrderId.optional(),
  })
  .superRefine((o, ctx) => {
    const limit = o.order_type === "LIMIT" || o.order_type === "STOP_LIMIT";
    const stop = o.order_type === "STOP" || o.order_type === "STOP_LIMIT";
    if (limit && o.price == null)
      ctx.addIssue({ code: "custom", path: ["price"], message: `required for ${o.order_type}` });
    if (!limit && o.price != null) {
      ctx.addIssue({ code: "custom", path: ["price"], message: `not allowed for ${o.order_type}; use LIMIT` });
    }
    if (stop && o.stop_price == null) {
      ctx.addIssue({ code: "custom", path: ["stop_price"], message: `required for ${o.order_type}` });
    }
    if (!stop && o.stop_price != null) {
      ctx.addIssue({ code: "custom", path: ["stop_price"], message: `only for STOP and STOP_LIMIT` });
    }
    const quote = o.symbol.split("/")[1];
    if (o.venue && quote && !venueQuotes(o.venue, quote)) {
      ctx.addIssue({
        code: "custom",
        path: ["venue"],
        message: `${o.venue} does not quote ${o.symbol}; ${quote} markets are on ${venuesQuoting(quote).join(", ")}`,
      });
    }
  })
  .meta({ id: "OrderCreate" });
export type OrderCreate = z.infer<typeof OrderCreate>;

function venueQuotes(venue: string, quote: string): boolean {
  return venuesQuoting(quote).includes(venue);
}

function venuesQuoting(quote: string): string[] {
  return MARKET_VENUES.filter((v) =>
    quote === "KRW" ? v === "upbit" || v === "bithumb" : v === "binance" || v === "bybit",
  );
}

/** An order (seed: `Order`, extended). */
export const Order = z
  .object({
    id: z.string(),
    user_id: z.string(),
    client_order_id: z.string().nullable(),
    symbol: z.string().meta({ example: "BTC/KRW" }),
    venue: MarketVenue,
    side: OrderSide,
    order_type: OrderType,
    time_in_force: TimeInForce,
    quantity: z.number(),
    price: z.number().nullable(),
    stop_price: z.number().nullable(),
    status: OrderStatus,
    /** Why the order was refused or cancelled by the system (null otherwise). */
    reject_reason: z.string().nullable(),
    filled_quantity: z.number(),
    average_fill_price: z.number().nullable(),
    /** Fees paid so far, in `fee_currency` (the market's quote currency). */
    fee: z.number(),
    fee_currency: Currency,
    created_at: z.string(),
    updated_at: z.string().nullable(),
  })
  .meta({ id: "Order" });
export type Order = z.infer<typeof Order>;

/** One execution of (part of) an order. */
export const Fill = z
  .object({
    id: z.string(),
    order_id: z.string(),
    user_id: z.string(),
    symbol: z.string(),
    venue: MarketVenue,
    side: OrderSide,
    quantity: z.number(),
    price: z.number(),
    fee: z.number(),
    fee_currency: Currency,
    /** `maker` for a resting order filled by the market moving to it, `taker` for one that took the market's price. */
    liquidity: z.enum(["maker", "taker"]),
    timestamp: EpochMs,
    created_at: z.string(),
  })
  .meta({ id: "Fill" });
export type Fill = z.infer<typeof Fill>;

/** A position per venue and market (seed: `Position`, extended). `quantity` is signed: negative is short. */
export const Position = z
  .object({
    user_id: z.string(),
    symbol: z.string(),
    venue: MarketVenue,
    quantity: z.number(),
    avg_price: z.number(),
    currency: Currency,
    realized_pnl: z.number(),
    /** The venue's last price, null while it has none. */
    market_price: z.number().nullable(),
    market_value: z.number().nullable(),
    unrealized_pnl: z.number().nullable(),
    created_at: z.string(),
    updated_at: z.string(),
  })
  .meta({ id: "Position" });
export type Position = z.infer<typeof Position>;

/** `POST /api/positions/update` (seed: `PositionUpdate`): an admin's adjustment, risk-checked. */
export const PositionUpdate = z
  .object({
    user_id: z.uuid(),
    symbol: MarketSymbol,
    /** Positive buys, negative sells (seed). */
    quantity_change: z
      .union([
        z
          .number()
          .finite()
          .refine((n) => n !== 0, "must not be 0"),
        z
          .string()
          .regex(/^-?\d{1,20}(\.\d{1,18})?$/, "a decimal number such as -0.5")
          .refine((s) => /[1-9]/.test(s), "must not be 0"),
      ])
      .transform(canonicalDecimal),
    price: Amount,
    venue: MarketVenue.optional(),
  })
  .meta({ id: "PositionUpdate" });
export type PositionUpdate = z.infer<typeof PositionUpdate>;

/** Per-user risk limits (defaults as the seed's RiskManager), in USD equivalent where money. */
export const RiskLimits = z
  .object({
    /** Largest value of one position (and its open orders), USD equivalent. */
    max_position_value_usd: z.number().positive(),
    /** Gross position value (with open orders) over equity. */
    max_leverage: z.number().positive().max(100),
    /** Realised loss in one day (Asia/Seoul) after which new orders that add exposure are refused. */
    max_daily_loss_usd: z.number().positive(),
    max_open_orders: z.number().int().positive().max(10_000),
    /** How long, after the daily loss limit is reached, orders that add exposure are refused. */
    loss_cooldown_minutes: z
      .number()
      .int()
      .nonnegative()
      .max(7 * 24 * 60),
  })
  .meta({ id: "RiskLimits" });
export type RiskLimits = z.infer<typeof RiskLimits>;

export const RiskLimitsPatch = RiskLimits.partial().meta({ id: "RiskLimitsPatch" });
export type RiskLimitsPatch = z.infer<typeof RiskLimitsPatch>;

/** Each limit's use now. */
export const RiskUsage = z.object({
  largest_position_value_usd: z.number(),
  leverage: z.number().nullable(),
  daily_realized_pnl_usd: z.number(),
  open_orders: z.number().int(),
  /** Until when (ISO) orders that add exposure are refused after a daily-loss breach; null when not. */
  cooldown_until: z.string().nullable(),
});

/** `GET /api/account`. */
export const Account = z
  .object({
    user_id: z.string(),
    cash: z.record(Currency, z.number()),
    fees_paid: z.record(Currency, z.number()),
    realized_pnl: z.record(Currency, z.number()),
    /** The day (Asia/Seoul) and its realised PnL, per currency and in USD equivalent. */
    day: z.object({ date: z.string(), realized_pnl: z.record(Currency, z.number()), realized_pnl_usd: z.number() }),
    /** Cash plus positions at live prices, all converted to KRW (and that in USDT). */
    equity_krw: z.number().nullable(),
    equity_usdt: z.number().nullable(),
    /** Sum of |position value| at live prices, in KRW. */
    gross_position_value_krw: z.number().nullable(),
    /** Gross position value over the leverage limit: the equity the positions tie up, in KRW. */
    margin_used_krw: z.number().nullable(),
    /** What more can be bought or sold short under the leverage limit, in KRW (open orders counted). */
    buying_power_krw: z.number().nullable(),
    limits: RiskLimits,
    usage: RiskUsage,
    /** The rates conversions used: USD/KRW (forex) and USDT/KRW (the Korean venue's market). */
    rates: z.object({ usd_krw: z.number().nullable(), usdt_krw: z.number().nullable() }),
    /** True when a price or rate used is older than its freshness bound (figures may be off). */
    stale: z.boolean(),
    open_orders: z.number().int(),
    positions: z.number().int(),
    created_at: z.string(),
    timestamp: EpochMs,
  })
  .meta({ id: "Account" });
export type Account = z.infer<typeof Account>;

/** `GET /api/positions/{user_id}/pnl` (seed: `total_pnl`, `positions_count`; extended). All in KRW. */
export const PnlSummary = z
  .object({
    user_id: z.string(),
    total_pnl: z.number(),
    realized_pnl: z.number(),
    unrealized_pnl: z.number(),
    positions_count: z.number().int(),
    currency: z.literal("KRW"),
    by_currency: z.record(Currency, z.object({ realized_pnl: z.number(), unrealized_pnl: z.number() })),
    stale: z.boolean(),
    timestamp: EpochMs,
  })
  .meta({ id: "PnlSummary" });
export type PnlSummary = z.infer<typeof PnlSummary>;

/** `POST /api/trades/premium`: buy a coin on one venue and sell the same quantity on the other, as one request. */
export const PremiumTradeCreate = z
  .object({
    symbol: z
      .string()
      .transform((s) => s.toUpperCase())
      .pipe(z.string().regex(COIN_SYMBOL, "a coin symbol such as BTC")),
    quantity: Amount,
    buy_venue: MarketVenue,
    sell_venue: MarketVenue,
    client_order_id: ClientOrderId.optional(),
  })
  .superRefine((t, ctx) => {
    const krw = (v: string) => v === "upbit" || v === "bithumb";
    if (krw(t.buy_venue) === krw(t.sell_venue)) {
      ctx.addIssue({
        code: "custom",
        path: ["sell_venue"],
        message: "one leg on a KRW venue (upbit, bithumb) and the other on a USDT venue (binance, bybit)",
      });
    }
  })
  .meta({ id: "PremiumTradeCreate" });
export type PremiumTradeCreate = z.infer<typeof PremiumTradeCreate>;

/** A premium figure at a moment: the KRW leg's price over the USDT leg's at USD/KRW, minus one, in percent. */
export const PremiumPoint = z.object({
  premium_percent: z.number().nullable(),
  krw_price: z.number().nullable(),
  usdt_price: z.number().nullable(),
  usd_krw: z.number().nullable(),
});

export const PremiumTrade = z
  .object({
    id: z.string(),
    user_id: z.string(),
    symbol: z.string(),
    quantity: z.number(),
    buy_order: Order,
    sell_order: Order,
    entry: PremiumPoint,
    now: PremiumPoint,
    /** Both legs' PnL at live prices, the USDT leg at USD/KRW, fees included. */
    pnl_krw: z.number().nullable(),
    created_at: z.string(),
  })
  .meta({ id: "PremiumTrade" });
export type PremiumTrade = z.infer<typeof PremiumTrade>;

/** A page of a list, newest first; `next_cursor` fetches the next page (null at the end). */
export function pageOf<T extends z.ZodType>(item: T, name: string) {
  return z.object({ items: z.array(item), next_cursor: z.string().nullable() }).meta({ id: name });
}
