/**
 * The board's outbox to the coin objects: each touched coin's history (candle drafts, premium points,
 * its latest view) is merged into one pending update per coin, written in the same storage commit as
 * the batch that made it, and delivered to that coin's `MarketSymbol` in the background, retried
 * until it lands. Updates merge idempotently (`symbol-update.ts`), so a retried delivery never double
 * counts, and the ingest path costs one object commit instead of one per coin.
 *
 * Coins whose own stream (`/ws/prices/{symbol}`) has subscribers are delivered within one fan-out
 * interval; the rest by an alarm, in slices: every 200 ms the 50 longest-waiting coins, so 300 busy
 * coins are each delivered about once a second without a once-a-second burst of commits.
 */
import { mergeUpdates, type SymbolUpdate } from "./symbol-update";

const SYMBOL_DELIVERY_MS = 200;
const SYMBOL_DELIVERY_SLICE = 50;
/** Coins deleted from the outbox per statement. */
const DELETE_CHUNK = 50;
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
    sql.exec("CREATE TABLE IF NOT EXISTS symbol_outbox (base TEXT PRIMARY KEY, data TEXT NOT NULL)");
    sql.exec("CREATE TABLE IF NOT EXISTS watched_symbols (base TEXT PRIMARY KEY)");
    for (const row of sql.exec<{ base: string; data: string }>("SELECT base, data FROM symbol_outbox")) {
      this.pending.set(row.base, { update: JSON.parse(row.data) as SymbolUpdate, version: ++this.version });
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
      this.pending.set(base, { update, version: ++this.version });
      this.storage.sql.exec(
        "INSERT INTO symbol_outbox (base, data) VALUES (?, ?) ON CONFLICT(base) DO UPDATE SET data = excluded.data",
        base,
        JSON.stringify(update),
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
    const delivered: string[] = [];
    const worker = async () => {
      for (let base = queue.shift(); base !== undefined; base = queue.shift()) {
        const entry = this.pending.get(base);
        if (!entry) continue;
        try {
          const { watched } = await this.deliverUpdate(base, entry.update);
          this.setWatched(base, watched);
          // Only forget it if no newer batch merged into it meanwhile.
          if (this.pending.get(base)?.version === entry.version) {
            this.pending.delete(base);
            delivered.push(base);
          }
        } catch (error) {
          console.error(JSON.stringify({ msg: "coin update not delivered; will retry", base, error: String(error) }));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SYMBOL_DELIVERY_CONCURRENCY, queue.length) }, worker));
    // One statement (one commit) for the whole round.
    // A coin queued again since its delivery has a fresh row that must stay.
    const done = delivered.filter((base) => !this.pending.has(base));
    // In slices: SQLite bounds the parameters of one statement (a round may hold all 300 coins).
    for (let i = 0; i < done.length; i += DELETE_CHUNK) {
      const slice = done.slice(i, i + DELETE_CHUNK);
      this.storage.sql.exec(`DELETE FROM symbol_outbox WHERE base IN (${slice.map(() => "?").join(",")})`, ...slice);
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
