import { createRoute, z } from "@hono/zod-openapi";
import { marketBoard } from "../../durable-objects/addresses";
import { Alert, AlertCreate, AlertUpdate } from "../../protocol/alerts";
import {
  activate,
  createOf,
  deleteAlert,
  findAlert,
  insertAlert,
  listAlerts,
  maxAlertsPerUser,
  ruleFromCreate,
  updateAlert,
} from "../alerts/alert-store";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { json, problems } from "../http/openapi";
import { Problem, validationProblem } from "../http/problem";
import { router } from "../http/router";
import { requireAuth } from "../middleware/auth";

/**
 * Server-side alerts (see `protocol/alerts.ts`): each user's own, at most `ALERTS_MAX_PER_USER`. An
 * alert is stored in D1, then the object that evaluates it re-reads its rules; if that object does not
 * answer, a new alert is taken back (503) rather than left stored and silent.
 */
export const alertsRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

const security = [{ BearerAuth: [] }];
const IdParam = z.object({ id: z.uuid("an alert id").openapi({ param: { name: "id", in: "path" } }) });

alertsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["Alerts"],
    summary: "Create an alert",
    description:
      "Kinds: `price` (a venue's price above/below), `premium` (the kimchi premium on the `usd` or `usdt` basis), " +
      "`premium_percentile` (where the premium sits in the coin's last 30/90 days), `liquidation` (one liquidation of " +
      "at least `min_usd`, on a coin or any), `caution` (an Upbit caution flag appearing). Level alerts fire once " +
      "when the condition becomes true and re-arm after the value has moved back by `hysteresis` and " +
      "`cooldown_seconds` have passed. The coin must be on the board (and listed on the venue, for a price alert).",
    security,
    middleware: [requireAuth()] as const,
    request: { body: { content: { "application/json": { schema: AlertCreate } }, required: true } },
    responses: { 201: json(Alert, "The alert"), ...problems(400, 401, 409, 413, 503) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    await assertKnownCoin(c.env, body);
    const rule = ruleFromCreate(crypto.randomUUID(), c.var.user.id, body);
    const max = maxAlertsPerUser(c.env);
    if (!(await insertAlert(c.env.DB, rule, max, Date.now()))) {
      throw new Problem(409, "alert-limit", `You have ${max} alerts, the most one account may keep; delete one first`);
    }
    try {
      await activate(c.env, rule);
    } catch (error) {
      await deleteAlert(c.env.DB, rule.user_id, rule.id);
      // The object may have read the rule before the call failed: have it read again (or at its next re-read).
      await activateOrLog(c.env, rule);
      throw new Problem(
        503,
        "alerts-unavailable",
        `The alert could not be activated; nothing was saved (${String(error)})`,
      );
    }
    return c.json((await findAlert(c.env.DB, rule.user_id, rule.id)) as Alert, 201);
  },
);

alertsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Alerts"],
    summary: "Your alerts, newest first",
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(z.array(Alert), "Your alerts"), ...problems(401) },
  }),
  async (c) => c.json(await listAlerts(c.env.DB, c.var.user.id), 200),
);

alertsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: ["Alerts"],
    summary: "One of your alerts",
    security,
    middleware: [requireAuth()] as const,
    request: { params: IdParam },
    responses: { 200: json(Alert, "The alert"), ...problems(400, 401, 404) },
  }),
  async (c) => c.json(await ownAlert(c.env, c.var.user.id, c.req.valid("param").id), 200),
);

alertsRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}",
    tags: ["Alerts"],
    summary: "Change an alert (its kind and coin stay); a changed condition re-arms it",
    security,
    middleware: [requireAuth()] as const,
    request: { params: IdParam, body: { content: { "application/json": { schema: AlertUpdate } }, required: true } },
    responses: { 200: json(Alert, "The alert"), ...problems(400, 401, 404, 413) },
  }),
  async (c) => {
    const current = await ownAlert(c.env, c.var.user.id, c.req.valid("param").id);
    const patch = c.req.valid("json");
    const merged = { ...createOf(current), ...withoutNullNote(patch) };
    // The change must make sense for the alert's kind: checked by the kind's own creation schema.
    const checked = AlertCreate.safeParse(merged);
    if (!checked.success) throw validationProblem(checked.error.issues, "body");
    const rule = {
      ...ruleFromCreate(current.id, current.user_id, checked.data),
      note: patch.note === null ? null : (checked.data.note ?? null),
    };
    await updateAlert(c.env.DB, rule, Date.now());
    await activateOrLog(c.env, rule);
    return c.json(await ownAlert(c.env, c.var.user.id, current.id), 200);
  },
);

alertsRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: ["Alerts"],
    summary: "Delete an alert",
    security,
    middleware: [requireAuth()] as const,
    request: { params: IdParam },
    responses: { 204: { description: "Deleted" }, ...problems(400, 401, 404) },
  }),
  async (c) => {
    const current = await ownAlert(c.env, c.var.user.id, c.req.valid("param").id);
    await deleteAlert(c.env.DB, current.user_id, current.id);
    await activateOrLog(c.env, current);
    return c.body(null, 204);
  },
);

async function ownAlert(env: Env, userId: string, id: string): Promise<Alert> {
  const alert = await findAlert(env.DB, userId, id);
  if (!alert) throw new Problem(404, "not-found", `No alert ${id}`);
  return alert;
}

/** The coin must be on the board (and, for a price alert, listed on the venue). */
async function assertKnownCoin(env: Env, alert: AlertCreate): Promise<void> {
  if (!alert.symbol) return;
  const coin = await marketBoard(env).coin(alert.symbol);
  if (!coin) {
    throw new Problem(400, "unknown-coin", `No coin ${alert.symbol} on the board`, [
      { path: "symbol", message: "not a coin any venue lists" },
    ]);
  }
  if (alert.kind === "price" && !coin.prices[alert.venue]) {
    throw new Problem(400, "unknown-market", `${alert.symbol} is not listed on ${alert.venue}`, [
      { path: "venue", message: `no ${alert.symbol} market on ${alert.venue}` },
    ]);
  }
}

/**
 * After a change or a deletion the D1 row is what counts: an object that misses this reload picks
 * the change up at its next periodic re-read (within 5 minutes).
 */
async function activateOrLog(env: Env, rule: Pick<Alert, "kind" | "symbol" | "id">): Promise<void> {
  try {
    await activate(env, rule);
  } catch (error) {
    console.error(JSON.stringify({ msg: "alert change not pushed to its object", id: rule.id, error: String(error) }));
  }
}

function withoutNullNote(patch: AlertUpdate): Record<string, unknown> {
  const { note, ...rest } = patch;
  return note === null || note === undefined ? rest : { ...rest, note };
}
