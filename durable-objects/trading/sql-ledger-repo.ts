/**
 * The ledger's records in its Durable Object's SQLite storage. Orders, fills, positions and trades
 * are rows with their record as JSON (and the columns their lookups need); the outbox is a queue of
 * changes to publish, each with what has been done with it (D1, the queue).
 */
import type { LedgerRepo } from "./ledger-repo";
import type { AccountRecord, FillRecord, OrderRecord, OutboxEntry, PositionRecord, TradeRecord } from "./records";

/** An outbox row: the change, and whether D1 and the queue have it. */
export interface OutboxRow {
  seq: number;
  entry: OutboxEntry;
  d1_done: boolean;
  queue_done: boolean;
}

export class SqlLedgerRepo implements LedgerRepo {
  /** What the running operation published, handed to the caller once it has committed. */
  private published: OutboxEntry[] = [];

  constructor(private readonly storage: DurableObjectStorage) {
    const sql = storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS account (id INTEGER PRIMARY KEY CHECK (id = 1), data TEXT NOT NULL)");
    sql.exec(`CREATE TABLE IF NOT EXISTS orders (
      id TEXT PRIMARY KEY, client_order_id TEXT UNIQUE, idempotency_key TEXT UNIQUE,
      status TEXT NOT NULL, base TEXT NOT NULL, created_at INTEGER NOT NULL, data TEXT NOT NULL)`);
    sql.exec("CREATE INDEX IF NOT EXISTS orders_created ON orders (created_at, id)");
    sql.exec(
      "CREATE INDEX IF NOT EXISTS orders_open ON orders (status) WHERE status IN ('PENDING', 'PARTIALLY_FILLED')",
    );
    sql.exec(`CREATE TABLE IF NOT EXISTS fills (
      id TEXT PRIMARY KEY, order_id TEXT NOT NULL, timestamp INTEGER NOT NULL, data TEXT NOT NULL)`);
    sql.exec("CREATE INDEX IF NOT EXISTS fills_time ON fills (timestamp, id)");
    sql.exec("CREATE INDEX IF NOT EXISTS fills_order ON fills (order_id)");
    sql.exec(
      "CREATE TABLE IF NOT EXISTS positions (venue TEXT NOT NULL, base TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (venue, base))",
    );
    sql.exec(
      "CREATE TABLE IF NOT EXISTS trades (id TEXT PRIMARY KEY, created_at INTEGER NOT NULL, data TEXT NOT NULL)",
    );
    sql.exec(`CREATE TABLE IF NOT EXISTS outbox (
      seq INTEGER PRIMARY KEY AUTOINCREMENT, data TEXT NOT NULL,
      d1_done INTEGER NOT NULL DEFAULT 0, queue_done INTEGER NOT NULL DEFAULT 0)`);
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private one<T>(query: string, ...params: (string | number)[]): T | null {
    const row = this.sql.exec<{ data: string }>(query, ...params).toArray()[0];
    return row ? (JSON.parse(row.data) as T) : null;
  }

  private all<T>(query: string, ...params: (string | number)[]): T[] {
    return this.sql
      .exec<{ data: string }>(query, ...params)
      .toArray()
      .map((r) => JSON.parse(r.data) as T);
  }

  account(): AccountRecord | null {
    return this.one<AccountRecord>("SELECT data FROM account WHERE id = 1");
  }

  saveAccount(account: AccountRecord): void {
    this.sql.exec(
      "INSERT INTO account (id, data) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data",
      JSON.stringify(account),
    );
  }

  order(id: string): OrderRecord | null {
    return this.one<OrderRecord>("SELECT data FROM orders WHERE id = ?", id);
  }

  orderByClientId(clientOrderId: string): OrderRecord | null {
    return this.one<OrderRecord>("SELECT data FROM orders WHERE client_order_id = ?", clientOrderId);
  }

  orderByIdempotencyKey(key: string): OrderRecord | null {
    return this.one<OrderRecord>("SELECT data FROM orders WHERE idempotency_key = ?", key);
  }

  openOrders(): OrderRecord[] {
    return this.all<OrderRecord>(
      "SELECT data FROM orders WHERE status IN ('PENDING', 'PARTIALLY_FILLED') ORDER BY created_at, id",
    );
  }

  saveOrder(order: OrderRecord): void {
    this.sql.exec(
      `INSERT INTO orders (id, client_order_id, idempotency_key, status, base, created_at, data)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET status = excluded.status, data = excluded.data`,
      order.id,
      order.client_order_id,
      order.idempotency_key,
      order.status,
      order.base,
      order.created_at,
      JSON.stringify(order),
    );
  }

  hasFill(id: string): boolean {
    return this.sql.exec("SELECT 1 FROM fills WHERE id = ?", id).toArray().length > 0;
  }

  saveFill(fill: FillRecord): void {
    this.sql.exec(
      "INSERT INTO fills (id, order_id, timestamp, data) VALUES (?, ?, ?, ?)",
      fill.id,
      fill.order_id,
      fill.timestamp,
      JSON.stringify(fill),
    );
  }

  position(venue: string, base: string): PositionRecord | null {
    return this.one<PositionRecord>("SELECT data FROM positions WHERE venue = ? AND base = ?", venue, base);
  }

  positions(): PositionRecord[] {
    return this.all<PositionRecord>("SELECT data FROM positions ORDER BY base, venue");
  }

  savePosition(position: PositionRecord): void {
    this.sql.exec(
      "INSERT INTO positions (venue, base, data) VALUES (?, ?, ?) ON CONFLICT(venue, base) DO UPDATE SET data = excluded.data",
      position.venue,
      position.base,
      JSON.stringify(position),
    );
  }

  clearPositions(): void {
    this.sql.exec("DELETE FROM positions");
  }

  trade(id: string): TradeRecord | null {
    return this.one<TradeRecord>("SELECT data FROM trades WHERE id = ?", id);
  }

  saveTrade(trade: TradeRecord): void {
    this.sql.exec(
      "INSERT INTO trades (id, created_at, data) VALUES (?, ?, ?)",
      trade.id,
      trade.created_at,
      JSON.stringify(trade),
    );
  }

  publish(entry: OutboxEntry): void {
    this.sql.exec("INSERT INTO outbox (data) VALUES (?)", JSON.stringify(entry));
    this.published.push(entry);
  }

  /** Runs `fn` in one storage transaction; returns its result and what it published (nothing if it threw). */
  transaction<T>(fn: () => T): T {
    this.published = [];
    try {
      return this.storage.transactionSync(fn);
    } catch (error) {
      this.published = [];
      throw error;
    }
  }

  /** What the last committed transaction published (once). */
  takePublished(): OutboxEntry[] {
    const entries = this.published;
    this.published = [];
    return entries;
  }

  // --- reads beyond the ledger's logic (lists, the outbox) -----------------------------------

  /** Orders newest first, after a cursor (`created_at:id` of the last one seen), optionally filtered. */
  listOrders(
    filter: { status?: string; base?: string; open?: boolean },
    limit: number,
    after: { at: number; id: string } | null,
  ): OrderRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (filter.status) {
      where.push("status = ?");
      params.push(filter.status);
    }
    if (filter.open) where.push("status IN ('PENDING', 'PARTIALLY_FILLED')");
    if (filter.base) {
      where.push("base = ?");
      params.push(filter.base);
    }
    if (after) {
      where.push("(created_at < ? OR (created_at = ? AND id < ?))");
      params.push(after.at, after.at, after.id);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this.all<OrderRecord>(
      `SELECT data FROM orders ${clause} ORDER BY created_at DESC, id DESC LIMIT ?`,
      ...params,
      limit,
    );
  }

  /** Orders newest first, from an offset (the seed's `limit`/`offset`). */
  ordersFrom(offset: number, limit: number): OrderRecord[] {
    return this.all<OrderRecord>(
      "SELECT data FROM orders ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?",
      limit,
      offset,
    );
  }

  /** Fills newest first, after a cursor, optionally of one order. */
  listFills(orderId: string | null, limit: number, after: { at: number; id: string } | null): FillRecord[] {
    const where: string[] = [];
    const params: (string | number)[] = [];
    if (orderId) {
      where.push("order_id = ?");
      params.push(orderId);
    }
    if (after) {
      where.push("(timestamp < ? OR (timestamp = ? AND id < ?))");
      params.push(after.at, after.at, after.id);
    }
    const clause = where.length > 0 ? `WHERE ${where.join(" AND ")}` : "";
    return this.all<FillRecord>(
      `SELECT data FROM fills ${clause} ORDER BY timestamp DESC, id DESC LIMIT ?`,
      ...params,
      limit,
    );
  }

  /** All fills, oldest first (for reconciliation). */
  allFills(): FillRecord[] {
    return this.all<FillRecord>("SELECT data FROM fills ORDER BY timestamp, id");
  }

  trades(limit: number): TradeRecord[] {
    return this.all<TradeRecord>("SELECT data FROM trades ORDER BY created_at DESC LIMIT ?", limit);
  }

  /** The oldest outbox rows not yet fully published. */
  outbox(limit: number): OutboxRow[] {
    return this.sql
      .exec<{ seq: number; data: string; d1_done: number; queue_done: number }>(
        "SELECT seq, data, d1_done, queue_done FROM outbox ORDER BY seq LIMIT ?",
        limit,
      )
      .toArray()
      .map((r) => ({
        seq: r.seq,
        entry: JSON.parse(r.data) as OutboxEntry,
        d1_done: r.d1_done === 1,
        queue_done: r.queue_done === 1,
      }));
  }

  /** Marks outbox rows as written to D1 or sent to the queue; rows with both done are removed. */
  markPublished(seqs: number[], part: "d1" | "queue"): void {
    if (seqs.length === 0) return;
    const marks = seqs.map(() => "?").join(",");
    this.sql.exec(`UPDATE outbox SET ${part}_done = 1 WHERE seq IN (${marks})`, ...seqs);
    this.sql.exec("DELETE FROM outbox WHERE d1_done = 1 AND queue_done = 1");
  }

  outboxSize(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n;
  }
}
