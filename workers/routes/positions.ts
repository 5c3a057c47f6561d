import { createRoute, z } from "@hono/zod-openapi";
import { PnlSummary, Position, PositionUpdate } from "../../protocol/trading";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { ledgerValue } from "../http/ledger-result";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { assertOwnerOrAdmin, requireAuth, requireRole } from "../middleware/auth";
import { ledgerReads, ledgerWrites } from "../resilience/guarded-objects";

/** Positions (seed: trading-service position management): per venue and market, valued at live prices. */
export const positionsRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

const security = [{ BearerAuth: [] }];
const UserParam = z.object({ user_id: z.uuid().openapi({ param: { name: "user_id", in: "path" } }) });

positionsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{user_id}",
    tags: ["Trading"],
    summary: "A user's positions at live prices (your own, or any for an admin)",
    security,
    middleware: [requireAuth()] as const,
    request: { params: UserParam },
    responses: { 200: json(z.array(Position), "Open positions"), ...problems(400, 401, 404) },
  }),
  async (c) => {
    const { user_id } = c.req.valid("param");
    assertOwnerOrAdmin(c.var.user, user_id, "user");
    return c.json(ledgerValue(await ledgerReads(c, user_id).positions()), 200);
  },
);

positionsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{user_id}/pnl",
    tags: ["Trading"],
    summary: "A user's PnL in KRW (seed: total_pnl), realised and unrealised at live prices",
    security,
    middleware: [requireAuth()] as const,
    request: { params: UserParam },
    responses: { 200: json(PnlSummary, "PnL"), ...problems(400, 401, 404) },
  }),
  async (c) => {
    const { user_id } = c.req.valid("param");
    assertOwnerOrAdmin(c.var.user, user_id, "user");
    return c.json(ledgerValue(await ledgerReads(c, user_id).pnl()), 200);
  },
);

positionsRoutes.openapi(
  createRoute({
    method: "post",
    path: "/update",
    tags: ["Trading"],
    summary: "Adjust a user's position (seed: PositionUpdate); admin only, risk-checked",
    description:
      "Moves the position by `quantity_change` (positive buys) at `price`, with the cash it costs, no fee. " +
      "A risk limit that refuses it is a 400 naming the limit.",
    security,
    middleware: [requireAuth(), requireRole("admin")] as const,
    request: { body: { content: { "application/json": { schema: PositionUpdate } }, required: true } },
    responses: { 200: json(Position, "The position after the adjustment"), ...problems(400, 401, 403, 409, 413) },
  }),
  async (c) => {
    const update = c.req.valid("json");
    return c.json(ledgerValue(await ledgerWrites(c, update.user_id).adjustPosition(update)), 200);
  },
);
