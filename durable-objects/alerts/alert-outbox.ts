/**
 * Fired alerts waiting to go onto the `notifications` queue. An event is written in the same storage
 * commit as the trigger state that fired it, then sent in the background and deleted once the queue
 * took it; what a failure or a restart leaves is sent again by the object's alarm, with the same
 * event id, so the consumer delivers it once.
 */
import type { NotificationEvent } from "../../protocol/events";

const SEND_BATCH = 100;
/** Rows deleted per statement (SQLite bounds the parameters of one statement). */
const DELETE_CHUNK = 50;

export class AlertOutbox {
  private running: Promise<boolean> | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly queue: Queue,
  ) {
    sql.exec("CREATE TABLE IF NOT EXISTS alert_outbox (id TEXT PRIMARY KEY, body TEXT NOT NULL)");
  }

  add(event: NotificationEvent): void {
    this.sql.exec("INSERT OR IGNORE INTO alert_outbox (id, body) VALUES (?, ?)", event.id, JSON.stringify(event));
  }

  size(): number {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM alert_outbox").one().n;
  }

  /** Sends what waits; resolves true when something is left (a failure: retry later). */
  flush(): Promise<boolean> {
    this.running ??= this.sendAll().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async sendAll(): Promise<boolean> {
    for (;;) {
      const rows = this.sql
        .exec<{ id: string; body: string }>("SELECT id, body FROM alert_outbox LIMIT ?", SEND_BATCH)
        .toArray();
      if (rows.length === 0) return false;
      try {
        await this.queue.sendBatch(rows.map((r) => ({ body: JSON.parse(r.body) as NotificationEvent })));
      } catch (error) {
        console.error(JSON.stringify({ msg: "alert events not queued; will retry", error: String(error) }));
        return true;
      }
      for (let i = 0; i < rows.length; i += DELETE_CHUNK) {
        const ids = rows.slice(i, i + DELETE_CHUNK).map((r) => r.id);
        this.sql.exec(`DELETE FROM alert_outbox WHERE id IN (${ids.map(() => "?").join(",")})`, ...ids);
      }
    }
  }
}
