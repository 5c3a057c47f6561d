/**
 * The ledger's storage, as the ledger's logic sees it: synchronous reads and writes of its records
 * (a Durable Object's SQLite is synchronous), and `transaction`, which makes one operation's writes
 * land together or not at all. `sql-ledger-repo.ts` implements it on the object's storage; tests use
 * an in-memory one.
 */
import type { AccountRecord, FillRecord, OrderRecord, OutboxEntry, PositionRecord, TradeRecord } from "./records";

export interface LedgerRepo {
  account(): AccountRecord | null;
  saveAccount(account: AccountRecord): void;

  order(id: string): OrderRecord | null;
  orderByClientId(clientOrderId: string): OrderRecord | null;
  orderByIdempotencyKey(key: string): OrderRecord | null;
  /** Orders not yet FILLED, CANCELLED or REJECTED, oldest first. */
  openOrders(): OrderRecord[];
  saveOrder(order: OrderRecord): void;

  hasFill(id: string): boolean;
  saveFill(fill: FillRecord): void;

  position(venue: string, base: string): PositionRecord | null;
  positions(): PositionRecord[];
  savePosition(position: PositionRecord): void;
  clearPositions(): void;

  trade(id: string): TradeRecord | null;
  saveTrade(trade: TradeRecord): void;

  /** Queues a change for the D1 projection, the notifications queue and the user's stream. */
  publish(entry: OutboxEntry): void;

  /** Runs `fn` so that its writes land together, or none of them when it throws. */
  transaction<T>(fn: () => T): T;
}
