import { NotificationEvent } from "../../protocol/events";

/**
 * The `notifications` queue consumer. Each message is checked against the event schema; until the
 * delivery channels exist, a valid event is logged and acknowledged so nothing piles up in the queue,
 * and a message that is not an event is logged and acknowledged too (retrying it cannot help).
 */
export async function handleNotifications(batch: MessageBatch<NotificationEvent>): Promise<void> {
  for (const message of batch.messages) {
    const event = NotificationEvent.safeParse(message.body);
    if (event.success) {
      console.log(
        JSON.stringify({
          msg: "notification event",
          id: event.data.id,
          type: event.data.type,
          attempts: message.attempts,
        }),
      );
    } else {
      console.error(JSON.stringify({ msg: "not a notification event; dropped", id: message.id }));
    }
    message.ack();
  }
}
