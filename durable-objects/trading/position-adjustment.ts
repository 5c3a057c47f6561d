/**
 * The seed's `POST /positions/update`: an admin moves a user's position by `quantity_change` at
 * `price`, booked as a trade without a fee or an order, after the same risk checks an order passes.
 */
import type { Currency, PositionUpdate } from "../../protocol/trading";
import { VENUE_CURRENCY } from "../../protocol/venues";
import type { AccountBook } from "./account-book";
import { dec, ZERO } from "./decimal";
import { checkQuantityPrecision } from "./execution";
import { refuse } from "./ledger-problem";
import { defaultVenue } from "./order-check";
import type { Quotes } from "./quotes";
import type { PositionRecord } from "./records";

export function adjustPosition(
  accounts: AccountBook,
  update: PositionUpdate,
  quotes: Quotes,
  now: number,
): PositionRecord {
  const [base, quote] = update.symbol.split("/") as [string, Currency];
  const venue = update.venue ?? defaultVenue(quote);
  if (VENUE_CURRENCY[venue] !== quote) {
    refuse({
      status: 400,
      slug: "validation",
      detail: `${venue} does not quote ${update.symbol}`,
      path: "venue",
      message: `not a ${quote} venue`,
    });
  }
  const delta = dec(update.quantity_change);
  const price = dec(update.price);
  checkQuantityPrecision(venue, delta.abs());
  const side = delta.greaterThan(0) ? ("BUY" as const) : ("SELL" as const);
  accounts.checkExposure({ venue, base, quote, side, quantity: delta.abs(), price }, quotes, now);
  return accounts.book({ venue, base, quote, delta, price, fee: ZERO, at: now }, quotes);
}
