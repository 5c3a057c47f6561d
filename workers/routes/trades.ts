import { createRoute, z } from "@hono/zod-openapi";
import { integerParam } from "../../protocol/common";
import { PremiumTrade, PremiumTradeCreate } from "../../protocol/trading";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { requestDigest } from "../http/digest";
import { ledgerValue } from "../http/ledger-result";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { requireAuth } from "../middleware/auth";
import { ledgerReads, ledgerWrites } from "../resilience/guarded-objects";

/** The kimchi-premium trade: buy on one venue, sell the same quantity on the other, in one request. */
export const tradesRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

const security = [{ BearerAuth: [] }];

tradesRoutes.openapi(
  createRoute({
    method: "post",
    path: "/premium",
    tags: ["Trading"],
    summary: "Trade the kimchi premium: buy on one venue and sell on the other, both at market",
    description:
      "One leg on a KRW venue (upbit, bithumb), the other on a USDT venue (binance, bybit); both are accepted or " +
      "refused together. The answer carries the premium at entry (from the fills, at USD/KRW then), now, and " +
      "the combined PnL in KRW. `Idempotency-Key` as for orders.",
    security,
    middleware: [requireAuth()] as const,
    request: {
      headers: z.object({
        "idempotency-key": z
          .string()
          .regex(/^[\x21-\x7e]{1,255}$/)
          .optional(),
      }),
      body: { content: { "application/json": { schema: PremiumTradeCreate } }, required: true },
    },
    responses: { 201: json(PremiumTrade, "The trade"), ...problems(400, 401, 409, 413, 422) },
  }),
  async (c) => {
    const request = c.req.valid("json");
    const key = c.req.valid("header")["idempotency-key"];
    const idempotency = key ? { key, hash: await requestDigest(request) } : null;
    return c.json(ledgerValue(await ledgerWrites(c, c.var.user.id).placePremiumTrade(request, idempotency)), 201);
  },
);

tradesRoutes.openapi(
  createRoute({
    method: "get",
    path: "/premium",
    tags: ["Trading"],
    summary: "Your premium trades, newest first, with their PnL now",
    security,
    middleware: [requireAuth()] as const,
    request: { query: z.object({ limit: integerParam(1, 200).default(50) }) },
    responses: { 200: json(z.array(PremiumTrade), "Trades"), ...problems(400, 401) },
  }),
  async (c) => c.json(ledgerValue(await ledgerReads(c, c.var.user.id).premiumTrades(c.req.valid("query").limit)), 200),
);

tradesRoutes.openapi(
  createRoute({
    method: "get",
    path: "/premium/{id}",
    tags: ["Trading"],
    summary: "One premium trade",
    security,
    middleware: [requireAuth()] as const,
    request: { params: z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) }) },
    responses: { 200: json(PremiumTrade, "The trade"), ...problems(400, 401, 404) },
  }),
  async (c) => c.json(ledgerValue(await ledgerReads(c, c.var.user.id).premiumTrade(c.req.valid("param").id)), 200),
);
