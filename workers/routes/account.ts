import { createRoute } from "@hono/zod-openapi";
import { userLedger } from "../../durable-objects/addresses";
import { Account, RiskLimits, RiskLimitsPatch } from "../../protocol/trading";
import { limitBody, SMALL_BODY_BYTES } from "../http/body-limit";
import { ledgerValue } from "../http/ledger-result";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { forwardUpgrade, upgradeResponses } from "../http/websocket-upgrade";
import { type AuthEnv, requireAuth } from "../middleware/auth";
import { requireWsTicket } from "../middleware/ws-ticket";
import { ledgerReads, ledgerWrites } from "../resilience/guarded-objects";

/**
 * The signed-in user's paper account (its UserLedger object): balances and figures at live prices,
 * reset, risk limits, and the private stream `/ws/user`. Mounted at the root, since it serves both
 * `/api/account` and `/ws/user`.
 */
export const accountRoutes = router();

const security = [{ BearerAuth: [] }];

accountRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/account",
    tags: ["Trading"],
    summary: "Your paper account: cash, equity at live prices, margin, buying power, limits and their use",
    description:
      "Created on first use with 10,000,000 KRW and 10,000 USDT. Equity, exposure and buying power are in KRW " +
      "(USDT at the Korean venue's USDT/KRW); money limits are in USD (KRW at USD/KRW, USDT at par).",
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(Account, "The account"), ...problems(401) },
  }),
  async (c) => c.json(ledgerValue(await ledgerReads(c, c.var.user.id).account()), 200),
);

accountRoutes.openapi(
  createRoute({
    method: "post",
    path: "/api/account/reset",
    tags: ["Trading"],
    summary: "Start your paper account again: open orders cancelled, positions closed, starting cash restored",
    description: "Order and fill history stays; the risk limits stay.",
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(Account, "The account after the reset"), ...problems(401, 503) },
  }),
  async (c) => c.json(ledgerValue(await ledgerWrites(c, c.var.user.id).reset()), 200),
);

accountRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/account/limits",
    tags: ["Trading"],
    summary: "Your risk limits",
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(RiskLimits, "The limits"), ...problems(401) },
  }),
  async (c) => c.json(ledgerValue(await ledgerReads(c, c.var.user.id).limits()), 200),
);

accountRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/api/account/limits",
    tags: ["Trading"],
    summary: "Change your risk limits (any subset)",
    security,
    middleware: [limitBody<AuthEnv>(SMALL_BODY_BYTES), requireAuth()] as const,
    request: { body: { content: { "application/json": { schema: RiskLimitsPatch } }, required: true } },
    responses: { 200: json(RiskLimits, "The limits now"), ...problems(400, 401, 413) },
  }),
  async (c) => c.json(ledgerValue(await ledgerWrites(c, c.var.user.id).setLimits(c.req.valid("json"))), 200),
);

accountRoutes.openapi(
  createRoute({
    method: "get",
    path: "/ws/user",
    tags: ["WebSockets"],
    summary: "Your private stream: orders, fills and positions as they change",
    description:
      "Get a ticket from `POST /api/auth/ws-ticket`, then connect to `/ws/user?ticket=<ticket>` within 30 s. " +
      "Server messages: a `snapshot` first (`user_id`, `open_orders`, `positions`), then `order`, `fill` and " +
      '`position` messages with increasing `seq`. Client messages: `{"op":"snapshot"}`; `ping` is answered with `pong`.',
    responses: upgradeResponses("", 401),
    middleware: [requireWsTicket()] as const,
  }),
  // The ticket middleware has decided whose stream this is; the upgrade goes to that user's object.
  (c) => forwardUpgrade(c.req.raw, userLedger(c.env, c.var.user.id)),
);
