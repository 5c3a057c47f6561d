import { NotificationEvent } from "../../protocol/events";

/**
 * The `notifications` queue consumer. Each message is checked against the event schema; an event is
 * stored in its user's in-app inbox (D1 `notifications`, keyed by the event id, so a redelivered
 * event is stored once) and acknowledged. A message that is not an event is logged and acknowledged
 * (retrying it cannot help); one that D1 refuses is retried with backoff.
 */
export async function handleNotifications(batch: MessageBatch<NotificationEvent>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const parsed = NotificationEvent.safeParse(message.body);
    if (!parsed.success) {
      console.error(JSON.stringify({ msg: "not a notification event; dropped", id: message.id }));
      message.ack();
      continue;
    }
    const event = parsed.data;
    try {
      await env.DB.prepare(
        `INSERT INTO notifications (id, user_id, type, data, created_at)
         SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)
         ON CONFLICT(id) DO NOTHING`,
      )
        .bind(event.id, event.data.user_id, event.type, JSON.stringify(event.data), event.timestamp)
        .run();
      message.ack();
    } catch (error) {
      console.error(JSON.stringify({ msg: "notification not stored; will retry", id: event.id, error: String(error) }));
      message.retry({ delaySeconds: Math.min(60, 2 ** message.attempts) });
    }
  }
}
