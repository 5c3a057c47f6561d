/**
 * How a fill changes a position, exactly: the quantity is signed (negative is short); adding to a
 * position moves its average price to the weighted average; reducing it realises
 * (fill price - average) x closed quantity x direction; going through zero opens the rest at the fill
 * price. Fees are not part of the position's PnL (the account books them apart).
 */
import { AVERAGE_PLACES, Decimal, ZERO } from "./decimal";

export interface PositionState {
  quantity: Decimal;
  avgPrice: Decimal;
  realized: Decimal;
}

/** The position after a fill of signed quantity `delta` (positive buys) at `price`, and the PnL it realised. */
export function applyToPosition(
  position: PositionState,
  delta: Decimal,
  price: Decimal,
): { position: PositionState; realized: Decimal } {
  const { quantity, avgPrice } = position;
  const sameDirection = quantity.isZero() || quantity.lessThan(0) === delta.lessThan(0);
  if (sameDirection) {
    const total = quantity.abs().plus(delta.abs());
    const avg = quantity
      .abs()
      .times(avgPrice)
      .plus(delta.abs().times(price))
      .div(total)
      .toDecimalPlaces(AVERAGE_PLACES);
    return { position: { quantity: quantity.plus(delta), avgPrice: avg, realized: position.realized }, realized: ZERO };
  }
  const closed = Decimal.min(quantity.abs(), delta.abs());
  const direction = quantity.lessThan(0) ? -1 : 1;
  const realized = price.minus(avgPrice).times(closed).times(direction);
  const next = quantity.plus(delta);
  const avg = next.isZero() ? ZERO : next.lessThan(0) === quantity.lessThan(0) ? avgPrice : price;
  return {
    position: { quantity: next, avgPrice: avg, realized: position.realized.plus(realized) },
    realized,
  };
}
