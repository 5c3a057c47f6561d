import { createRoute, z } from "@hono/zod-openapi";
import { integerParam } from "../../protocol/common";
import { MarketSymbol, Order, OrderCreate, OrderStatus, pageOf } from "../../protocol/trading";
import { database } from "../db/client";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { requestDigest } from "../http/digest";
import { ledgerValue } from "../http/ledger-result";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { assertOwnerOrAdmin, requireAuth } from "../middleware/auth";
import { ledgerReads, ledgerWrites } from "../resilience/guarded-objects";
import { orderOwner } from "../trading/order-owner";

/**
 * Orders (seed: trading-service order management, extended): place, read, list, cancel. Each acts on
 * the caller's own paper account (its UserLedger object); an admin may act for any user.
 */
export const ordersRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

const security = [{ BearerAuth: [] }];

const OrderIdParam = z.object({
  id: z
    .string()
    .regex(/^[A-Za-z0-9-]{1,64}$/, "an order id")
    .openapi({ param: { name: "id", in: "path" }, example: "2f1c0e4b-7a1b-4c55-9a36-7d9f3c1e8a10" }),
});

const IdempotencyHeader = z.object({
  "idempotency-key": z
    .string()
    .regex(/^[\x21-\x7e]{1,255}$/, "1 to 255 printable ASCII characters")
    .optional()
    .openapi({
      description:
        "Idempotency-Key (header names are case-insensitive): the same key and body answer the original order",
    }),
});

ordersRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["Trading"],
    summary: "Place an order",
    description:
      "Filled against the venue's live prices: MARKET at once (last price plus slippage), LIMIT when the price " +
      "reaches it (at once if it does now, up to the immediate liquidity), STOP/STOP_LIMIT when the stop price is " +
      "reached. `time_in_force`: GTC (default), IOC, FOK. Prices must be on the venue's price unit; quantity and " +
      "value within the venue's rules; the account's risk limits apply (a refusal names the limit, its value and " +
      "the excess). `Idempotency-Key`: the same key and body answer the original order; another body is a 422.",
    security,
    middleware: [requireAuth()] as const,
    request: {
      headers: IdempotencyHeader,
      body: { content: { "application/json": { schema: OrderCreate } }, required: true },
    },
    responses: {
      201: json(Order, "The order as placed (and as far as it filled at once)"),
      ...problems(400, 401, 403, 409, 413, 422, 503),
    },
  }),
  async (c) => {
    const request = c.req.valid("json");
    const key = c.req.valid("header")["idempotency-key"];
    const userId = request.user_id ?? c.var.user.id;
    if (userId !== c.var.user.id && c.var.user.role !== "admin") {
      throw new Problem(403, "forbidden", "You may place orders for your own account only", [
        { path: "user_id", message: "must be your own user id (or leave it out)" },
      ]);
    }
    const idempotency = key ? { key, hash: await requestDigest({ ...request, user_id: userId }) } : null;
    const order = ledgerValue(await ledgerWrites(c, userId).placeOrder(request, idempotency, c.var.requestId));
    return c.json(order, 201);
  },
);

ordersRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Trading"],
    summary: "Your orders, newest first",
    description: "Filters: `status`, `symbol` (`BTC/KRW`, or a coin `BTC` for every market of it). `cursor` pages.",
    security,
    middleware: [requireAuth()] as const,
    request: {
      query: z.object({
        status: OrderStatus.optional(),
        symbol: z
          .union([
            MarketSymbol,
            z
              .string()
              .regex(/^[A-Za-z0-9]{1,20}$/)
              .transform((s) => s.toUpperCase()),
          ])
          .optional(),
        limit: integerParam(1, 500).default(100),
        cursor: z.string().max(200).optional(),
      }),
    },
    responses: { 200: json(pageOf(Order, "OrderPage"), "A page of orders"), ...problems(400, 401) },
  }),
  async (c) => {
    const { status, symbol, limit, cursor } = c.req.valid("query");
    const base = symbol?.split("/")[0];
    const page = ledgerValue(await ledgerReads(c, c.var.user.id).listOrders({ status, base }, limit, cursor ?? null));
    const quote = symbol?.split("/")[1];
    return c.json(quote ? { ...page, items: page.items.filter((o) => o.symbol === symbol) } : page, 200);
  },
);

ordersRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/",
    tags: ["Trading"],
    summary: "Cancel all your open orders",
    security,
    middleware: [requireAuth()] as const,
    responses: { 200: json(z.array(Order), "The orders as they ended"), ...problems(401, 503) },
  }),
  async (c) => c.json(ledgerValue(await ledgerWrites(c, c.var.user.id).cancelAll()), 200),
);

ordersRoutes.openapi(
  createRoute({
    method: "get",
    path: "/user/{user_id}",
    tags: ["Trading"],
    summary: "A user's orders, newest first (seed: limit and offset)",
    security,
    middleware: [requireAuth()] as const,
    request: {
      params: z.object({ user_id: z.uuid().openapi({ param: { name: "user_id", in: "path" } }) }),
      query: z.object({ limit: integerParam(1, 500).default(100), offset: integerParam(0, 1_000_000).default(0) }),
    },
    responses: { 200: json(z.array(Order), "Orders"), ...problems(400, 401, 404) },
  }),
  async (c) => {
    const { user_id } = c.req.valid("param");
    const { limit, offset } = c.req.valid("query");
    assertOwnerOrAdmin(c.var.user, user_id, "user");
    return c.json(ledgerValue(await ledgerReads(c, user_id).ordersPage(offset, limit)), 200);
  },
);

ordersRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: ["Trading"],
    summary: "One order",
    security,
    middleware: [requireAuth()] as const,
    request: { params: OrderIdParam },
    responses: { 200: json(Order, "The order"), ...problems(400, 401, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const owner = await orderOwner(database(c.env), c.var.user, id);
    return c.json(ledgerValue(await ledgerReads(c, owner).getOrder(id)), 200);
  },
);

ordersRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/{id}",
    tags: ["Trading"],
    summary: "Cancel an open order",
    description: "What its matcher had filled before it let go of the order is applied first. A final order is a 409.",
    security,
    middleware: [requireAuth()] as const,
    request: { params: OrderIdParam },
    responses: { 200: json(Order, "The order as it ended"), ...problems(400, 401, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const owner = await orderOwner(database(c.env), c.var.user, id);
    return c.json(ledgerValue(await ledgerWrites(c, owner).cancelOrder(id)), 200);
  },
);

ordersRoutes.openapi(
  createRoute({
    method: "put",
    path: "/{id}/status",
    tags: ["Trading"],
    summary: "Change an order's status (seed): the owner may set CANCELLED; other transitions are refused",
    description: '`status` in the query string (as the seed) or in a JSON body `{"status":"CANCELLED"}`.',
    security,
    middleware: [requireAuth()] as const,
    request: {
      params: OrderIdParam,
      query: z.object({ status: OrderStatus.optional() }),
      body: { content: { "application/json": { schema: z.object({ status: OrderStatus }) } }, required: false },
    },
    responses: { 200: json(Order, "The order as it ended"), ...problems(400, 401, 404, 409, 503) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const status =
      c.req.valid("query").status ?? (c.req.header("Content-Type") ? c.req.valid("json")?.status : undefined);
    if (!status) throw new Problem(400, "validation", "Give the new status", [{ path: "status", message: "required" }]);
    if (status !== "CANCELLED") {
      throw new Problem(409, "status-not-settable", `An order's status changes by trading; only CANCELLED can be set`, [
        { path: "status", message: "only CANCELLED can be set" },
      ]);
    }
    const owner = await orderOwner(database(c.env), c.var.user, id);
    return c.json(ledgerValue(await ledgerWrites(c, owner).cancelOrder(id)), 200);
  },
);
