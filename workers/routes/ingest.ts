import { createRoute } from "@hono/zod-openapi";
import { liquidationFeed, marketBoard } from "../../durable-objects/addresses";
import { IngestAck, IngestBatch, type LiquidationEvent, MAX_INGEST_BYTES } from "../../protocol/ingest";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { collectorAuth } from "../middleware/collector-auth";

export const ingestRoutes = router({ maxBodyBytes: MAX_INGEST_BYTES });

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Ingest"],
  summary: "Push a batch of normalised events from the collectors",
  description:
    "Validated whole and rejected whole (400, nothing applied). Applied at most once per `batch_id`: " +
    "a re-sent batch is acknowledged with `duplicate: true`. Requires the collectors' bearer token.",
  security: [{ CollectorToken: [] }],
  middleware: [collectorAuth()] as const,
  request: { body: { content: { "application/json": { schema: IngestBatch } }, required: true } },
  responses: { 200: json(IngestAck, "The batch was applied, or had been before"), ...problems(400, 401) },
});

ingestRoutes.openapi(route, async (c) => {
  const batch = c.req.valid("json");
  // The board applies market events (and queues each coin's history for its MarketSymbol); the
  // LiquidationFeed counts liquidations. Both de-duplicate (by batch id, by venue id), so they run in
  // parallel and a retry after a partial failure completes only what is missing.
  const liquidationEvents = batch.events.filter((e): e is LiquidationEvent => e.kind === "liquidation");
  const [result] = await Promise.all([
    marketBoard(c.env).applyBatch(batch),
    liquidationEvents.length > 0 ? liquidationFeed(c.env).apply(liquidationEvents, batch.source) : null,
  ]);
  return c.json({ batch_id: batch.batch_id, accepted: batch.events.length, duplicate: result.duplicate }, 200);
});
