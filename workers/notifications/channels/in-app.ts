/**
 * The in-app channel: the inbox in D1 (`notifications`, keyed by the event id, so storing an event
 * twice stores it once) and, live, the user's `/ws/user` stream. The stream is best effort: the inbox
 * is what counts, and a client that reconnects reads it.
 */
import { userLedger } from "../../../durable-objects/addresses";
import { inboxItem } from "../inbox";
import type { ChannelSender } from "./channel";

export const inAppChannel: ChannelSender = {
  channel: "in_app",
  unconfigured: () => null,
  targets: () => [""],
  async send({ env, recipient, event }) {
    await env.DB.prepare(
      `INSERT INTO notifications (id, user_id, type, data, created_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT(id) DO NOTHING`,
    )
      .bind(event.id, recipient.userId, event.type, JSON.stringify(event.data), event.timestamp)
      .run();
    const item = inboxItem(
      { id: event.id, type: event.type, data: JSON.stringify(event.data), created_at: event.timestamp, read_at: null },
      recipient.locale,
    );
    try {
      await userLedger(env, recipient.userId).notify(item);
    } catch (error) {
      console.warn(
        JSON.stringify({ msg: "notification not streamed to /ws/user", id: event.id, error: String(error) }),
      );
    }
    return { status: "sent" };
  },
};
