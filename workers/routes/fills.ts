import { createRoute, z } from "@hono/zod-openapi";
import { userLedger } from "../../durable-objects/addresses";
import { integerParam } from "../../protocol/common";
import { Fill, pageOf } from "../../protocol/trading";
import { ledgerValue } from "../http/ledger-result";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { requireAuth } from "../middleware/auth";

/** Your fills (executions), newest first. */
export const fillsRoutes = router();

fillsRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["Trading"],
    summary: "Your fills, newest first",
    description: "`order_id` narrows to one order's fills; `cursor` pages.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    request: {
      query: z.object({
        order_id: z
          .string()
          .regex(/^[A-Za-z0-9-]{1,64}$/, "an order id")
          .optional(),
        limit: integerParam(1, 500).default(100),
        cursor: z.string().max(200).optional(),
      }),
    },
    responses: { 200: json(pageOf(Fill, "FillPage"), "A page of fills"), ...problems(400, 401) },
  }),
  async (c) => {
    const { order_id, limit, cursor } = c.req.valid("query");
    return c.json(
      ledgerValue(await userLedger(c.env, c.var.user.id).listFills(order_id ?? null, limit, cursor ?? null)),
      200,
    );
  },
);
