/**
 * The in-app channel: the inbox in D1 (`notifications`, keyed by the event id, so storing an event
 * twice stores it once) and, live, the user's `/ws/user` stream. A batch's events are stored with one
 * D1 batch and streamed with one call per user. The stream is best effort: the inbox is what counts,
 * and a client that reconnects reads it.
 */
import { userLedger } from "../../../durable-objects/addresses";
import type { InboxNotification } from "../../../protocol/notifications";
import { inboxItem } from "../inbox";
import type { ChannelSender, Outcome, Send } from "./channel";

/** Statements per D1 batch. */
const CHUNK = 50;

export const inAppChannel: ChannelSender = {
  channel: "in_app",
  unconfigured: () => null,
  targets: () => [""],
  async send(delivery) {
    const [outcome] = await storeAndStream([delivery]);
    return outcome;
  },
  sendMany: storeAndStream,
};

async function storeAndStream(deliveries: Send[]): Promise<Outcome[]> {
  if (deliveries.length === 0) return [];
  const { env } = deliveries[0];
  const statements = deliveries.map(({ recipient, event }) =>
    env.DB.prepare(
      `INSERT INTO notifications (id, user_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
    ).bind(event.id, recipient.userId, event.type, JSON.stringify(event.data), event.timestamp),
  );
  for (let i = 0; i < statements.length; i += CHUNK) await env.DB.batch(statements.slice(i, i + CHUNK));

  const byUser = new Map<string, InboxNotification[]>();
  for (const { recipient, event } of deliveries) {
    const item = inboxItem(
      { id: event.id, type: event.type, data: JSON.stringify(event.data), created_at: event.timestamp, read_at: null },
      recipient.locale,
    );
    byUser.set(recipient.userId, [...(byUser.get(recipient.userId) ?? []), item]);
  }
  await Promise.all(
    [...byUser].map(async ([userId, items]) => {
      try {
        await userLedger(env, userId).notify(items);
      } catch (error) {
        console.warn(
          JSON.stringify({ msg: "notifications not streamed to /ws/user", user: userId, error: String(error) }),
        );
      }
    }),
  );
  return deliveries.map(() => ({ status: "sent" }));
}
