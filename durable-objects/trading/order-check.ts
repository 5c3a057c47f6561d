/**
 * An order against its venue's rules, before any risk check: a market the venue quotes, a quantity
 * within its precision, prices on its price unit, a stop that would not trigger at once, a value at
 * least its minimum, and (for a market order) a price no older than its freshness bound. A refusal
 * names the field; what passes comes back as exact decimals with the price the order is valued at.
 */
import type { Currency, OrderCreate } from "../../protocol/trading";
import type { MarketVenue } from "../../protocol/venues";
import { type Decimal, dec, str, ZERO } from "./decimal";
import { checkMinimumValue, checkPriceUnit, checkQuantityPrecision, freshQuote, stopTriggers } from "./execution";
import { refuse } from "./ledger-problem";
import type { Quotes, VenueQuote } from "./quotes";
import type { TradingConfig } from "./trading-config";

/** The venue an order goes to when it names none: Upbit for KRW markets, Binance for USDT markets. */
export function defaultVenue(quote: string): MarketVenue {
  return quote === "KRW" ? "upbit" : "binance";
}

export interface CheckedOrder {
  venue: MarketVenue;
  base: string;
  quote: Currency;
  quantity: Decimal;
  price: Decimal | null;
  stop: Decimal | null;
  /** What the order is valued at for the minimum and the risk checks: its limit, its stop, or the last price. */
  reference: Decimal;
  /** The venue's last price if it is fresh, else null (a limit then rests; a market order was refused). */
  fresh: VenueQuote | null;
}

export function checkOrder(request: OrderCreate, quotes: Quotes, now: number, config: TradingConfig): CheckedOrder {
  const [base, quote] = request.symbol.split("/") as [string, Currency];
  const venue = request.venue ?? defaultVenue(quote);
  const quantity = dec(request.quantity);
  const price = request.price != null ? dec(request.price) : null;
  const stop = request.stop_price != null ? dec(request.stop_price) : null;
  checkQuantityPrecision(venue, quantity);

  const last = quotes.quote(venue, base);
  if (!last) freshQuote(null, venue, base, now, config); // refuses: no such market
  const fresh = last !== null && now - last.timestamp <= config.priceStaleMs ? last : null;
  let reference: Decimal;
  if (request.order_type === "MARKET") {
    reference = freshQuote(last, venue, base, now, config).price;
  } else {
    if (price) checkPriceUnit(venue, base, price, "price");
    if (stop) {
      checkPriceUnit(venue, base, stop, "stop_price");
      if (fresh && stopTriggers(request.side, stop, fresh.price)) {
        refuse({
          status: 400,
          slug: "stop-would-trigger",
          detail: `A ${request.side} stop at ${str(stop)} would trigger at once: ${venue}'s last price is ${str(fresh.price)}`,
          path: "stop_price",
          message: request.side === "BUY" ? "must be above the last price" : "must be below the last price",
        });
      }
    }
    reference = price ?? stop ?? ZERO;
  }
  checkMinimumValue(venue, quantity, reference, quote);
  return { venue, base, quote, quantity, price, stop, reference, fresh };
}
