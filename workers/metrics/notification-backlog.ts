/**
 * How far behind notification delivery is, for `/metrics`:
 * - each queue's backlog as the platform counts it (`Queue.metrics()`: messages not yet acknowledged,
 *   and the oldest one's age), for `notifications` and its dead-letter queue `notifications-dlq`;
 * - the delivery log's unfinished rows (D1 `notification_deliveries`): `pending` (a provider asked us
 *   to retry: the message is back on the queue), `sending` (claimed by a consumer whose lease is live)
 *   and `lease_expired` (claimed by a consumer that died; the next delivery of the message takes it over);
 * - dead letters stored and not re-driven (D1 `notification_dead_letters`): what waits for an admin.
 *
 * The D1 counts scan their tables (no index on `status`); the dead letters are few, the delivery log
 * is 30 days of rows. A partial index on `notification_deliveries(status) WHERE status IN
 * ('pending','sending')` would make the scrape read only the unfinished rows.
 */
import { header } from "./prometheus";

export interface QueueBacklog {
  messages: number;
  /** Age of the oldest message (null: empty, or the platform did not say). */
  oldest_age_ms: number | null;
}

export interface NotificationBacklog {
  /** Per queue; null when the queue's metrics could not be read. */
  queues: Record<string, QueueBacklog | null>;
  deliveries: { pending: number; sending: number; lease_expired: number };
  dead_letters: number;
}

/** Reads the backlog: both queues' metrics and the two D1 counts (one D1 round trip). */
export async function notificationBacklog(env: Env, now = Date.now()): Promise<NotificationBacklog> {
  const [notifications, deadLetterQueue, d1] = await Promise.all([
    queueBacklog(env.NOTIFICATIONS, now),
    queueBacklog(env.NOTIFICATIONS_DLQ, now),
    env.DB.batch<Record<string, number | null>>([
      env.DB.prepare(
        `SELECT COALESCE(SUM(status = 'pending'), 0) AS pending,
                COALESCE(SUM(status = 'sending' AND lease_until >= ?1), 0) AS sending,
                COALESCE(SUM(status = 'sending' AND lease_until < ?1), 0) AS lease_expired
         FROM notification_deliveries WHERE status IN ('pending', 'sending')`,
      ).bind(now),
      env.DB.prepare("SELECT COUNT(*) AS waiting FROM notification_dead_letters WHERE redriven_at IS NULL"),
    ]),
  ]);
  const deliveries = d1[0]?.results[0] ?? {};
  return {
    queues: { notifications, "notifications-dlq": deadLetterQueue },
    deliveries: {
      pending: deliveries.pending ?? 0,
      sending: deliveries.sending ?? 0,
      lease_expired: deliveries.lease_expired ?? 0,
    },
    dead_letters: d1[1]?.results[0]?.waiting ?? 0,
  };
}

/** A queue's backlog from its producer binding; null when the runtime cannot tell. */
async function queueBacklog(queue: Queue, now: number): Promise<QueueBacklog | null> {
  try {
    const m = await queue.metrics();
    const oldest = m.oldestMessageTimestamp ? new Date(m.oldestMessageTimestamp).getTime() : null;
    return { messages: m.backlogCount, oldest_age_ms: oldest === null ? null : Math.max(0, now - oldest) };
  } catch (error) {
    console.warn(JSON.stringify({ msg: "queue metrics unavailable", error: String(error) }));
    return null;
  }
}

/** The backlog as exposition lines. */
export function notificationBacklogLines(b: NotificationBacklog): string[] {
  const queues = Object.entries(b.queues).filter((e): e is [string, QueueBacklog] => e[1] !== null);
  return [
    ...header("kimchi_queue_backlog_messages", {
      type: "gauge",
      help: "Messages on a queue not yet acknowledged by its consumer (the platform's count).",
    }),
    ...queues.map(([q, m]) => `kimchi_queue_backlog_messages{queue="${q}"} ${m.messages}`),
    ...header("kimchi_queue_oldest_message_age_seconds", {
      type: "gauge",
      help: "Age of the oldest message on a queue (absent when it is empty).",
    }),
    ...queues
      .filter(([, m]) => m.oldest_age_ms !== null)
      .map(([q, m]) => `kimchi_queue_oldest_message_age_seconds{queue="${q}"} ${(m.oldest_age_ms ?? 0) / 1000}`),
    ...header("kimchi_notification_deliveries_unfinished", {
      type: "gauge",
      help: "Delivery log rows not final: pending (to retry), sending (claimed, lease live), lease_expired (claimed by a consumer that died).",
    }),
    ...Object.entries(b.deliveries).map(([s, n]) => `kimchi_notification_deliveries_unfinished{status="${s}"} ${n}`),
    ...header("kimchi_notification_dead_letters", {
      type: "gauge",
      help: "Dead letters stored and not re-driven (waiting for an admin: /api/admin/notifications/dlq).",
    }),
    `kimchi_notification_dead_letters ${b.dead_letters}`,
  ];
}
