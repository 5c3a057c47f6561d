/** The daily cron trims the notification tables past their retention and keeps everything newer. */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import worker from "../../workers/index";
import { RETENTION } from "../../workers/notifications/retention";
import { seedRecipients } from "./support/notifications";

const DAY = 24 * 3600 * 1000;

it("deletes old deliveries (but not those of an event waiting in the dead letters), read and old inbox items, old dead letters and expired link codes; keeps the rest", async () => {
  const [r] = await seedRecipients(1);
  const now = Date.now();
  const old = (days: number) => now - (days + 1) * DAY;
  const tag = crypto.randomUUID().slice(0, 8);
  const delivery = (id: string, status: string, at: number) =>
    env.DB.prepare(
      `INSERT INTO notification_deliveries (event_id, channel, target, user_id, event_type, status, attempts, created_at, updated_at)
       VALUES (?, 'email', '', ?, 'alert.triggered', ?, 1, ?, ?)`,
    ).bind(`${tag}-${id}`, r.userId, status, at, at);
  const inbox = (id: string, at: number, read: boolean) =>
    env.DB.prepare(
      "INSERT INTO notifications (id, user_id, type, data, created_at, read_at) VALUES (?, ?, 'alert.triggered', '{}', ?, ?)",
    ).bind(`${tag}-${id}`, r.userId, at, read ? at : null);
  const letter = (id: string, failedAt: number, redrivenAt: number | null) =>
    env.DB.prepare(
      "INSERT INTO notification_dead_letters (id, reason, body, failed_at, redriven_at) VALUES (?, 'x', '{}', ?, ?)",
    ).bind(`${tag}-${id}`, failedAt, redrivenAt);
  await env.DB.batch([
    delivery("sent-old", "sent", old(RETENTION.deliveriesDays)),
    delivery("pending-old", "pending", old(RETENTION.deliveriesDays)),
    delivery("sent-new", "sent", now - DAY),
    delivery("sent-old-dead", "sent", old(RETENTION.deliveriesDays)),
    inbox("read-old", old(RETENTION.readInboxDays), true),
    inbox("unread-mid", old(RETENTION.readInboxDays), false),
    inbox("unread-old", old(RETENTION.unreadInboxDays), false),
    letter("redriven-old", old(RETENTION.deadLettersDays), old(RETENTION.redrivenDeadLettersDays)),
    letter("waiting-mid", old(RETENTION.redrivenDeadLettersDays), null),
    env.DB.prepare(
      "INSERT INTO notification_dead_letters (id, event_id, reason, body, failed_at) VALUES (?, ?, 'x', '{}', ?)",
    ).bind(`${tag}-holds`, `${tag}-sent-old-dead`, now - DAY),
    letter("waiting-old", old(RETENTION.deadLettersDays), null),
    env.DB.prepare("INSERT INTO telegram_link_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)").bind(
      `${tag}-expired`,
      r.userId,
      now - 1,
    ),
    env.DB.prepare("INSERT INTO telegram_link_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)").bind(
      `${tag}-live`,
      r.userId,
      now + 60_000,
    ),
  ]);

  await worker.scheduled(createScheduledController({ cron: "17 3 * * *" }), env);

  const ids = async (sql: string) =>
    (await env.DB.prepare(sql).bind(`${tag}-%`).all<{ id: string }>()).results.map((x) => x.id.slice(9)).sort();
  expect(await ids("SELECT event_id AS id FROM notification_deliveries WHERE event_id LIKE ?")).toEqual([
    "sent-new",
    "sent-old-dead",
  ]);
  expect(await ids("SELECT id FROM notifications WHERE id LIKE ?")).toEqual(["unread-mid"]);
  expect(await ids("SELECT id FROM notification_dead_letters WHERE id LIKE ?")).toEqual(["holds", "waiting-mid"]);
  expect(await ids("SELECT code_hash AS id FROM telegram_link_codes WHERE code_hash LIKE ?")).toEqual(["live"]);
});
