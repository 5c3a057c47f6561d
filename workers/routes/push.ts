import { createRoute, z } from "@hono/zod-openapi";
import { PushSubscriptionCreate, PushSubscriptionView } from "../../protocol/notifications";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { requireAuth } from "../middleware/auth";
import { vapidPublicKey } from "../notifications/channels/web-push";

/**
 * Web Push: the server's VAPID public key (the browser's `applicationServerKey`), and the signed-in
 * user's subscriptions (one per browser). A subscription the push service reports gone is deleted by
 * the consumer.
 */
export const pushRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

const security = [{ BearerAuth: [] }];
/** Subscriptions one user may register (devices). */
const MAX_SUBSCRIPTIONS = 10;

pushRoutes.openapi(
  createRoute({
    method: "get",
    path: "/vapid-public-key",
    tags: ["Notifications"],
    summary: "The VAPID public key to subscribe with (`PushManager.subscribe({ applicationServerKey })`)",
    responses: { 200: json(z.object({ public_key: z.string() }), "The key, base64url"), ...problems(503) },
  }),
  async (c) => {
    if (!c.env.VAPID_PRIVATE_JWK)
      throw new Problem(503, "push-not-configured", "Web Push is not configured (VAPID_PRIVATE_JWK)");
    return c.json({ public_key: vapidPublicKey(c.env.VAPID_PRIVATE_JWK) }, 200);
  },
);

pushRoutes.openapi(
  createRoute({
    method: "post",
    path: "/subscriptions",
    tags: ["Notifications"],
    summary: "Register this browser's push subscription (its `PushSubscription.toJSON()`); idempotent by endpoint",
    security,
    middleware: [requireAuth()] as const,
    request: { body: { content: { "application/json": { schema: PushSubscriptionCreate } }, required: true } },
    responses: { 201: json(PushSubscriptionView, "Registered"), ...problems(400, 401, 409, 413) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const userId = c.var.user.id;
    const now = Date.now();
    // A new endpoint counts against the limit; the same endpoint again updates its keys. An endpoint
    // moves to another account only with the keys it was registered with (the same browser, signed
    // in as someone else), so knowing an endpoint's URL is not enough to take its notifications.
    const result = await c.env.DB.prepare(
      `INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6
       WHERE (SELECT COUNT(*) FROM push_subscriptions WHERE user_id = ?2) < ?7
          OR EXISTS (SELECT 1 FROM push_subscriptions WHERE endpoint = ?3 AND user_id = ?2)
       ON CONFLICT(endpoint) DO UPDATE SET user_id = ?2, p256dh = ?4, auth = ?5
       WHERE push_subscriptions.user_id = ?2 OR (push_subscriptions.p256dh = ?4 AND push_subscriptions.auth = ?5)`,
    )
      .bind(crypto.randomUUID(), userId, body.endpoint, body.keys.p256dh, body.keys.auth, now, MAX_SUBSCRIPTIONS)
      .run();
    if (result.meta.changes === 0) {
      const owner = await c.env.DB.prepare("SELECT user_id FROM push_subscriptions WHERE endpoint = ?")
        .bind(body.endpoint)
        .first<{ user_id: string }>();
      if (owner && owner.user_id !== userId) {
        throw new Problem(409, "subscription-taken", "This endpoint is registered with other keys by another account", [
          { path: "keys", message: "not the keys this endpoint was registered with" },
        ]);
      }
      throw new Problem(
        409,
        "subscription-limit",
        `At most ${MAX_SUBSCRIPTIONS} push subscriptions per account; remove one first`,
      );
    }
    const row = await c.env.DB.prepare("SELECT id, endpoint, created_at FROM push_subscriptions WHERE endpoint = ?")
      .bind(body.endpoint)
      .first<{ id: string; endpoint: string; created_at: number }>();
    if (!row) throw new Problem(503, "not-stored", "The subscription was not stored; try again");
    return c.json({ id: row.id, endpoint: row.endpoint, created_at: new Date(row.created_at).toISOString() }, 201);
  },
);

pushRoutes.openapi(
  createRoute({
    method: "get",
    path: "/subscriptions",
    tags: ["Notifications"],
    summary: "Your push subscriptions",
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(z.array(PushSubscriptionView), "Subscriptions"), ...problems(401) },
  }),
  async (c) => {
    const { results } = await c.env.DB.prepare(
      "SELECT id, endpoint, created_at FROM push_subscriptions WHERE user_id = ? ORDER BY created_at",
    )
      .bind(c.var.user.id)
      .all<{ id: string; endpoint: string; created_at: number }>();
    return c.json(
      results.map((r) => ({ ...r, created_at: new Date(r.created_at).toISOString() })),
      200,
    );
  },
);

pushRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/subscriptions",
    tags: ["Notifications"],
    summary: "Remove a push subscription by its endpoint (as after `PushSubscription.unsubscribe()`)",
    security,
    middleware: [requireAuth()] as const,
    request: {
      body: {
        content: { "application/json": { schema: z.object({ endpoint: z.string().max(2048) }).strict() } },
        required: true,
      },
    },
    responses: { 204: { description: "Removed" }, ...problems(400, 401, 404, 413) },
  }),
  async (c) => {
    const { endpoint } = c.req.valid("json");
    const result = await c.env.DB.prepare("DELETE FROM push_subscriptions WHERE user_id = ? AND endpoint = ?")
      .bind(c.var.user.id, endpoint)
      .run();
    if (result.meta.changes === 0) throw new Problem(404, "not-found", "No such subscription");
    return c.body(null, 204);
  },
);
