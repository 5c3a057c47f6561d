/** Inbox rows as the API and `/ws/user` show them: rendered in the reader's locale when read. */
import { NotificationEvent } from "../../protocol/events";
import type { InboxNotification, Locale } from "../../protocol/notifications";
import { render } from "./render";

export interface InboxRow {
  id: string;
  type: string;
  data: string;
  created_at: number;
  read_at: number | null;
}

export function inboxItem(row: InboxRow, locale: Locale): InboxNotification {
  const data = JSON.parse(row.data) as Record<string, unknown>;
  const event = NotificationEvent.safeParse({ id: row.id, type: row.type, data, timestamp: row.created_at });
  const text = event.success ? render(event.data, locale) : { title: row.type, body: "" };
  return {
    id: row.id,
    type: row.type,
    title: text.title,
    body: text.body,
    data,
    created_at: new Date(row.created_at).toISOString(),
    timestamp: row.created_at,
    read_at: row.read_at === null ? null : new Date(row.read_at).toISOString(),
  };
}
