/**
 * The board's outbox to the coin objects: each touched coin's history (candle drafts, premium points,
 * its latest view) is merged into one pending update per coin, and delivered to that coin's
 * `MarketSymbol` in the background, retried until it lands. Updates merge idempotently
 * (`symbol-update.ts`), so a retried delivery never double counts, and the ingest path costs one
 * object commit instead of one per coin.
 *
 * Storage holds each batch's part of a coin's update (a row per coin and batch, written in the same
 * commit as the batch), not the merged update: writing the merged one again at every batch made the
 * board encode each coin's accumulated ticks over and over (a fifth of its CPU at 2,000 ticks/s). A
 * delivery deletes the parts it carried; after a restart the parts left are merged again, in order.
 *
 * Coins whose own stream (`/ws/prices/{symbol}`) has subscribers are delivered within one fan-out
 * interval; the rest by an alarm, in slices: every 200 ms the 50 longest-waiting coins, so 300 busy
 * coins are each delivered about once a second without a once-a-second burst of commits.
 */
import { mergeUpdates, type SymbolUpdate } from "./symbol-update";

const SYMBOL_DELIVERY_MS = 200;
const SYMBOL_DELIVERY_SLICE = 50;
/** Coins whose delivered parts are deleted per statement (two parameters each). */
const DELETE_CHUNK = 25;
/** How many coin objects one delivery round talks to at once. */
const SYMBOL_DELIVERY_CONCURRENCY = 16;

/** Delivers one coin's update; answers whether the coin wants its updates promptly (sockets, resting orders). */
export type DeliverUpdate = (base: string, update: SymbolUpdate) => Promise<{ watched: boolean }>;

/** What a coin's `MarketSymbol` answers a delivery: `watched`, and figures the board reports in `/metrics`. */
export interface SymbolUpdateAnswer {
  watched: boolean;
  /** Open `/ws/prices/{symbol}` sockets. */
  subscribers: number;
  /** Alert rules evaluated, and alerts fired, while applying this update. */
  alert_evaluations: number;
  alerts_fired: number;
}

export class SymbolOutbox {
  /** Per coin: the update its MarketSymbol has not confirmed yet, and a version to spot newer merges. */
  private readonly pending = new Map<string, { update: SymbolUpdate; version: number }>();
  private version = 0;
  private alarmSet = false;
  /** Coins whose own stream has subscribers: delivered every fan-out interval. */
  private readonly watched = new Set<string>();
  private readonly watchedDue = new Set<string>();
  private watchedTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(
    private readonly storage: DurableObjectStorage,
    private readonly deliverUpdate: DeliverUpdate,
    private readonly intervalMs: number,
  ) {
    const sql = storage.sql;
    sql.exec(
      "CREATE TABLE IF NOT EXISTS symbol_outbox_parts (base TEXT NOT NULL, version INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (base, version))",
    );
    sql.exec("CREATE TABLE IF NOT EXISTS watched_symbols (base TEXT PRIMARY KEY)");
    // Before the parts, each coin's merged update was one row (an outbox left by that version).
    sql.exec("CREATE TABLE IF NOT EXISTS symbol_outbox (base TEXT PRIMARY KEY, data TEXT NOT NULL)");
    sql.exec("INSERT OR IGNORE INTO symbol_outbox_parts (base, version, data) SELECT base, 0, data FROM symbol_outbox");
    sql.exec("DROP TABLE symbol_outbox");
    for (const row of sql.exec<{ base: string; version: number; data: string }>(
      "SELECT base, version, data FROM symbol_outbox_parts ORDER BY version",
    )) {
      const part = JSON.parse(row.data) as SymbolUpdate;
      this.version = Math.max(this.version, row.version);
      this.pending.set(row.base, {
        update: mergeUpdates(this.pending.get(row.base)?.update, part),
        version: row.version,
      });
    }
    for (const row of sql.exec<{ base: string }>("SELECT base FROM watched_symbols")) this.watched.add(row.base);
    this.schedule(); // an outbox left by a previous instance
  }

  /**
   * Merges each coin's new update into its pending one and writes it (in the caller's commit). Coins
   * in `urgent` (a tick reached one of their alert bands) go out within one fan-out interval, like
   * watched coins.
   */
  add(updates: Map<string, SymbolUpdate>, urgent: ReadonlySet<string> = new Set()): void {
    if (updates.size === 0) return;
    for (const [base, next] of updates) {
      const update = mergeUpdates(this.pending.get(base)?.update, next);
      const version = ++this.version;
      this.pending.set(base, { update, version });
      this.storage.sql.exec(
        "INSERT INTO symbol_outbox_parts (base, version, data) VALUES (?, ?, ?)",
        base,
        version,
        JSON.stringify(next),
      );
      if (this.watched.has(base) || urgent.has(base)) this.watchedDue.add(base);
    }
    this.schedule();
  }

  /** How many coins wait for delivery. */
  size(): number {
    return this.pending.size;
  }

  /** A client opened this coin's own stream: deliver it promptly from now on. */
  watch(base: string): void {
    this.setWatched(base, true);
  }

  /** Runs every 200 ms while anything waits: delivers the longest-waiting slice. */
  async alarm(): Promise<void> {
    this.alarmSet = false;
    await this.deliver([...this.pending.keys()].slice(0, SYMBOL_DELIVERY_SLICE));
    this.schedule();
  }

  private schedule(): void {
    if (this.watchedDue.size > 0 && this.watchedTimer === undefined) {
      this.watchedTimer = setTimeout(() => {
        this.watchedTimer = undefined;
        const due = [...this.watchedDue];
        this.watchedDue.clear();
        void this.deliver(due);
      }, this.intervalMs);
    }
    if (!this.alarmSet && this.pending.size > 0) {
      this.alarmSet = true;
      void this.storage.setAlarm(Date.now() + SYMBOL_DELIVERY_MS);
    }
  }

  /** Delivers the pending updates of the given coins; what fails stays queued for the next round. */
  private async deliver(bases: string[]): Promise<void> {
    const queue = bases.filter((b) => this.pending.has(b));
    /** Per coin delivered, the newest part its delivered update carried. */
    const delivered: [base: string, version: number][] = [];
    const worker = async () => {
      for (let base = queue.shift(); base !== undefined; base = queue.shift()) {
        const entry = this.pending.get(base);
        if (!entry) continue;
        try {
          const { watched } = await this.deliverUpdate(base, entry.update);
          this.setWatched(base, watched);
          // Only forget it if no newer batch merged into it meanwhile (its parts stay until then).
          if (this.pending.get(base)?.version === entry.version) this.pending.delete(base);
          delivered.push([base, entry.version]);
        } catch (error) {
          console.error(JSON.stringify({ msg: "coin update not delivered; will retry", base, error: String(error) }));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SYMBOL_DELIVERY_CONCURRENCY, queue.length) }, worker));
    // The parts each delivery carried, in as few statements as SQLite's parameter bound allows (one
    // commit for the round). A part merged in since the delivery started is newer, and stays.
    for (let i = 0; i < delivered.length; i += DELETE_CHUNK) {
      const slice = delivered.slice(i, i + DELETE_CHUNK);
      this.storage.sql.exec(
        `DELETE FROM symbol_outbox_parts WHERE ${slice.map(() => "(base = ? AND version <= ?)").join(" OR ")}`,
        ...slice.flat(),
      );
    }
  }

  private setWatched(base: string, watched: boolean): void {
    if (watched === this.watched.has(base)) return;
    if (watched) {
      this.watched.add(base);
      this.storage.sql.exec("INSERT OR IGNORE INTO watched_symbols (base) VALUES (?)", base);
    } else {
      this.watched.delete(base);
      this.storage.sql.exec("DELETE FROM watched_symbols WHERE base = ?", base);
    }
  }
}
