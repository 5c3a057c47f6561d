import { z } from "zod";
import type { InboxNotification } from "../protocol/notifications";
import type {
  Account,
  Fill,
  Order,
  OrderCreate,
  PnlSummary,
  Position,
  PositionUpdate,
  PremiumTrade,
  PremiumTradeCreate,
  RiskLimits,
  RiskLimitsPatch,
} from "../protocol/trading";
import { marketBoard, marketSymbol } from "./addresses";
import { HibernatingObject } from "./sockets/hibernating-object";
import type { SocketBase } from "./sockets/socket-roster";
import { dec, ZERO } from "./trading/decimal";
import { isOpen, Ledger } from "./trading/ledger";
import { type LedgerProblem, LedgerRefusal, type LedgerResult, ok } from "./trading/ledger-problem";
import { LedgerPublisher } from "./trading/ledger-publisher";
import { makeCursor, type Page, parseCursor } from "./trading/page-cursor";
import { adjustPosition } from "./trading/position-adjustment";
import { placePremiumTrade, premiumTradeView } from "./trading/premium-trade";
import { type Quotes, quotesFrom } from "./trading/quotes";
import type { MatchMessage, OutboxEntry, RestingOrder } from "./trading/records";
import { SqlLedgerRepo } from "./trading/sql-ledger-repo";
import { changeFrames, snapshotBody } from "./trading/stream-frames";
import { readTradingConfig, type TradingConfig } from "./trading/trading-config";
import { valuate } from "./trading/valuation";
import { accountView, fillView, orderView, pnlView, positionView } from "./trading/views";

/** What a client may send on `/ws/user`: `snapshot` asks for the stream's current state again. */
export const UserStreamClientMessage = z.object({ op: z.literal("snapshot") });
type UserStreamClientMessage = z.infer<typeof UserStreamClientMessage>;

/** When to try again to publish or register after a failure. */
const RETRY_MS = 2_000;

/**
 * UserLedger: one object per user (addressed by `idFromName(userId)`): the user's paper-trading
 * account (cash per currency, positions, orders, fills, risk limits; the logic in `trading/ledger.ts`,
 * the records in the object's SQLite) and the user's private stream `/ws/user` on the Hibernation API.
 *
 * Orders that wait for the market are registered with their coin's MarketSymbol, whose matcher sends
 * back fills and stops reached (`applyMatches`, each applied once by its id). Every change goes into
 * an outbox in the same commit, then to the D1 projection and the `notifications` queue (retried by
 * the alarm until both have it) and, at once, to the user's open sockets. Every method answers a
 * `LedgerResult`: a refusal is a value (a problem for the gateway), and changes nothing.
 */
export class UserLedger extends HibernatingObject<SocketBase, UserStreamClientMessage> {
  protected readonly clientMessages = UserStreamClientMessage;
  private readonly repo: SqlLedgerRepo;
  private readonly config: TradingConfig;
  private readonly ledger: Ledger;
  private readonly publisher: LedgerPublisher;
  /** The last quotes read, for valuing a stream snapshot without waiting for the board. */
  private lastQuotes: Quotes | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.repo = new SqlLedgerRepo(ctx.storage);
    this.config = readTradingConfig(env);
    this.ledger = new Ledger(this.repo, this.config, this.userId);
    this.publisher = new LedgerPublisher(this.repo, env);
    // Work a previous instance left: changes not yet published, orders not yet registered.
    if (this.repo.outboxSize() > 0 || this.ledger.pendingRegistrations().length > 0) {
      void ctx.storage.setAlarm(Date.now() + 100);
    }
  }

  /** The user this object belongs to (the name it was addressed by). */
  private get userId(): string {
    return this.ctx.id.name ?? "";
  }

  // --- the account -------------------------------------------------------------------------

  async account(): Promise<LedgerResult<Account>> {
    const quotes = await this.quotes([]);
    return this.run((now) => {
      const account = this.ledger.account(now);
      const valuation = valuate(account, this.repo.positions(), quotes, this.config.priceStaleMs);
      return accountView(account, valuation, this.repo.openOrders(), quotes, now);
    });
  }

  async limits(): Promise<LedgerResult<RiskLimits>> {
    return this.run((now) => this.ledger.account(now).limits);
  }

  async setLimits(patch: RiskLimitsPatch): Promise<LedgerResult<RiskLimits>> {
    return this.run((now) => this.ledger.accounts.setLimits(patch, now).limits);
  }

  /** Cancels every open order (with its matcher), closes positions and restores the starting cash. */
  async reset(): Promise<LedgerResult<Account>> {
    const open = this.repo.openOrders();
    const released = await this.releaseFromMatchers(open.filter((o) => o.matcher !== "none").map((o) => o.id));
    if (!released.ok) return released;
    const applied = this.run((now) => this.ledger.applyMatches(released.value, this.lastQuotes, now));
    if (!applied.ok) return applied;
    const reset = this.run((now) => this.ledger.reset(now));
    if (!reset.ok) return reset;
    return this.account();
  }

  // --- orders ------------------------------------------------------------------------------

  /**
   * Places an order. With an `Idempotency-Key`, the same key and body answer the original order
   * (placed once), another body with the same key is a 422. Logs one line with what became of it and
   * the gateway's `requestId`.
   */
  async placeOrder(
    request: OrderCreate,
    idempotency: { key: string; hash: string } | null,
    requestId?: string,
  ): Promise<LedgerResult<Order>> {
    const result = await this.placeOrderOnce(request, idempotency);
    console.log(
      JSON.stringify({
        msg: result.ok ? "order placed" : "order refused",
        request_id: requestId,
        user_id: this.userId,
        symbol: request.symbol,
        side: request.side,
        order_type: request.order_type,
        ...(result.ok
          ? { order_id: result.value.id, order_status: result.value.status }
          : { problem: result.problem.slug, problem_status: result.problem.status }),
      }),
    );
    return result;
  }

  private async placeOrderOnce(
    request: OrderCreate,
    idempotency: { key: string; hash: string } | null,
  ): Promise<LedgerResult<Order>> {
    if (idempotency) {
      const replayed = this.run(() => this.ledger.replay(idempotency.key, idempotency.hash, "order"));
      if (!replayed.ok) return replayed;
      if (replayed.value) return ok(orderView(replayed.value));
    }
    const base = request.symbol.split("/")[0] as string;
    const quotes = await this.quotes([base]);
    const placed = this.run((now) =>
      this.ledger.place(
        request,
        { id: crypto.randomUUID(), idempotencyKey: idempotency?.key ?? null, requestHash: idempotency?.hash ?? null },
        quotes,
        now,
      ),
    );
    if (!placed.ok) return placed;
    if (placed.value.rest) await this.register([placed.value.rest]);
    return ok(orderView(this.repo.order(placed.value.order.id) ?? placed.value.order));
  }

  async getOrder(id: string): Promise<LedgerResult<Order>> {
    return this.run(() => orderView(this.ledger.ownOrder(id)));
  }

  async listOrders(
    filter: { status?: string; base?: string; open?: boolean },
    limit: number,
    cursor: string | null,
  ): Promise<LedgerResult<Page<Order>>> {
    return this.run(() => {
      const after = parseCursor(cursor);
      const rows = this.repo.listOrders(filter, limit + 1, after);
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map(orderView),
        next_cursor: rows.length > limit && last ? makeCursor(last.created_at, last.id) : null,
      };
    });
  }

  /** The seed's `GET /orders/user/{user_id}?limit=&offset=`: orders newest first. */
  async ordersPage(offset: number, limit: number): Promise<LedgerResult<Order[]>> {
    return this.run(() => this.repo.ordersFrom(offset, limit).map(orderView));
  }

  async listFills(orderId: string | null, limit: number, cursor: string | null): Promise<LedgerResult<Page<Fill>>> {
    return this.run(() => {
      const rows = this.repo.listFills(orderId, limit + 1, parseCursor(cursor));
      const page = rows.slice(0, limit);
      const last = page[page.length - 1];
      return {
        items: page.map((f) => fillView(f, this.userId)),
        next_cursor: rows.length > limit && last ? makeCursor(last.timestamp, last.id) : null,
      };
    });
  }

  /** Cancels one open order: its matcher lets go of it first, and what it had matched is applied. */
  async cancelOrder(id: string): Promise<LedgerResult<Order>> {
    const order = this.repo.order(id);
    if (!order || order.user_id !== this.userId) return notFound(id);
    if (!isOpen(order)) {
      return {
        ok: false,
        problem: {
          status: 409,
          slug: "order-not-open",
          detail: `Order ${id} is ${order.status} and cannot be cancelled`,
          path: "id",
          message: `already ${order.status}`,
        },
      };
    }
    const released = await this.releaseFromMatchers(order.matcher === "none" ? [] : [id]);
    if (!released.ok) return released;
    const cancelled = this.run((now) => this.ledger.cancel(id, released.value, now, this.lastQuotes));
    return cancelled.ok ? ok(orderView(cancelled.value)) : cancelled;
  }

  /** Cancels every open order; answers the orders as they ended. */
  async cancelAll(): Promise<LedgerResult<Order[]>> {
    const results: Order[] = [];
    for (const order of this.repo.openOrders()) {
      const result = await this.cancelOrder(order.id);
      if (result.ok) results.push(result.value);
      else if (result.problem.status !== 409) return result;
    }
    return ok(results);
  }

  // --- positions ---------------------------------------------------------------------------

  async positions(): Promise<LedgerResult<Position[]>> {
    const quotes = await this.quotes([]);
    return this.run((now) => {
      const valuation = valuate(this.ledger.account(now), this.repo.positions(), quotes, this.config.priceStaleMs);
      return valuation.positions.map((p) => positionView(p, this.userId));
    });
  }

  async pnl(): Promise<LedgerResult<PnlSummary>> {
    const quotes = await this.quotes([]);
    return this.run((now) => {
      const account = this.ledger.account(now);
      return pnlView(account, valuate(account, this.repo.positions(), quotes, this.config.priceStaleMs), quotes, now);
    });
  }

  /** The seed's `POST /positions/update` (an admin's adjustment), risk-checked like an order. */
  async adjustPosition(update: PositionUpdate): Promise<LedgerResult<Position>> {
    const quotes = await this.quotes([update.symbol.split("/")[0] as string]);
    return this.run((now) => {
      const record = adjustPosition(this.ledger.accounts, update, quotes, now);
      const valuation = valuate(this.ledger.account(now), [record], quotes, this.config.priceStaleMs);
      const valued = valuation.positions[0] ?? {
        record,
        quantity: dec(record.quantity),
        price: null,
        value: ZERO,
        unrealized: ZERO,
      };
      return positionView(valued, this.userId);
    });
  }

  // --- the premium trade -------------------------------------------------------------------

  /** Buys on one venue and sells the same quantity on the other, both legs at market, in one commit. */
  async placePremiumTrade(
    request: PremiumTradeCreate,
    idempotency: { key: string; hash: string } | null,
  ): Promise<LedgerResult<PremiumTrade>> {
    if (idempotency) {
      const replayed = this.run(() => this.ledger.replay(idempotency.key, idempotency.hash, "trade"));
      if (!replayed.ok) return replayed;
      if (replayed.value?.trade_id) return this.premiumTrade(replayed.value.trade_id);
    }
    const quotes = await this.quotes([request.symbol]);
    const made = this.run((now) => placePremiumTrade(this.ledger, this.repo, request, idempotency, quotes, now));
    return made.ok ? this.premiumTrade(made.value) : made;
  }

  async premiumTrade(id: string): Promise<LedgerResult<PremiumTrade>> {
    const trade = this.repo.trade(id);
    if (!trade) return notFound(id);
    const quotes = await this.quotes([trade.base]);
    return this.run(() => {
      const buy = this.repo.order(trade.buy_order_id);
      const sell = this.repo.order(trade.sell_order_id);
      if (!buy || !sell) throw new Error(`trade ${id} has lost a leg`);
      return premiumTradeView(trade, buy, sell, quotes, this.userId);
    });
  }

  async premiumTrades(limit: number): Promise<LedgerResult<PremiumTrade[]>> {
    const trades = this.repo.trades(limit);
    const quotes = await this.quotes([...new Set(trades.map((t) => t.base))]);
    return this.run(() =>
      trades.flatMap((trade) => {
        const buy = this.repo.order(trade.buy_order_id);
        const sell = this.repo.order(trade.sell_order_id);
        return buy && sell ? [premiumTradeView(trade, buy, sell, quotes, this.userId)] : [];
      }),
    );
  }

  // --- what the matchers report --------------------------------------------------------------

  /**
   * Fills and stops reached, from a coin's matcher; each message applied once (by its id), so a
   * delivery retried after a failure changes nothing twice. Resolves once they are stored.
   */
  async applyMatches(messages: MatchMessage[]): Promise<void> {
    const triggered = messages.some((m) => m.kind === "trigger");
    const bases = triggered
      ? [...new Set(messages.map((m) => this.repo.order(m.order_id)?.base).filter((b): b is string => !!b))]
      : [];
    const quotes = triggered ? await this.quotes(bases) : this.lastQuotes;
    const applied = this.run((now) => this.ledger.applyMatches(messages, quotes, now));
    if (!applied.ok) throw new Error(applied.problem.detail);
  }

  // --- the outbox and registrations ----------------------------------------------------------

  /** Publishes the outbox and registers what waits; retried every 2 s while anything fails. */
  override async alarm(): Promise<void> {
    const left = await this.publisher.flush();
    const pending = this.ledger.pendingRegistrations();
    if (pending.length > 0) await this.register(pending);
    if (left || this.ledger.pendingRegistrations().length > 0) await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
  }

  /** Registers resting orders with their coins' matchers; what fails is left for the alarm. */
  private async register(orders: RestingOrder[]): Promise<void> {
    await Promise.all(
      orders.map(async (order) => {
        try {
          const answer = await marketSymbol(this.env, order.base).restOrder(order);
          if (answer === "resting") this.run(() => this.ledger.registered(order.id));
        } catch (error) {
          console.error(
            JSON.stringify({ msg: "resting order not registered; will retry", order: order.id, error: String(error) }),
          );
          await this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
        }
      }),
    );
  }

  /** Takes orders out of their matchers, collecting what they had matched and not yet delivered. */
  private async releaseFromMatchers(ids: string[]): Promise<LedgerResult<MatchMessage[]>> {
    const leftovers: MatchMessage[] = [];
    for (const id of ids) {
      const order = this.repo.order(id);
      if (!order) continue;
      try {
        leftovers.push(...(await marketSymbol(this.env, order.base).cancelOrder(id)));
      } catch (error) {
        return {
          ok: false,
          problem: {
            status: 503,
            slug: "matcher-unavailable",
            detail: `The ${order.base} matcher did not answer; try again (${String(error)})`,
          },
        };
      }
    }
    return ok(leftovers);
  }

  /**
   * Runs one ledger operation in a storage transaction. A refusal is answered as a problem and
   * changes nothing; after a commit, the changes go to the user's sockets at once and the outbox is
   * published.
   */
  private run<T>(operation: (now: number) => T): LedgerResult<T> {
    let value: T;
    try {
      value = this.repo.transaction(() => operation(Date.now()));
    } catch (error) {
      if (error instanceof LedgerRefusal) return { ok: false, problem: error.problem };
      throw error;
    }
    const published = this.repo.takePublished();
    if (published.length > 0) {
      this.stream(published);
      void this.publisher.flush().then((left) => {
        if (left) void this.ctx.storage.setAlarm(Date.now() + RETRY_MS);
      });
    }
    return ok(value);
  }

  private async quotes(bases: string[]): Promise<Quotes> {
    const wanted = new Set(bases);
    for (const p of this.repo.positions()) wanted.add(p.base);
    for (const o of this.repo.openOrders()) wanted.add(o.base);
    const { coins, rate } = await marketBoard(this.env).tradingQuotes([...wanted]);
    this.lastQuotes = quotesFrom(coins, rate, Date.now());
    return this.lastQuotes;
  }

  // --- the private stream --------------------------------------------------------------------

  /** Accepts a `/ws/user` upgrade the gateway has authenticated (a single-use ticket). */
  override async fetch(request: Request): Promise<Response> {
    return this.acceptUpgrade(request, ["user"], { seq: 0, heard_at: Date.now() });
  }

  /** The stream's state: who it belongs to, the open orders and the positions (at the last prices read). */
  protected override sendSnapshot(ws: WebSocket): void {
    this.sendFrame(ws, "snapshot", snapshotBody(this.repo, this.lastQuotes, this.userId, this.config.priceStaleMs));
  }

  protected override onClientMessage(ws: WebSocket): void {
    this.requestSnapshot(ws);
  }

  /** Notifications for the user's inbox, live on every open `/ws/user` socket (a `notification` frame each). */
  notify(items: InboxNotification[]): void {
    if (this.sockets.count() === 0) return;
    const bodies = items.map((item) => `"data":${JSON.stringify(item)}`);
    for (const [ws] of this.sockets.entries()) for (const body of bodies) this.sendFrame(ws, "notification", body);
  }

  /** Sends each change to every open socket: `order` and `fill` messages, then the moved `position`. */
  private stream(entries: OutboxEntry[]): void {
    if (this.sockets.count() === 0) return;
    const frames = changeFrames(entries, this.repo, this.lastQuotes, this.userId, this.config.priceStaleMs);
    for (const [ws] of this.sockets.entries()) for (const f of frames) this.sendFrame(ws, f.type, f.body);
  }
}

function notFound(id: string): LedgerResult<never> {
  const problem: LedgerProblem = {
    status: 404,
    slug: "not-found",
    detail: `No order ${id}`,
    path: "id",
    message: "no such order",
  };
  return { ok: false, problem };
}
