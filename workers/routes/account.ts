import { createRoute } from "@hono/zod-openapi";
import { userLedger } from "../../durable-objects/addresses";
import { router } from "../http/router";
import { forwardUpgrade, upgradeResponses } from "../http/websocket-upgrade";
import { requireWsTicket } from "../middleware/ws-ticket";

/**
 * The signed-in user's account: their private stream `/ws/user`, served by the user's own Durable
 * Object (`UserLedger`). Mounted at the root, since it serves `/ws/user`.
 */
export const accountRoutes = router();

accountRoutes.openapi(
  createRoute({
    method: "get",
    path: "/ws/user",
    tags: ["WebSockets"],
    summary: "Your private stream (orders, fills, notifications)",
    description:
      "Get a ticket from `POST /api/auth/ws-ticket`, then connect to `/ws/user?ticket=<ticket>` within 30 s. " +
      'Server messages: `{"type":"hello","seq":0,"data":{"user_id":...}}` first.',
    responses: upgradeResponses("", 401),
    middleware: [requireWsTicket()] as const,
  }),
  // The ticket middleware has decided whose stream this is; the upgrade goes to that user's object.
  (c) => forwardUpgrade(c.req.raw, userLedger(c.env, c.var.user.id)),
);
