/**
 * Everything the consumer needs to reach the users of a batch, read in a few queries: the address,
 * phone, locale and time zone from the profile; the preferences; the Web Push subscriptions; the
 * linked Telegram chat.
 */
import type { Channel, Locale, QuietHours } from "../../protocol/notifications";
import { parseEvents } from "./preferences";

export interface PushTarget {
  id: string;
  endpoint: string;
  p256dh: string;
  auth: string;
}

export interface Recipient {
  userId: string;
  email: string;
  phone: string | null;
  locale: Locale;
  timeZone: string;
  events: Partial<Record<string, Channel[]>>;
  quietHours: QuietHours | null;
  push: PushTarget[];
  telegramChatId: number | null;
}

/** IDs per `IN (...)` list (D1 bounds the parameters of a statement at 100). */
const CHUNK = 50;

export async function loadRecipients(db: D1Database, userIds: string[]): Promise<Map<string, Recipient>> {
  const out = new Map<string, Recipient>();
  for (let i = 0; i < userIds.length; i += CHUNK) {
    const ids = userIds.slice(i, i + CHUNK);
    const marks = ids.map(() => "?").join(",");
    const [users, subscriptions] = await db.batch<Record<string, unknown>>([
      db
        .prepare(
          `SELECT u.id, u.email, u.phone, u.locale, u.timezone, p.events, p.quiet_start, p.quiet_end, t.chat_id
           FROM users u
           LEFT JOIN notification_preferences p ON p.user_id = u.id
           LEFT JOIN telegram_chats t ON t.user_id = u.id
           WHERE u.id IN (${marks})`,
        )
        .bind(...ids),
      db
        .prepare(`SELECT id, user_id, endpoint, p256dh, auth FROM push_subscriptions WHERE user_id IN (${marks})`)
        .bind(...ids),
    ]);
    for (const row of users.results as unknown as UserRow[]) {
      out.set(row.id, {
        userId: row.id,
        email: row.email,
        phone: row.phone,
        locale: row.locale === "en" ? "en" : "ko",
        timeZone: row.timezone,
        events: parseEvents(row.events),
        quietHours: row.quiet_start && row.quiet_end ? { start: row.quiet_start, end: row.quiet_end } : null,
        push: [],
        telegramChatId: row.chat_id,
      });
    }
    for (const row of subscriptions.results as unknown as (PushTarget & { user_id: string })[]) {
      out.get(row.user_id)?.push.push({ id: row.id, endpoint: row.endpoint, p256dh: row.p256dh, auth: row.auth });
    }
  }
  return out;
}

interface UserRow {
  id: string;
  email: string;
  phone: string | null;
  locale: string;
  timezone: string;
  events: string | null;
  quiet_start: string | null;
  quiet_end: string | null;
  chat_id: number | null;
}
