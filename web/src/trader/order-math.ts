/**
 * The order ticket's arithmetic, pure so it can be tested without a page: Korean amounts ("1억 2천만",
 * "50만원"), prices snapped to the venue's price unit, quantities from a KRW amount, and the estimate
 * shown before sending (value, fee, total, and the position the order would leave).
 *
 * These are estimates in binary floating point for display; the ledger computes the real figures
 * in exact decimals and may differ (a market order's slippage depends on the price when it arrives).
 */
import { MIN_ORDER_VALUE, priceUnit, QUANTITY_DECIMALS, VENUE_FEES } from "../../../protocol/market-rules";
import type { MarketVenue } from "../../../protocol/venues";

export type Side = "BUY" | "SELL";
export type OrderKind = "MARKET" | "LIMIT" | "STOP" | "STOP_LIMIT";

const UNITS: Record<string, number> = { 조: 1e12, 억: 1e8, 만: 1e4, 천: 1e3, 백: 1e2, 십: 10 };

/**
 * Reads an amount as a Korean trader types it: plain digits with commas ("1,500,000"), or with 만,
 * 억 and 조 ("1억 2,500만", "3.5억", "50만원", "2천만"). Returns null for anything else.
 */
export function parseKoreanAmount(text: string): number | null {
  const cleaned = text.replace(/[,\s]/g, "").replace(/(원|krw)$/i, "");
  if (cleaned === "") return null;
  if (/^\d+(\.\d+)?$/.test(cleaned)) return Number(cleaned);
  // Groups from the largest unit down: each is a number, optionally with 천/백/십, then 조/억/만 or nothing.
  const group = /(\d+(?:\.\d+)?)?(천|백|십)?(조|억|만)?/y;
  let total = 0;
  let lastBig = Number.POSITIVE_INFINITY;
  let index = 0;
  while (index < cleaned.length) {
    group.lastIndex = index;
    const match = group.exec(cleaned);
    if (!match || match[0] === "") return null;
    const [, digits, small, big] = match;
    if (!digits && !small) return null;
    let value = digits ? Number(digits) : 1;
    if (small) value *= UNITS[small] as number;
    const bigValue = big ? (UNITS[big] as number) : 1;
    if (bigValue >= lastBig) return null; // units must go down: "5만 3억" is not an amount
    lastBig = bigValue;
    total += value * bigValue;
    index = group.lastIndex;
  }
  return total;
}

/** How many decimal places a decimal string has ("0.5" has 1, "1000" has 0). */
function decimals(unit: string): number {
  return unit.includes(".") ? (unit.split(".")[1] as string).length : 0;
}

/** The venue's price unit at `price` (a positive price), as a number and as its decimal places. */
export function unitOf(venue: MarketVenue, base: string, price: number): { unit: number; places: number } {
  const unit = priceUnit(venue, base, price);
  return { unit: Number(unit), places: decimals(unit) };
}

/**
 * `price` moved to a multiple of the venue's price unit: the nearest one, or towards the side's
 * advantage when asked (a buy down, a sell up). Null for a price that is not positive.
 */
export function snapPrice(venue: MarketVenue, base: string, price: number, toward?: Side): number | null {
  if (!Number.isFinite(price) || price <= 0) return null;
  const { unit, places } = unitOf(venue, base, price);
  const steps = price / unit;
  const rounded =
    toward === "BUY" ? Math.floor(steps + 1e-9) : toward === "SELL" ? Math.ceil(steps - 1e-9) : Math.round(steps);
  const snapped = Math.max(1, rounded) * unit;
  return Number(snapped.toFixed(places));
}

/** The quantity a KRW (or USDT) amount buys at `price`, cut to the venue's quantity precision. */
export function quantityForAmount(venue: MarketVenue, amount: number, price: number): number {
  if (!(amount > 0) || !(price > 0)) return 0;
  const places = QUANTITY_DECIMALS[venue];
  const factor = 10 ** places;
  return Math.floor((amount / price) * factor + 1e-9) / factor;
}

/** A quantity as the API takes it: a plain decimal string at the venue's precision, no trailing zeros. */
export function quantityText(venue: MarketVenue, quantity: number): string {
  return quantity.toFixed(QUANTITY_DECIMALS[venue]).replace(/\.?0+$/, "");
}

export interface EstimateInput {
  venue: MarketVenue;
  base: string;
  side: Side;
  kind: OrderKind;
  quantity: number;
  /** The limit price (LIMIT, STOP_LIMIT). */
  limitPrice: number | null;
  /** The trigger price (STOP, STOP_LIMIT). */
  stopPrice: number | null;
  /** The venue's last price. */
  lastPrice: number | null;
  /** The position held on this venue now (signed: negative is short) and its average price. */
  held: { quantity: number; avgPrice: number } | null;
}

export interface Estimate {
  /** The price the estimate assumes. */
  price: number;
  value: number;
  fee: number;
  feeRate: number;
  /** Maker when a limit order rests, taker when it takes the market. */
  liquidity: "maker" | "taker";
  /** What leaves (a buy) or enters (a sell) the cash balance, fee included. */
  total: number;
  /** The position after the order fills in full. */
  after: { quantity: number; avgPrice: number | null };
  /** Under the venue's minimum order value. */
  belowMinimum: boolean;
  minimum: number;
}

/** The estimate for an order before it is sent, or null while quantity or price is missing. */
export function estimateOrder(input: EstimateInput): Estimate | null {
  const { venue, side, kind, quantity } = input;
  if (!(quantity > 0)) return null;
  const price =
    kind === "LIMIT" || kind === "STOP_LIMIT" ? input.limitPrice : kind === "STOP" ? input.stopPrice : input.lastPrice;
  if (price === null || !(price > 0)) return null;
  const crosses = input.lastPrice !== null && (side === "BUY" ? price >= input.lastPrice : price <= input.lastPrice);
  const liquidity = kind === "LIMIT" && !crosses ? "maker" : "taker";
  const feeRate = Number(VENUE_FEES[venue][liquidity]);
  const value = quantity * price;
  const fee = value * feeRate;
  const total = side === "BUY" ? value + fee : value - fee;
  const minimum = Number(MIN_ORDER_VALUE[venue]);
  return {
    price,
    value,
    fee,
    feeRate,
    liquidity,
    total,
    after: positionAfter(input.held, side === "BUY" ? quantity : -quantity, price),
    belowMinimum: value < minimum,
    minimum,
  };
}

/**
 * A position after a signed trade: adding to it moves the average price; reducing keeps it; crossing
 * through zero opens the rest at the trade's price.
 */
export function positionAfter(
  held: { quantity: number; avgPrice: number } | null,
  change: number,
  price: number,
): { quantity: number; avgPrice: number | null } {
  const q0 = held?.quantity ?? 0;
  const q1 = roundQuantity(q0 + change);
  if (q1 === 0) return { quantity: 0, avgPrice: null };
  if (q0 === 0 || Math.sign(q0) !== Math.sign(q1)) return { quantity: q1, avgPrice: price };
  if (Math.sign(change) === Math.sign(q0)) {
    return { quantity: q1, avgPrice: (q0 * (held?.avgPrice ?? price) + change * price) / q1 };
  }
  return { quantity: q1, avgPrice: held?.avgPrice ?? price };
}

function roundQuantity(q: number): number {
  return Math.round(q * 1e8) / 1e8;
}
