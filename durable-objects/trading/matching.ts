/**
 * The matching of one coin's resting orders against its venues' ticks, in memory and without I/O
 * (the coin's MarketSymbol stores the orders and delivers what this decides).
 *
 * - A resting limit fills at its limit price (maker) on a tick that crosses it: a buy at or above
 *   the tick's price, a sell at or below. It fills at most `participation` of the volume the venue
 *   trades while it crosses: from the first crossing tick on, at the venue's average pace (24 h volume
 *   over a day), at least one second's worth per crossing tick. Each order is filled as if it were
 *   alone in the market (orders do not compete for the volume).
 * - A stop is reached on a tick at or beyond its stop price (a buy stop at or above, a sell stop at or
 *   below). A stop (market) leaves the book and the ledger executes it; a stop-limit stays, as a limit
 *   resting from that tick on (the same tick may already fill it). Either way the ledger is told.
 * - Only ticks after an order began to rest, and no older than the freshness bound, count.
 *
 * Per venue, limits and stops are kept sorted by price, so a tick visits only the orders it crosses.
 */
import { QUANTITY_DECIMALS } from "../../protocol/market-rules";
import type { MarketVenue } from "../../protocol/venues";
import { Decimal, dec, str, ZERO } from "./decimal";
import { stopTriggers } from "./execution";
import type { MatchMessage, RestingOrder } from "./records";

const DAY_MS = 86_400_000;
/** A crossing tick accrues at least this much time's worth of participation. */
const MIN_CROSSING_MS = 1_000;

/** A resting order as the book holds it. */
export interface BookOrder extends RestingOrder {
  /** When a tick first crossed it (ms), or null. */
  first_cross_at: number | null;
  /** What the matcher has filled of it so far. */
  matched: string;
  /** How many fills the matcher has made of it (fill ids are `<order>:m<n>`). */
  fill_seq: number;
}

/** One venue's price at a moment, with its 24 h volume (the pace participation is measured at). */
export interface Tick {
  venue: MarketVenue;
  price: number;
  volume: number;
  timestamp: number;
}

/** What matching a tick did: messages for the ledgers, orders changed (to store) and orders that left the book. */
export interface MatchResult {
  messages: (MatchMessage & { user_id: string })[];
  changed: BookOrder[];
  removed: BookOrder[];
}

interface Side {
  /** Sorted so that the orders a tick reaches first come first. */
  orders: { order: BookOrder; price: Decimal }[];
  /** Whether the order at `price` is reached by a tick at `tick`. */
  reached(price: Decimal, tick: Decimal): boolean;
  /** Sort order: the order reached first sorts first. */
  before(a: Decimal, b: Decimal): boolean;
}

export class MatchingBook {
  private readonly sides = new Map<string, Side>();
  private readonly byId = new Map<string, BookOrder>();

  constructor(
    private readonly participation: number,
    private readonly staleMs: number,
  ) {}

  get size(): number {
    return this.byId.size;
  }

  has(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): BookOrder | undefined {
    return this.byId.get(id);
  }

  /** Adds an order (again: an order already in the book is left as it is). */
  add(order: BookOrder): void {
    if (this.byId.has(order.id)) return;
    this.byId.set(order.id, order);
    const side = this.side(order.venue, order.kind, order.side);
    const price = dec(order.price);
    let lo = 0;
    let hi = side.orders.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (side.before(side.orders[mid].price, price) || side.orders[mid].price.equals(price)) lo = mid + 1;
      else hi = mid;
    }
    side.orders.splice(lo, 0, { order, price });
  }

  /** Takes an order out of the book; returns it, or undefined when it was not there. */
  remove(id: string): BookOrder | undefined {
    const order = this.byId.get(id);
    if (!order) return undefined;
    this.byId.delete(id);
    const side = this.side(order.venue, order.kind, order.side);
    const at = side.orders.findIndex((e) => e.order.id === id);
    if (at >= 0) side.orders.splice(at, 1);
    return order;
  }

  /** Matches one tick against the book. `now` is the clock the freshness bound is measured on. */
  onTick(tick: Tick, now: number): MatchResult {
    const result: MatchResult = { messages: [], changed: [], removed: [] };
    if (now - tick.timestamp > this.staleMs) return result;
    const price = dec(tick.price);
    for (const kind of ["stop", "limit"] as const) {
      for (const direction of ["BUY", "SELL"] as const) {
        const side = this.sides.get(key(tick.venue, kind, direction));
        if (!side) continue;
        for (let i = 0; i < side.orders.length; ) {
          const { order, price: level } = side.orders[i];
          if (!side.reached(level, price)) break;
          if (tick.timestamp <= order.since) {
            i++;
            continue;
          }
          if (kind === "stop") {
            // Whether it leaves the book or becomes a limit, it leaves the stop side.
            side.orders.splice(i, 1);
            if (this.trigger(order, price, tick, result)) {
              this.byId.delete(order.id);
              result.removed.push(order);
            }
            continue;
          }
          if (this.fill(order, level, tick, result)) {
            side.orders.splice(i, 1);
            this.byId.delete(order.id);
            result.removed.push(order);
          } else {
            i++;
          }
        }
      }
    }
    return result;
  }

  /**
   * A stop reached: one trigger message. A stop leaves the book; a stop-limit moves to the limit side
   * at its limit price, resting from just before this tick (so this tick is matched against it too).
   */
  private trigger(order: BookOrder, price: Decimal, tick: Tick, result: MatchResult): boolean {
    result.messages.push({
      kind: "trigger",
      id: `${order.id}:t`,
      order_id: order.id,
      user_id: order.user_id,
      price: str(price),
      timestamp: tick.timestamp,
    });
    if (order.limit !== null) {
      const limit: BookOrder = { ...order, kind: "limit", price: order.limit, limit: null, since: tick.timestamp - 1 };
      this.byId.delete(order.id);
      this.add(limit);
      result.changed.push(limit);
      return false;
    }
    return true;
  }

  /** A limit crossed: fills what participation allows; true when nothing is left. */
  private fill(order: BookOrder, limit: Decimal, tick: Tick, result: MatchResult): boolean {
    if (order.first_cross_at === null) order.first_cross_at = tick.timestamp;
    const crossing = Math.max(tick.timestamp - order.first_cross_at, MIN_CROSSING_MS);
    const allowance = dec(tick.volume).times(this.participation).times(crossing).div(DAY_MS);
    const remaining = dec(order.remaining);
    const quantity = Decimal.min(remaining, allowance.minus(dec(order.matched))).toDecimalPlaces(
      QUANTITY_DECIMALS[order.venue],
      Decimal.ROUND_DOWN,
    );
    result.changed.push(order);
    if (!quantity.greaterThan(0)) return false;
    order.fill_seq += 1;
    order.matched = str(dec(order.matched).plus(quantity));
    order.remaining = str(remaining.minus(quantity));
    result.messages.push({
      kind: "fill",
      id: `${order.id}:m${order.fill_seq}`,
      order_id: order.id,
      user_id: order.user_id,
      quantity: str(quantity),
      price: str(limit),
      timestamp: tick.timestamp,
    });
    return dec(order.remaining).lessThanOrEqualTo(ZERO);
  }

  private side(venue: MarketVenue, kind: "limit" | "stop", direction: "BUY" | "SELL"): Side {
    const k = key(venue, kind, direction);
    let side = this.sides.get(k);
    if (!side) {
      // A buy limit is reached by a tick at or below it (highest first); a sell limit at or above (lowest
      // first); a buy stop at or above its stop (lowest first); a sell stop at or below (highest first).
      const highFirst = (kind === "limit") === (direction === "BUY");
      side = {
        orders: [],
        reached:
          kind === "stop"
            ? (level, tick) => stopTriggers(direction, level, tick)
            : (level, tick) => (direction === "BUY" ? level.greaterThanOrEqualTo(tick) : level.lessThanOrEqualTo(tick)),
        before: highFirst ? (a, b) => a.greaterThan(b) : (a, b) => a.lessThan(b),
      };
      this.sides.set(k, side);
    }
    return side;
  }
}

function key(venue: string, kind: string, direction: string): string {
  return `${venue}|${kind}|${direction}`;
}
