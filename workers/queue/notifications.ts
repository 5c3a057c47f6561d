/**
 * The `notifications` queue consumer. Notification events are produced by later features (fills,
 * alerts); until then each message is logged and acknowledged so nothing piles up in the queue.
 */
export async function handleNotifications(batch: MessageBatch<unknown>): Promise<void> {
  for (const message of batch.messages) {
    console.log(JSON.stringify({ msg: "notification event", id: message.id, attempts: message.attempts }));
    message.ack();
  }
}
