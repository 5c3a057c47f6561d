/**
 * The ledger's repository in memory, for tests of the ledger's logic outside workerd. A transaction
 * copies the state first and puts the copy back when the operation throws, as SQLite's would.
 */
import type { LedgerRepo } from "../../../durable-objects/trading/ledger-repo";
import type {
  AccountRecord,
  FillRecord,
  OrderRecord,
  OutboxEntry,
  PositionRecord,
  TradeRecord,
} from "../../../durable-objects/trading/records";

interface State {
  account: AccountRecord | null;
  orders: Map<string, OrderRecord>;
  fills: Map<string, FillRecord>;
  positions: Map<string, PositionRecord>;
  trades: Map<string, TradeRecord>;
  outbox: OutboxEntry[];
}

const copy = <T>(value: T): T => structuredClone(value);

export class MemoryLedgerRepo implements LedgerRepo {
  state: State = {
    account: null,
    orders: new Map(),
    fills: new Map(),
    positions: new Map(),
    trades: new Map(),
    outbox: [],
  };
  /** Every fill saved, in order (a fill saved twice would show here twice). */
  readonly fillLog: FillRecord[] = [];

  account(): AccountRecord | null {
    return this.state.account ? copy(this.state.account) : null;
  }
  saveAccount(account: AccountRecord): void {
    this.state.account = copy(account);
  }
  order(id: string): OrderRecord | null {
    const o = this.state.orders.get(id);
    return o ? copy(o) : null;
  }
  orderByClientId(clientOrderId: string): OrderRecord | null {
    for (const o of this.state.orders.values()) if (o.client_order_id === clientOrderId) return copy(o);
    return null;
  }
  orderByIdempotencyKey(key: string): OrderRecord | null {
    for (const o of this.state.orders.values()) if (o.idempotency_key === key) return copy(o);
    return null;
  }
  openOrders(): OrderRecord[] {
    return [...this.state.orders.values()]
      .filter((o) => o.status === "PENDING" || o.status === "PARTIALLY_FILLED")
      .sort((a, b) => a.created_at - b.created_at || a.id.localeCompare(b.id))
      .map(copy);
  }
  saveOrder(order: OrderRecord): void {
    this.state.orders.set(order.id, copy(order));
  }
  hasFill(id: string): boolean {
    return this.state.fills.has(id);
  }
  saveFill(fill: FillRecord): void {
    if (this.state.fills.has(fill.id)) throw new Error(`fill ${fill.id} saved twice`);
    this.state.fills.set(fill.id, copy(fill));
    this.fillLog.push(copy(fill));
  }
  position(venue: string, base: string): PositionRecord | null {
    const p = this.state.positions.get(`${venue}|${base}`);
    return p ? copy(p) : null;
  }
  positions(): PositionRecord[] {
    return [...this.state.positions.values()].map(copy);
  }
  savePosition(position: PositionRecord): void {
    this.state.positions.set(`${position.venue}|${position.base}`, copy(position));
  }
  clearPositions(): void {
    this.state.positions.clear();
  }
  trade(id: string): TradeRecord | null {
    const t = this.state.trades.get(id);
    return t ? copy(t) : null;
  }
  saveTrade(trade: TradeRecord): void {
    this.state.trades.set(trade.id, copy(trade));
  }
  publish(entry: OutboxEntry): void {
    this.state.outbox.push(copy(entry));
  }
  transaction<T>(fn: () => T): T {
    const before = copy(this.state);
    const logged = this.fillLog.length;
    try {
      return fn();
    } catch (error) {
      this.state = before;
      this.fillLog.length = logged;
      throw error;
    }
  }
}
