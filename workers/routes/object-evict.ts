import { createRoute, z } from "@hono/zod-openapi";
import { fanoutShard, liquidationFeed, marketBoard, marketSymbol, userLedger } from "../../durable-objects/addresses";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { requireAdminOr } from "../middleware/auth";
import { collectorAuth } from "../middleware/collector-auth";

/**
 * Resets one Durable Object on purpose (`ctx.abort()` inside it), as a crash or an eviction would: the
 * soak's "objects evicted" fault, and a lever for operators. Storage keeps everything committed; what
 * was only in memory (conflation state, caches, sockets) is rebuilt or reconnects.
 */
export const objectEvictRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

/** `board`, `feed`, `symbol:<COIN>` or `ledger:<user id>`. */
const ObjectName = z
  .string()
  .regex(
    /^(board|feed|symbol:[A-Z0-9]{1,20}|ledger:[0-9a-f-]{36}|shard:(market|prices|coin:[A-Z0-9]{1,20})#\d{1,6})$/,
    "board, feed, symbol:<COIN> (upper case), ledger:<user id> or shard:<stream>#<n> (e.g. shard:market#0)",
  )
  .openapi({ example: "symbol:BTC" });

/** An admin's access token, or the collectors' bearer token. */
const security: Record<string, string[]>[] = [{ BearerAuth: [] }, { CollectorToken: [] }];

const Evicted = z.object({ object: z.string(), evicted: z.literal(true), timestamp: z.number().int() });

objectEvictRoutes.openapi(
  createRoute({
    method: "post",
    path: "/",
    tags: ["Operations"],
    summary: "Reset a Durable Object (admin or the collectors' token)",
    description:
      "`object`: `board` (MarketBoard), `feed` (LiquidationFeed), `symbol:<COIN>` (that coin's MarketSymbol) " +
      "or `ledger:<user id>` (that user's UserLedger). The object drops its memory at once: calls in flight " +
      "to it fail (callers retry: ingest batches are idempotent by id, orders by idempotency key), its " +
      "WebSocket clients are disconnected and reconnect to a fresh snapshot, and the next call rebuilds it " +
      "from its storage.",
    security,
    middleware: [requireAdminOr(collectorAuth())] as const,
    request: { query: z.object({ object: ObjectName }) },
    responses: { 200: json(Evicted, "The object was reset"), ...problems(400, 401, 403) },
  }),
  async (c) => {
    const { object } = c.req.valid("query");
    const reason = `evicted by POST /internal/evict (${object})`;
    // The call fails by design, with the reason: the object resets before it can answer. Any other
    // failure (the object could not be reached) is a real error.
    await stubOf(c.env, object)
      .evict(reason)
      .catch((err: unknown) => {
        if (!String(err).includes(reason)) throw err;
      });
    return c.json({ object, evicted: true as const, timestamp: Date.now() }, 200);
  },
);

/** The object's stub, seen only as what this route calls on it. */
function stubOf(env: Env, object: string): { evict(reason: string): Promise<void> } {
  if (object === "board") return marketBoard(env);
  if (object === "feed") return liquidationFeed(env);
  if (object.startsWith("symbol:")) return marketSymbol(env, object.slice(7));
  if (object.startsWith("shard:")) return fanoutShard(env, object.slice(6));
  return userLedger(env, object.slice(7));
}
