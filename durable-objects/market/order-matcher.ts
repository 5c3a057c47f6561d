/**
 * A coin's resting orders and what matching them produced, stored in the coin's MarketSymbol: the
 * orders the users' ledgers registered (kept in memory in a `MatchingBook`, mirrored in SQLite), and
 * an outbox of match messages (fills, stops reached) written in the same commit as the match and
 * delivered to each user's ledger until it confirms, so a fill crosses to the ledger exactly once
 * however often delivery is retried (the ledger applies each message id once).
 */
import { type BookOrder, MatchingBook, type Tick } from "../trading/matching";
import type { MatchMessage, RestingOrder } from "../trading/records";

/** Delivers one user's messages to that user's ledger; resolves when the ledger has applied them. */
export type DeliverMatches = (userId: string, messages: MatchMessage[]) => Promise<void>;

/** How long the ids of cancelled orders are remembered, so a registration that arrives late is refused. */
const TOMBSTONE_MS = 7 * 24 * 60 * 60 * 1000;
const RETRY_MS = 1_000;

export class OrderMatcher {
  private readonly book: MatchingBook;
  private delivering: Promise<void> | null = null;
  private again = false;

  constructor(
    private readonly storage: DurableObjectStorage,
    participation: number,
    staleMs: number,
    private readonly deliver: DeliverMatches,
  ) {
    this.book = new MatchingBook(participation, staleMs);
    const sql = storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS resting_orders (id TEXT PRIMARY KEY, data TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS match_outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, id TEXT NOT NULL UNIQUE, user_id TEXT NOT NULL,
      order_id TEXT NOT NULL, data TEXT NOT NULL)`);
    sql.exec("CREATE TABLE IF NOT EXISTS cancelled_orders (id TEXT PRIMARY KEY, at INTEGER NOT NULL)");
    for (const row of sql.exec<{ data: string }>("SELECT data FROM resting_orders")) {
      this.book.add(JSON.parse(row.data) as BookOrder);
    }
  }

  /** Resting orders held. */
  size(): number {
    return this.book.size;
  }

  /** Messages not yet confirmed by their ledgers. */
  pendingMessages(): number {
    return this.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM match_outbox").one().n;
  }

  /** Registers a resting order (idempotent; an order cancelled before it arrived is refused). */
  rest(order: RestingOrder): "resting" | "cancelled" {
    if (this.book.has(order.id)) return "resting";
    const cancelled = this.storage.sql.exec("SELECT 1 FROM cancelled_orders WHERE id = ?", order.id).toArray();
    if (cancelled.length > 0) return "cancelled";
    const entry: BookOrder = { ...order, first_cross_at: null, matched: "0", fill_seq: 0 };
    this.storage.sql.exec("INSERT INTO resting_orders (id, data) VALUES (?, ?)", order.id, JSON.stringify(entry));
    this.book.add(entry);
    return "resting";
  }

  /**
   * Takes an order out of the book for good, and hands back what was matched for it but not yet
   * delivered (those messages leave the outbox: the caller, the order's ledger, applies them).
   */
  cancel(orderId: string, now = Date.now()): MatchMessage[] {
    const sql = this.storage.sql;
    this.book.remove(orderId);
    sql.exec("DELETE FROM resting_orders WHERE id = ?", orderId);
    sql.exec("INSERT OR IGNORE INTO cancelled_orders (id, at) VALUES (?, ?)", orderId, now);
    const leftovers = sql
      .exec<{ data: string }>("SELECT data FROM match_outbox WHERE order_id = ? ORDER BY seq", orderId)
      .toArray()
      .map((r) => JSON.parse(r.data) as MatchMessage);
    sql.exec("DELETE FROM match_outbox WHERE order_id = ?", orderId);
    sql.exec("DELETE FROM cancelled_orders WHERE at < ?", now - TOMBSTONE_MS);
    return leftovers;
  }

  /** Matches a delivery's ticks, in order; stores the book's changes and the messages in this commit. */
  onTicks(ticks: Tick[], now: number): number {
    if (this.book.size === 0 || ticks.length === 0) return 0;
    const sql = this.storage.sql;
    let produced = 0;
    for (const tick of ticks) {
      const { messages, changed, removed } = this.book.onTick(tick, now);
      for (const order of removed) sql.exec("DELETE FROM resting_orders WHERE id = ?", order.id);
      const gone = new Set(removed.map((o) => o.id));
      for (const order of changed) {
        if (!gone.has(order.id)) {
          sql.exec("UPDATE resting_orders SET data = ? WHERE id = ?", JSON.stringify(order), order.id);
        }
      }
      for (const { user_id, ...message } of messages) {
        sql.exec(
          "INSERT OR IGNORE INTO match_outbox (id, user_id, order_id, data) VALUES (?, ?, ?, ?)",
          message.id,
          user_id,
          message.order_id,
          JSON.stringify(message),
        );
      }
      produced += messages.length;
    }
    return produced;
  }

  /**
   * Delivers the outbox, one user's messages at a time in the order they were made, until it is empty
   * or a ledger does not answer (then the caller retries later: `true` means something is left).
   */
  flush(): Promise<boolean> {
    if (this.delivering) {
      this.again = true;
      return this.delivering.then(() => this.pendingMessages() > 0);
    }
    this.delivering = (async () => {
      do {
        this.again = false;
        await this.deliverRound();
      } while (this.again);
    })().finally(() => {
      this.delivering = null;
    });
    return this.delivering.then(() => this.pendingMessages() > 0);
  }

  private async deliverRound(): Promise<void> {
    const sql = this.storage.sql;
    const rows = sql
      .exec<{ seq: number; user_id: string; data: string }>(
        "SELECT seq, user_id, data FROM match_outbox ORDER BY seq LIMIT 1000",
      )
      .toArray();
    const byUser = new Map<string, { seqs: number[]; messages: MatchMessage[] }>();
    for (const row of rows) {
      let entry = byUser.get(row.user_id);
      if (!entry) {
        entry = { seqs: [], messages: [] };
        byUser.set(row.user_id, entry);
      }
      entry.seqs.push(row.seq);
      entry.messages.push(JSON.parse(row.data) as MatchMessage);
    }
    let delivered = 0;
    await Promise.all(
      [...byUser].map(async ([userId, { seqs, messages }]) => {
        try {
          await this.deliver(userId, messages);
          // One statement per row: a single IN list would exceed SQLite's bound-parameter limit (100 in DOs).
          for (const seq of seqs) sql.exec("DELETE FROM match_outbox WHERE seq = ?", seq);
          delivered += seqs.length;
        } catch (error) {
          console.error(
            JSON.stringify({ msg: "matches not delivered; will retry", user: userId, error: String(error) }),
          );
        }
      }),
    );
    if (rows.length === 1000 && delivered > 0) this.again = true;
  }

  /** When to retry delivery after a failure. */
  retryAt(now = Date.now()): number {
    return now + RETRY_MS;
  }
}
