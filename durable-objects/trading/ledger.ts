/**
 * The paper-trading ledger of one user, its logic without I/O: placing orders (venue rules, risk
 * checks, immediate execution), cancelling them, and applying what the coins' matchers report (fills
 * of resting limits, stops reached); each fill booked in the account (`AccountBook`). Every operation runs against a `LedgerRepo` inside one
 * transaction and is deterministic given its inputs (the clock, the quotes, the ids), so the same
 * operation retried after a crash or delivered twice changes nothing the second time.
 */

import { QUANTITY_DECIMALS } from "../../protocol/market-rules";
import { FINAL_STATUSES, type OrderCreate } from "../../protocol/trading";
import { AccountBook } from "./account-book";
import { Decimal, dec, str, ZERO } from "./decimal";
import { feeOf, immediateQuantity, isMarketable, marketFillPrice } from "./execution";
import { refuse } from "./ledger-problem";
import type { LedgerRepo } from "./ledger-repo";
import { checkOrder } from "./order-check";
import type { Quotes, VenueQuote } from "./quotes";
import type { AccountRecord, FillRecord, MatchMessage, OrderRecord, RestingOrder } from "./records";
import type { TradingConfig } from "./trading-config";

export function isOpen(order: OrderRecord): boolean {
  return !FINAL_STATUSES.includes(order.status);
}

/** What placing an order did: the order as stored, and whether it now waits with its coin's matcher. */
export interface Placed {
  order: OrderRecord;
  rest: RestingOrder | null;
}

export class Ledger {
  readonly accounts: AccountBook;

  constructor(
    private readonly repo: LedgerRepo,
    private readonly config: TradingConfig,
    private readonly userId: string,
  ) {
    this.accounts = new AccountBook(repo, config, userId);
  }

  /** The account (created on first use; see `AccountBook.account`). */
  account(now: number): AccountRecord {
    return this.accounts.account(now);
  }

  /**
   * Starts the account again: open orders cancelled (their matchers are told by the caller), positions
   * closed without trading, cash, fees and PnL back to the start. Order and fill history stays.
   */
  reset(now: number): OrderRecord[] {
    const cancelled = this.repo.openOrders().map((order) => this.finish(order, "CANCELLED", "account reset", now));
    this.accounts.restart(now);
    return cancelled;
  }

  // --- orders ------------------------------------------------------------------------------

  /**
   * An `Idempotency-Key` seen before: the same request (by its hash) answers the order it placed
   * (for a premium trade, its buy leg, which carries the trade's id); another request is a 422.
   * Null when the key is new.
   */
  replay(key: string, requestHash: string, kind: "order" | "trade"): OrderRecord | null {
    const earlier = this.repo.orderByIdempotencyKey(key);
    if (!earlier) return null;
    if (earlier.request_hash === requestHash && (earlier.trade_id !== null) === (kind === "trade")) return earlier;
    refuse({
      status: 422,
      slug: "idempotency-key-reused",
      detail: `Idempotency-Key ${JSON.stringify(key)} was used for another request; nothing was placed`,
      path: "Idempotency-Key",
      message: "send a new key for a new request",
    });
  }

  /**
   * Places an order: checks it against the venue's rules and the account's risk limits (a refusal
   * changes nothing), stores it, and executes what executes at once: a market order in full, a
   * marketable limit up to the immediate liquidity (IOC cancels the rest, FOK all or nothing, GTC
   * rests the rest). Limits and stops that wait are returned in `rest`, to be registered with their
   * coin's matcher.
   */
  place(
    request: OrderCreate,
    meta: { id: string; idempotencyKey: string | null; requestHash: string | null; tradeId?: string },
    quotes: Quotes,
    now: number,
  ): Placed {
    this.accounts.account(now);
    if (request.client_order_id && this.repo.orderByClientId(request.client_order_id)) {
      refuse({
        status: 409,
        slug: "client-order-id-taken",
        detail: `An order with client_order_id ${JSON.stringify(request.client_order_id)} exists already`,
        path: "client_order_id",
        message: "must be unique among your orders",
      });
    }
    const { venue, base, quote, quantity, price, stop, reference, fresh } = checkOrder(
      request,
      quotes,
      now,
      this.config,
    );
    this.accounts.checkExposure({ venue, base, quote, side: request.side, quantity, price: reference }, quotes, now);

    const order: OrderRecord = {
      id: meta.id,
      user_id: this.userId,
      client_order_id: request.client_order_id ?? null,
      idempotency_key: meta.idempotencyKey,
      request_hash: meta.requestHash,
      venue,
      base,
      quote,
      side: request.side,
      order_type: request.order_type,
      time_in_force: request.order_type === "MARKET" ? "IOC" : (request.time_in_force ?? "GTC"),
      quantity: str(quantity),
      price: price ? str(price) : null,
      stop_price: stop ? str(stop) : null,
      status: "PENDING",
      reject_reason: null,
      filled_quantity: "0",
      filled_value: "0",
      fee: "0",
      matcher: "none",
      triggered_at: null,
      own_fills: 0,
      trade_id: meta.tradeId ?? null,
      created_at: now,
      updated_at: now,
      version: 1,
    };
    this.repo.saveOrder(order);
    this.repo.publish({ kind: "order", order: { ...order }, event: "order.created" });

    if (request.order_type === "MARKET") {
      const market = fresh as VenueQuote; // freshQuote above refused a market order without one
      this.fill(
        order,
        quantity,
        marketFillPrice(venue, base, order.side, quantity, market, this.config),
        "taker",
        now,
        quotes,
      );
      return { order, rest: null };
    }
    if (request.order_type === "LIMIT") return { order, rest: this.executeLimit(order, fresh, quotes, now) };
    return { order, rest: this.resting(order, "stop", now) };
  }

  /**
   * A limit order's first moments: what the market takes at once (up to the immediate liquidity,
   * at the last price plus slippage but never past the limit), then by time in force: IOC cancels
   * the rest, FOK takes all or nothing, GTC rests the rest. Returns the part that rests, if any.
   */
  private executeLimit(order: OrderRecord, last: VenueQuote | null, quotes: Quotes, now: number): RestingOrder | null {
    const limit = dec(order.price as string);
    const remaining = dec(order.quantity).minus(dec(order.filled_quantity));
    const marketable = last !== null && isMarketable(order.side, limit, last.price);
    const available = marketable && last ? immediateQuantity(last, this.config) : ZERO;
    const take = Decimal.min(remaining, available).toDecimalPlaces(QUANTITY_DECIMALS[order.venue], Decimal.ROUND_DOWN);
    if (order.time_in_force === "FOK" && take.lessThan(remaining)) {
      this.finish(
        order,
        "CANCELLED",
        marketable ? "FOK: not enough liquidity to fill it all at once" : "FOK: the limit is not marketable",
        now,
      );
      return null;
    }
    if (take.greaterThan(0) && last) {
      const slipped = marketFillPrice(order.venue, order.base, order.side, take, last, this.config);
      const fillPrice = order.side === "BUY" ? Decimal.min(slipped, limit) : Decimal.max(slipped, limit);
      this.fill(order, take, fillPrice, "taker", now, quotes);
    }
    if (!isOpen(order)) return null;
    if (order.time_in_force === "IOC") {
      this.finish(
        order,
        "CANCELLED",
        take.greaterThan(0) ? "IOC: the unfilled part was cancelled" : "IOC: no immediate fill",
        now,
      );
      return null;
    }
    return this.resting(order, "limit", now);
  }

  /** Marks an order as waiting with its coin's matcher, and what to register there. */
  private resting(order: OrderRecord, kind: "limit" | "stop", now: number): RestingOrder {
    order.matcher = "pending";
    this.save(order, null, now);
    return {
      id: order.id,
      user_id: this.userId,
      venue: order.venue,
      base: order.base,
      side: order.side,
      kind,
      price: (kind === "stop" ? order.stop_price : order.price) as string,
      limit: kind === "stop" && order.order_type === "STOP_LIMIT" ? order.price : null,
      remaining: str(dec(order.quantity).minus(dec(order.filled_quantity))),
      since: now,
    };
  }

  /** The matcher has the order now. */
  registered(orderId: string): void {
    const order = this.repo.order(orderId);
    if (order?.matcher !== "pending" || !isOpen(order)) return;
    order.matcher = "resting";
    this.repo.saveOrder(order);
  }

  /** Orders to register (again) with their matchers: placed, but not yet confirmed there. */
  pendingRegistrations(): RestingOrder[] {
    return this.repo
      .openOrders()
      .filter((o) => o.matcher === "pending")
      .map((o) => {
        const asLimit = o.order_type === "LIMIT" || o.triggered_at !== null;
        return {
          id: o.id,
          user_id: this.userId,
          venue: o.venue,
          base: o.base,
          side: o.side,
          kind: asLimit ? ("limit" as const) : ("stop" as const),
          price: (asLimit ? o.price : o.stop_price) as string,
          limit: !asLimit && o.order_type === "STOP_LIMIT" ? o.price : null,
          remaining: str(dec(o.quantity).minus(dec(o.filled_quantity))),
          since: o.triggered_at ?? o.created_at,
        };
      });
  }

  /**
   * Cancels an open order. `leftovers` are what its matcher had not delivered yet (fills, a trigger),
   * returned when the matcher let go of the order; the fills are applied first, so nothing is lost.
   */
  cancel(orderId: string, leftovers: MatchMessage[], now: number, quotes: Quotes | null): OrderRecord {
    const order = this.ownOrder(orderId);
    this.applyMatches(
      leftovers.filter((m) => m.kind === "fill"),
      quotes,
      now,
    );
    const current = this.repo.order(orderId) as OrderRecord;
    if (!isOpen(current)) {
      if (current.status !== order.status) return current; // the leftovers filled it
      refuse({
        status: 409,
        slug: "order-not-open",
        detail: `Order ${orderId} is ${current.status} and cannot be cancelled`,
        path: "id",
        message: `already ${current.status}`,
      });
    }
    return this.finish(current, "CANCELLED", null, now);
  }

  /** An order of this user, or a 404 (another user's order is not found either). */
  ownOrder(orderId: string): OrderRecord {
    const order = this.repo.order(orderId);
    if (!order || order.user_id !== this.userId) {
      refuse({ status: 404, slug: "not-found", detail: `No order ${orderId}`, path: "id", message: "no such order" });
    }
    return order;
  }

  // --- what the matchers report --------------------------------------------------------------

  /**
   * Applies a matcher's messages, each at most once (by its id): a fill of a resting limit (maker),
   * or a stop reached: a STOP then executes as a market order at the trigger price plus slippage
   * (risk-checked again: a refusal leaves it REJECTED); a STOP_LIMIT is noted as triggered (its
   * matcher rests it as a limit from then on).
   */
  applyMatches(messages: MatchMessage[], quotes: Quotes | null, now: number): void {
    for (const m of messages) {
      if (this.repo.hasFill(m.id)) continue;
      const order = this.repo.order(m.order_id);
      if (!order || !isOpen(order)) continue;
      if (m.kind === "fill") {
        const remaining = dec(order.quantity).minus(dec(order.filled_quantity));
        const quantity = Decimal.min(dec(m.quantity), remaining);
        if (quantity.greaterThan(0)) this.fill(order, quantity, dec(m.price), "maker", m.timestamp, quotes, m.id);
        continue;
      }
      if (order.triggered_at !== null) continue;
      order.triggered_at = m.timestamp;
      this.save(order, null, now);
      if (order.order_type === "STOP") this.executeTriggered(order, dec(m.price), m.timestamp, quotes, now);
    }
  }

  /** A stop reached: executes at market (the trigger price plus slippage), if the risk limits still allow. */
  private executeTriggered(
    order: OrderRecord,
    triggerPrice: Decimal,
    at: number,
    quotes: Quotes | null,
    now: number,
  ): void {
    order.matcher = "none";
    const live = quotes?.quote(order.venue, order.base) ?? null;
    const atTrigger = {
      price: triggerPrice,
      timestamp: at,
      volume: live?.volume ?? ZERO,
      quoteVolume: live?.quoteVolume ?? ZERO,
    };
    const quantity = dec(order.quantity);
    if (quotes) {
      try {
        const { venue, base, quote, side } = order;
        this.accounts.checkExposure({ venue, base, quote, side, quantity, price: triggerPrice }, quotes, now, order.id);
      } catch (error) {
        const detail = error instanceof Error ? error.message : String(error);
        this.finish(order, "REJECTED", `at trigger: ${detail}`, now);
        return;
      }
    }
    this.fill(
      order,
      quantity,
      marketFillPrice(order.venue, order.base, order.side, quantity, atTrigger, this.config),
      "taker",
      at,
      quotes,
    );
  }

  // --- fills ---------------------------------------------------------------------------------

  /** Applies one fill: the order, the position, cash, fees and realised PnL, all in this transaction. */
  private fill(
    order: OrderRecord,
    quantity: Decimal,
    price: Decimal,
    liquidity: "maker" | "taker",
    at: number,
    quotes: Quotes | null,
    id?: string,
  ): FillRecord {
    const fillId = id ?? `${order.id}:f${++order.own_fills}`;
    const fee = feeOf(order.venue, liquidity, quantity, price);
    const fill: FillRecord = {
      id: fillId,
      order_id: order.id,
      venue: order.venue,
      base: order.base,
      quote: order.quote,
      side: order.side,
      quantity: str(quantity),
      price: str(price),
      fee: str(fee),
      liquidity,
      timestamp: at,
    };
    this.repo.saveFill(fill);

    const delta = order.side === "BUY" ? quantity : quantity.negated();
    const { venue, base, quote } = order;
    this.accounts.book({ venue, base, quote, delta, price, fee, at }, quotes);

    order.filled_quantity = str(dec(order.filled_quantity).plus(quantity));
    order.filled_value = str(dec(order.filled_value).plus(quantity.times(price)));
    order.fee = str(dec(order.fee).plus(fee));
    const done = dec(order.filled_quantity).greaterThanOrEqualTo(dec(order.quantity));
    order.status = done ? "FILLED" : "PARTIALLY_FILLED";
    if (done) order.matcher = "none";
    this.repo.publish({ kind: "fill", fill });
    this.save(order, done ? "order.filled" : "order.status_updated", at);
    return fill;
  }

  /** Ends an order in a final status. */
  private finish(
    order: OrderRecord,
    status: "CANCELLED" | "REJECTED",
    reason: string | null,
    now: number,
  ): OrderRecord {
    order.status = status;
    order.reject_reason = reason;
    order.matcher = "none";
    this.save(order, "order.status_updated", now);
    return order;
  }

  /**
   * Stores a changed order with its next version and publishes it (to the D1 projection, and, with an
   * event, onto the queue), so every version the ledger stores is one the projection receives.
   */
  private save(order: OrderRecord, event: "order.status_updated" | "order.filled" | null, now: number): void {
    order.updated_at = Math.max(now, order.updated_at);
    order.version++;
    this.repo.saveOrder(order);
    this.repo.publish({ kind: "order", order: { ...order }, event });
  }
}
