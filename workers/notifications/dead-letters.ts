/**
 * Dead letters: messages the consumer gave up on (a body that is not an event, a provider that
 * refused for good, retries run out), put on the `notifications-dlq` queue with the reason, and
 * stored from there in D1 (`notification_dead_letters`) for admins to list and re-drive. Re-driving
 * puts the event back on the `notifications` queue with its own id and reopens its failed deliveries;
 * what was sent before stays sent, so nobody hears of an event twice.
 */
import { NotificationEvent } from "../../protocol/events";
import { DeadLetterEnvelope } from "../../protocol/notifications";
import { reopenFailed } from "./delivery-log";

/** Puts a message on the dead-letter queue with why. */
export async function sendToDeadLetters(env: Env, body: unknown, reason: string): Promise<void> {
  const envelope: DeadLetterEnvelope = { dead_letter: true, reason, body, failed_at: Date.now() };
  await env.NOTIFICATIONS_DLQ.send(envelope);
}

/** The dead-letter queue's consumer: stores each message once (by message id) and acknowledges it. */
export async function storeDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    const envelope = DeadLetterEnvelope.safeParse(message.body);
    // A bare body is one the runtime moved here after its retries ran out.
    const body = envelope.success ? envelope.data.body : message.body;
    const reason = envelope.success ? envelope.data.reason : `retries exhausted after ${message.attempts} attempts`;
    const failedAt = envelope.success ? envelope.data.failed_at : message.timestamp.getTime();
    const event = NotificationEvent.safeParse(body);
    const eventBody = event.success ? event.data : null;
    try {
      await env.DB.prepare(
        `INSERT INTO notification_dead_letters (id, event_id, event_type, user_id, reason, body, failed_at)
         VALUES (?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO NOTHING`,
      )
        .bind(
          message.id,
          eventBody?.id ?? null,
          eventBody?.type ?? null,
          eventBody?.data.user_id ?? null,
          reason.slice(0, 1000),
          JSON.stringify(body ?? null),
          failedAt,
        )
        .run();
      message.ack();
    } catch (error) {
      console.error(
        JSON.stringify({ msg: "dead letter not stored; will retry", id: message.id, error: String(error) }),
      );
      message.retry({ delaySeconds: 30 });
    }
  }
}

export type RedriveResult = { ok: true; event_id: string } | { ok: false; status: 404 | 409 | 422; detail: string };

/** Puts a dead letter's event back on the queue (once: a letter re-driven before is a 409). */
export async function redrive(env: Env, id: string, now = Date.now()): Promise<RedriveResult> {
  const row = await env.DB.prepare("SELECT body, redriven_at FROM notification_dead_letters WHERE id = ?")
    .bind(id)
    .first<{ body: string; redriven_at: number | null }>();
  if (!row) return { ok: false, status: 404, detail: `No dead letter ${id}` };
  if (row.redriven_at !== null) return { ok: false, status: 409, detail: `Dead letter ${id} was re-driven before` };
  let stored: unknown = null;
  try {
    stored = JSON.parse(row.body);
  } catch {}
  const event = NotificationEvent.safeParse(stored);
  if (!event.success)
    return { ok: false, status: 422, detail: "The message is not a notification event; it cannot be re-driven" };
  const claimed = await env.DB.prepare(
    "UPDATE notification_dead_letters SET redriven_at = ? WHERE id = ? AND redriven_at IS NULL",
  )
    .bind(now, id)
    .run();
  if (claimed.meta.changes === 0) return { ok: false, status: 409, detail: `Dead letter ${id} was re-driven before` };
  try {
    await reopenFailed(env.DB, event.data.id, now);
    await env.NOTIFICATIONS.send(event.data);
  } catch (error) {
    await env.DB.prepare("UPDATE notification_dead_letters SET redriven_at = NULL WHERE id = ?").bind(id).run();
    throw error;
  }
  return { ok: true, event_id: event.data.id };
}
