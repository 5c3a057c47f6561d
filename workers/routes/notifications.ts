import { createRoute, z } from "@hono/zod-openapi";
import { integerParam } from "../../protocol/common";
import {
  Delivery,
  InboxPage,
  NotificationPreferences,
  NotificationPreferencesUpdate,
} from "../../protocol/notifications";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { requireAuth } from "../middleware/auth";
import { type InboxRow, inboxItem } from "../notifications/inbox";
import { parseEvents, withDefaults } from "../notifications/preferences";

/**
 * The in-app inbox, the delivery log and the preferences of the signed-in user. The inbox is filled by
 * the queue consumer (and streamed live on `/ws/user` as `notification` frames).
 */
export const notificationsRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

const security = [{ BearerAuth: [] }];

notificationsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Notifications"],
    summary: "Your inbox, newest first, rendered in your locale",
    security,
    middleware: [requireAuth()] as const,
    request: {
      query: z.object({
        limit: integerParam(1, 200).optional(),
        /** An event id from `next_before`: the page after it. */
        before: z.string().max(128).optional(),
        unread_only: z.enum(["true", "false"]).optional(),
      }),
    },
    responses: { 200: json(InboxPage, "A page of the inbox"), ...problems(400, 401) },
  }),
  async (c) => {
    const { limit = 50, before, unread_only } = c.req.valid("query");
    const userId = c.var.user.id;
    let cursor: { created_at: number; id: string } | null = null;
    if (before) {
      cursor = await c.env.DB.prepare("SELECT created_at, id FROM notifications WHERE id = ? AND user_id = ?")
        .bind(before, userId)
        .first<{ created_at: number; id: string }>();
      if (!cursor)
        throw new Problem(400, "validation", "No such notification to page from", [
          { path: "before", message: "not one of your notifications" },
        ]);
    }
    const [page, unread, locale] = await c.env.DB.batch<Record<string, unknown>>([
      c.env.DB.prepare(
        `SELECT id, type, data, created_at, read_at FROM notifications
         WHERE user_id = ?1 AND (?2 IS NULL OR created_at < ?2 OR (created_at = ?2 AND id < ?3)) AND (?4 = 0 OR read_at IS NULL)
         ORDER BY created_at DESC, id DESC LIMIT ?5`,
      ).bind(userId, cursor?.created_at ?? null, cursor?.id ?? "", unread_only === "true" ? 1 : 0, limit + 1),
      unreadStatement(c.env.DB, userId),
      c.env.DB.prepare("SELECT locale FROM users WHERE id = ?").bind(userId),
    ]);
    const rows = page.results as unknown as InboxRow[];
    const lang = (locale.results[0] as { locale?: string } | undefined)?.locale === "en" ? "en" : "ko";
    const shown = rows.slice(0, limit);
    return c.json(
      {
        notifications: shown.map((r) => inboxItem(r, lang)),
        unread: (unread.results[0] as { n: number }).n,
        next_before: rows.length > limit ? (shown.at(-1)?.id ?? null) : null,
      },
      200,
    );
  },
);

notificationsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/unread-count",
    tags: ["Notifications"],
    summary: "How many inbox items you have not read",
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(z.object({ unread: z.number().int() }), "The count"), ...problems(401) },
  }),
  async (c) => {
    const row = await unreadStatement(c.env.DB, c.var.user.id).first<{ n: number }>();
    return c.json({ unread: row?.n ?? 0 }, 200);
  },
);

notificationsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/read",
    tags: ["Notifications"],
    summary: "Mark inbox items read: the ids given, or all of them with `all: true`",
    security,
    middleware: [requireAuth()] as const,
    request: {
      body: {
        content: {
          "application/json": {
            schema: z
              .object({
                ids: z.array(z.string().min(1).max(128)).min(1).max(200).optional(),
                all: z.literal(true).optional(),
              })
              .strict()
              .refine((b) => (b.ids === undefined) !== (b.all === undefined), "give either `ids` or `all: true`"),
          },
        },
        required: true,
      },
    },
    responses: {
      200: json(z.object({ marked: z.number().int(), unread: z.number().int() }), "Marked"),
      ...problems(400, 401, 413),
    },
  }),
  async (c) => {
    const { ids } = c.req.valid("json");
    const userId = c.var.user.id;
    const now = Date.now();
    const statements = ids
      ? ids.map((id) =>
          c.env.DB.prepare(
            "UPDATE notifications SET read_at = ? WHERE user_id = ? AND id = ? AND read_at IS NULL",
          ).bind(now, userId, id),
        )
      : [
          c.env.DB.prepare("UPDATE notifications SET read_at = ? WHERE user_id = ? AND read_at IS NULL").bind(
            now,
            userId,
          ),
        ];
    const results = await c.env.DB.batch(statements);
    const unread = await unreadStatement(c.env.DB, userId).first<{ n: number }>();
    return c.json({ marked: results.reduce((n, r) => n + r.meta.changes, 0), unread: unread?.n ?? 0 }, 200);
  },
);

notificationsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/deliveries",
    tags: ["Notifications"],
    summary: "Your delivery log, newest first: each event on each channel, sent, skipped (and why) or failed",
    security,
    middleware: [requireAuth()] as const,
    request: { query: z.object({ limit: integerParam(1, 500).optional(), event_id: z.string().max(128).optional() }) },
    responses: { 200: json(z.array(Delivery), "Deliveries"), ...problems(400, 401) },
  }),
  async (c) => {
    const { limit = 100, event_id } = c.req.valid("query");
    const { results } = await c.env.DB.prepare(
      `SELECT event_id, event_type, channel, target, status, attempts, reason, provider_id, updated_at
       FROM notification_deliveries WHERE user_id = ?1 AND (?2 IS NULL OR event_id = ?2)
       ORDER BY updated_at DESC LIMIT ?3`,
    )
      .bind(c.var.user.id, event_id ?? null, limit)
      .all<Omit<Delivery, "updated_at"> & { updated_at: number }>();
    return c.json(
      results.map((r) => ({ ...r, updated_at: new Date(r.updated_at).toISOString() })),
      200,
    );
  },
);

notificationsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/preferences",
    tags: ["Notifications"],
    summary: "Which channels each event type goes to, quiet hours, time zone and locale",
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(NotificationPreferences, "Your preferences"), ...problems(401) },
  }),
  async (c) => c.json(await readPreferences(c.env.DB, c.var.user.id), 200),
);

notificationsRoutes.openapi(
  createRoute({
    method: "put",
    path: "/preferences",
    tags: ["Notifications"],
    summary: "Change your preferences (fields left out stay; `events` changes only the types it names)",
    description:
      "Quiet hours (`{start, end}` as HH:MM, may cross midnight; `null` for none) hold back every channel but " +
      "in-app, read on the clock of `time_zone` (your profile's, default Asia/Seoul). `time_zone` and `locale` " +
      "are your profile's own fields.",
    security,
    middleware: [requireAuth()] as const,
    request: { body: { content: { "application/json": { schema: NotificationPreferencesUpdate } }, required: true } },
    responses: { 200: json(NotificationPreferences, "Your preferences"), ...problems(400, 401, 413) },
  }),
  async (c) => {
    const update = c.req.valid("json");
    const userId = c.var.user.id;
    const now = Date.now();
    const stored = await c.env.DB.prepare(
      "SELECT events, quiet_start, quiet_end FROM notification_preferences WHERE user_id = ?",
    )
      .bind(userId)
      .first<{ events: string; quiet_start: string | null; quiet_end: string | null }>();
    const events = { ...parseEvents(stored?.events ?? null), ...(update.events ?? {}) };
    const quiet =
      update.quiet_hours === undefined
        ? { start: stored?.quiet_start ?? null, end: stored?.quiet_end ?? null }
        : { start: update.quiet_hours?.start ?? null, end: update.quiet_hours?.end ?? null };
    const statements = [
      c.env.DB.prepare(
        `INSERT INTO notification_preferences (user_id, events, quiet_start, quiet_end, updated_at) VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT(user_id) DO UPDATE SET events = ?2, quiet_start = ?3, quiet_end = ?4, updated_at = ?5`,
      ).bind(userId, JSON.stringify(events), quiet.start, quiet.end, now),
    ];
    if (update.time_zone !== undefined || update.locale !== undefined) {
      statements.push(
        c.env.DB.prepare(
          "UPDATE users SET timezone = COALESCE(?, timezone), locale = COALESCE(?, locale), updated_at = ? WHERE id = ?",
        ).bind(update.time_zone ?? null, update.locale ?? null, now, userId),
      );
    }
    await c.env.DB.batch(statements);
    return c.json(await readPreferences(c.env.DB, userId), 200);
  },
);

/** How many of a user's inbox items are unread (`n`). */
function unreadStatement(db: D1Database, userId: string): D1PreparedStatement {
  return db.prepare("SELECT COUNT(*) AS n FROM notifications WHERE user_id = ? AND read_at IS NULL").bind(userId);
}

async function readPreferences(db: D1Database, userId: string): Promise<NotificationPreferences> {
  const row = await db
    .prepare(
      `SELECT u.timezone, u.locale, p.events, p.quiet_start, p.quiet_end FROM users u
       LEFT JOIN notification_preferences p ON p.user_id = u.id WHERE u.id = ?`,
    )
    .bind(userId)
    .first<{
      timezone: string;
      locale: string;
      events: string | null;
      quiet_start: string | null;
      quiet_end: string | null;
    }>();
  if (!row) throw new Problem(401, "unauthorized", "A valid access token is required");
  return {
    events: withDefaults(parseEvents(row.events)),
    quiet_hours: row.quiet_start && row.quiet_end ? { start: row.quiet_start, end: row.quiet_end } : null,
    time_zone: row.timezone,
    locale: row.locale === "en" ? "en" : "ko",
  };
}
