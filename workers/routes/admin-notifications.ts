import { createRoute, z } from "@hono/zod-openapi";
import { integerParam } from "../../protocol/common";
import { DeadLetter } from "../../protocol/notifications";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { requireAuth, requireRole } from "../middleware/auth";
import { redrive } from "../notifications/dead-letters";

/** The notifications dead-letter queue for operators: what could not be delivered, and re-driving it. */
export const adminNotificationsRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

const security = [{ BearerAuth: [] }];

adminNotificationsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/dlq",
    tags: ["Admin"],
    summary: "Dead letters, newest first (admin)",
    security,
    middleware: [requireAuth(), requireRole("admin")] as const,
    request: {
      query: z.object({ limit: integerParam(1, 500).optional(), pending_only: z.enum(["true", "false"]).optional() }),
    },
    responses: { 200: json(z.array(DeadLetter), "Dead letters"), ...problems(400, 401, 403) },
  }),
  async (c) => {
    const { limit = 100, pending_only } = c.req.valid("query");
    const { results } = await c.env.DB.prepare(
      `SELECT id, event_id, event_type, user_id, reason, body, failed_at, redriven_at FROM notification_dead_letters
       WHERE (?1 = 0 OR redriven_at IS NULL) ORDER BY failed_at DESC, id LIMIT ?2`,
    )
      .bind(pending_only === "true" ? 1 : 0, limit)
      .all<{
        id: string;
        event_id: string | null;
        event_type: string | null;
        user_id: string | null;
        reason: string;
        body: string;
        failed_at: number;
        redriven_at: number | null;
      }>();
    return c.json(
      results.map((r) => ({
        ...r,
        body: parseBody(r.body),
        failed_at: new Date(r.failed_at).toISOString(),
        redriven_at: r.redriven_at === null ? null : new Date(r.redriven_at).toISOString(),
      })),
      200,
    );
  },
);

adminNotificationsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/dlq/{id}/redrive",
    tags: ["Admin"],
    summary: "Put a dead letter's event back on the notifications queue (admin); its failed deliveries are tried again",
    security,
    middleware: [requireAuth(), requireRole("admin")] as const,
    request: {
      params: z.object({
        id: z
          .string()
          .min(1)
          .max(128)
          .openapi({ param: { name: "id", in: "path" } }),
      }),
    },
    responses: { 202: json(z.object({ event_id: z.string() }), "Queued again"), ...problems(401, 403, 404, 409, 422) },
  }),
  async (c) => {
    const result = await redrive(c.env, c.req.valid("param").id);
    if (!result.ok)
      throw new Problem(result.status, result.status === 404 ? "not-found" : "not-redrivable", result.detail);
    return c.json({ event_id: result.event_id }, 202);
  },
);

/** A stored body as JSON, or as the text stored when it does not parse. */
function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
