/**
 * Publishes what a ledger stored, from its outbox, until it lands: orders and fills into the D1
 * projection, and order events onto the `notifications` queue in the seed's event shape. An event's
 * id is its order's id and version, so a send retried after a failure carries the same id and the
 * consumer delivers it once. D1 and the queue are marked apart: a failure of one does not resend the
 * other. What is left after a failure is retried by the ledger's alarm.
 */
import { type NotificationEvent, notificationEvent } from "../../protocol/events";
import { projectToD1 } from "./d1-projection";
import type { FillRecord, OrderRecord } from "./records";
import type { SqlLedgerRepo } from "./sql-ledger-repo";
import { orderView } from "./views";

const BATCH = 100;

export class LedgerPublisher {
  private running: Promise<boolean> | null = null;
  private again = false;

  constructor(
    private readonly repo: SqlLedgerRepo,
    private readonly env: Env,
  ) {}

  /** Publishes the outbox; resolves true when something is left (a failure: retry later). */
  flush(): Promise<boolean> {
    if (this.running) {
      this.again = true;
      return this.running;
    }
    this.running = (async () => {
      let left = false;
      do {
        this.again = false;
        left = await this.round();
      } while (this.again && !left);
      return left;
    })().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  /** One batch; true when a part failed. */
  private async round(): Promise<boolean> {
    const rows = this.repo.outbox(BATCH);
    if (rows.length === 0) return false;
    let failed = false;

    const forD1 = rows.filter((r) => !r.d1_done);
    if (forD1.length > 0) {
      const orders: OrderRecord[] = [];
      const fills: FillRecord[] = [];
      for (const { entry } of forD1) {
        if (entry.kind === "order") orders.push(entry.order);
        else fills.push(entry.fill);
      }
      try {
        await projectToD1(this.env.DB, orders, fills);
        this.repo.markPublished(
          forD1.map((r) => r.seq),
          "d1",
        );
      } catch (error) {
        failed = true;
        console.error(JSON.stringify({ msg: "ledger projection to D1 failed; will retry", error: String(error) }));
      }
    }

    const forQueue = rows.filter((r) => !r.queue_done);
    const events: NotificationEvent[] = [];
    for (const { entry } of forQueue) {
      if (entry.kind !== "order" || entry.event === null) continue;
      events.push(
        notificationEvent(entry.event, orderView(entry.order), {
          id: `${entry.order.id}:${entry.order.version}`,
          timestamp: entry.order.updated_at,
        }),
      );
    }
    try {
      if (events.length > 0) await this.env.NOTIFICATIONS.sendBatch(events.map((body) => ({ body })));
      this.repo.markPublished(
        forQueue.map((r) => r.seq),
        "queue",
      );
    } catch (error) {
      failed = true;
      console.error(JSON.stringify({ msg: "order events not queued; will retry", error: String(error) }));
    }
    if (!failed && rows.length === BATCH) this.again = true;
    return failed;
  }
}
