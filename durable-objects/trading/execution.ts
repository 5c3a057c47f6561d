/**
 * The simulation's execution rules, pure: the venues' order rules (price units, minimum order value,
 * quantity precision), what a market order pays (the last price plus slippage), how much fills at
 * once (immediate liquidity), how much a resting order may fill from the volume traded since it began
 * to rest (participation), and fees. See README "Paper trading: what the simulation ignores".
 */
import { MIN_ORDER_VALUE, priceUnit, QUANTITY_DECIMALS, VENUE_FEES } from "../../protocol/market-rules";
import type { OrderSide } from "../../protocol/trading";
import type { MarketVenue } from "../../protocol/venues";
import { Decimal, dec, str, ZERO } from "./decimal";
import { refuse } from "./ledger-problem";
import type { VenueQuote } from "./quotes";
import type { TradingConfig } from "./trading-config";

const DAY_MS = 86_400_000;
/** The minute of the venue's average traded volume that an order can take at once. */
const IMMEDIATE_WINDOW_MS = 60_000;

/** The price unit at a price, as a decimal. */
export function unitAt(venue: MarketVenue, base: string, price: Decimal): Decimal {
  return dec(priceUnit(venue, base, price.toNumber()));
}

/** Refuses a price that is not a multiple of its venue's price unit, naming the nearest allowed prices. */
export function checkPriceUnit(venue: MarketVenue, base: string, price: Decimal, path: "price" | "stop_price"): void {
  const unit = unitAt(venue, base, price);
  if (price.mod(unit).isZero()) return;
  const below = price.div(unit).floor().times(unit);
  const above = below.plus(unit);
  refuse({
    status: 400,
    slug: "price-unit",
    detail: `${venue} takes ${base} prices in steps of ${str(unit)} at this level; ${str(price)} is between ${str(below)} and ${str(above)}`,
    path,
    message: `must be a multiple of ${str(unit)}, e.g. ${str(below)} or ${str(above)}`,
    extra: { price_unit: unit.toNumber(), allowed: [below.toNumber(), above.toNumber()] },
  });
}

/** Refuses a quantity with more decimal places than the venue takes. */
export function checkQuantityPrecision(venue: MarketVenue, quantity: Decimal): void {
  const places = QUANTITY_DECIMALS[venue];
  if (quantity.decimalPlaces() <= places) return;
  refuse({
    status: 400,
    slug: "quantity-precision",
    detail: `${venue} takes quantities with at most ${places} decimal places`,
    path: "quantity",
    message: `at most ${places} decimal places, e.g. ${str(quantity.toDecimalPlaces(places, Decimal.ROUND_DOWN))}`,
    extra: { max_decimal_places: places },
  });
}

/** Refuses an order whose value (quantity x reference price) is under the venue's minimum. */
export function checkMinimumValue(
  venue: MarketVenue,
  quantity: Decimal,
  referencePrice: Decimal,
  currency: string,
): void {
  const minimum = dec(MIN_ORDER_VALUE[venue]);
  const value = quantity.times(referencePrice);
  if (value.greaterThanOrEqualTo(minimum)) return;
  const needed = minimum.div(referencePrice).toDecimalPlaces(QUANTITY_DECIMALS[venue], Decimal.ROUND_UP);
  refuse({
    status: 400,
    slug: "order-too-small",
    detail: `${venue}'s minimum order value is ${str(minimum)} ${currency}; this order is worth ${str(value.toDecimalPlaces(8))} ${currency}`,
    path: "quantity",
    message: `at least ${str(needed)} at this price (${str(minimum)} ${currency})`,
    extra: { minimum_value: minimum.toNumber(), minimum_quantity: needed.toNumber() },
  });
}

/** Refuses to trade at a price older than its freshness bound, or with none at all. */
export function freshQuote(
  quote: VenueQuote | null,
  venue: MarketVenue,
  base: string,
  now: number,
  config: TradingConfig,
): VenueQuote {
  if (!quote) {
    refuse({
      status: 400,
      slug: "unknown-market",
      detail: `${venue} has no price for ${base}`,
      path: "symbol",
      message: `no ${venue} market for ${base}`,
    });
  }
  if (now - quote.timestamp > config.priceStaleMs) {
    refuse({
      status: 409,
      slug: "stale-price",
      detail: `${venue}'s last ${base} price is ${Math.round((now - quote.timestamp) / 1000)} s old (the bound is ${config.priceStaleMs / 1000} s); nothing was filled`,
      path: "venue",
      message: "the venue's price is stale; try again when it quotes",
      extra: { price_timestamp: quote.timestamp },
    });
  }
  return quote;
}

/**
 * What a market order of `quantity` pays per unit: the last price moved against the order by
 * `base + impact x sqrt(order value / 24 h traded value)` basis points (at most `max`), then to the
 * venue's price unit, rounding against the order. A larger order against a thinner market pays more.
 */
export function marketFillPrice(
  venue: MarketVenue,
  base: string,
  side: OrderSide,
  quantity: Decimal,
  quote: VenueQuote,
  config: TradingConfig,
): Decimal {
  const value = quantity.times(quote.price);
  const share = quote.quoteVolume.greaterThan(0) ? Decimal.min(value.div(quote.quoteVolume), 1) : dec(1);
  const bps = Decimal.min(
    dec(config.slippageBaseBps).plus(dec(config.slippageImpactBps).times(share.sqrt())),
    config.slippageMaxBps,
  );
  const factor = dec(1).plus(side === "BUY" ? bps.div(10_000) : bps.div(10_000).neg());
  const raw = quote.price.times(factor);
  const unit = unitAt(venue, base, raw);
  const steps = raw.div(unit);
  return (side === "BUY" ? steps.ceil() : steps.floor()).times(unit);
}

/** How much of an order can fill at once: `participation` of one minute of the venue's average 24 h pace. */
export function immediateQuantity(quote: VenueQuote, config: TradingConfig): Decimal {
  return quote.volume.times(config.participation).times(IMMEDIATE_WINDOW_MS).div(DAY_MS);
}

/**
 * How much a resting order may have filled by `at`, having rested since `since`: `participation` of
 * the volume the venue traded meanwhile, estimated from its 24 h volume at the average pace.
 */
export function participationAllowance(volume24h: Decimal, since: number, at: number, participation: number): Decimal {
  if (at <= since) return ZERO;
  return volume24h
    .times(participation)
    .times(at - since)
    .div(DAY_MS);
}

/** The fee of a fill, in the quote currency: the venue's maker or taker rate. */
export function feeOf(venue: MarketVenue, liquidity: "maker" | "taker", quantity: Decimal, price: Decimal): Decimal {
  return quantity.times(price).times(dec(VENUE_FEES[venue][liquidity]));
}

/** Whether a limit order would trade at once against the last price. */
export function isMarketable(side: OrderSide, limit: Decimal, last: Decimal): boolean {
  return side === "BUY" ? limit.greaterThanOrEqualTo(last) : limit.lessThanOrEqualTo(last);
}

/** Whether a stop order triggers at a price (a buy stop at or above its stop, a sell stop at or below). */
export function stopTriggers(side: OrderSide, stop: Decimal, price: Decimal): boolean {
  return side === "BUY" ? price.greaterThanOrEqualTo(stop) : price.lessThanOrEqualTo(stop);
}
