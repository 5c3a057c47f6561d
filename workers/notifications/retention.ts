/**
 * The notification tables' retention, run daily by the Worker's cron trigger (wrangler.toml): the
 * delivery log after 30 days (except the rows of an event whose dead letter waits to be re-driven:
 * they are what keeps a re-drive from sending again what was sent), read inbox items after 90 days
 * and unread ones after 180, re-driven dead letters after 30 days and the rest after 90, and expired
 * Telegram link codes.
 * Each table is trimmed in slices, so a long backlog never makes one statement too long.
 */
const DAY_MS = 24 * 3600 * 1000;
/** Rows deleted per statement. */
const SLICE = 5_000;

export const RETENTION = {
  deliveriesDays: 30,
  readInboxDays: 90,
  unreadInboxDays: 180,
  redrivenDeadLettersDays: 30,
  deadLettersDays: 90,
} as const;

/** Deletes what is past its retention; answers how many rows went, per table. */
export async function trimNotifications(db: D1Database, now = Date.now()): Promise<Record<string, number>> {
  const before = (days: number) => now - days * DAY_MS;
  const jobs: [string, string, unknown[]][] = [
    [
      "notification_deliveries",
      `DELETE FROM notification_deliveries WHERE rowid IN (SELECT rowid FROM notification_deliveries d
         WHERE d.updated_at < ? AND NOT EXISTS (SELECT 1 FROM notification_dead_letters l
           WHERE l.event_id = d.event_id AND l.redriven_at IS NULL) LIMIT ${SLICE})`,
      [before(RETENTION.deliveriesDays)],
    ],
    [
      "notifications",
      `DELETE FROM notifications WHERE rowid IN (SELECT rowid FROM notifications
         WHERE (read_at IS NOT NULL AND created_at < ?) OR created_at < ? LIMIT ${SLICE})`,
      [before(RETENTION.readInboxDays), before(RETENTION.unreadInboxDays)],
    ],
    [
      "notification_dead_letters",
      `DELETE FROM notification_dead_letters WHERE rowid IN (SELECT rowid FROM notification_dead_letters
         WHERE (redriven_at IS NOT NULL AND redriven_at < ?) OR failed_at < ? LIMIT ${SLICE})`,
      [before(RETENTION.redrivenDeadLettersDays), before(RETENTION.deadLettersDays)],
    ],
    ["telegram_link_codes", `DELETE FROM telegram_link_codes WHERE expires_at < ?`, [now]],
  ];
  const removed: Record<string, number> = {};
  for (const [table, sql, params] of jobs) {
    removed[table] = 0;
    for (;;) {
      const { meta } = await db
        .prepare(sql)
        .bind(...params)
        .run();
      removed[table] += meta.changes;
      if (meta.changes < SLICE) break;
    }
  }
  return removed;
}
