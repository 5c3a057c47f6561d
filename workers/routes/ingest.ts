import { createRoute } from "@hono/zod-openapi";
import { liquidationFeed, marketBoard } from "../../durable-objects/addresses";
import { IngestAck, IngestBatch, type LiquidationEvent, MAX_INGEST_BYTES } from "../../protocol/ingest";
import { requestDigest } from "../http/digest";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { collectorAuth } from "../middleware/collector-auth";

export const ingestRoutes = router({ maxBodyBytes: MAX_INGEST_BYTES });

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Ingest"],
  summary: "Push a batch of normalised events from the collectors",
  description:
    "Validated whole and rejected whole (400, nothing applied); an event dated more than 2 minutes ahead " +
    "of the server's clock, or older than its kind's age bound (ticker 1 day, fx 10 days, fear_greed 3 " +
    "days, liquidation 7 days), is invalid. Applied at most once per `batch_id`: the same id with the same " +
    "body is acknowledged with `duplicate: true`; the same id with another body is a 409 and applies " +
    "nothing. Requires the collectors' bearer token.",
  security: [{ CollectorToken: [] }],
  middleware: [collectorAuth()] as const,
  request: { body: { content: { "application/json": { schema: IngestBatch } }, required: true } },
  responses: {
    200: json(IngestAck, "The batch was applied, or had been before"),
    ...problems(400, 401, 409, 413),
  },
});

ingestRoutes.openapi(route, async (c) => {
  const batch = c.req.valid("json");
  // The board decides whether the batch is new, a duplicate or a conflict (it remembers each batch id
  // with the digest of its body) and applies its market events; only then does the LiquidationFeed
  // count the liquidations. The feed counts each liquidation once by its venue id, so it is called
  // for a duplicate too: a retry after the board applied a batch and the feed did not completes what
  // is missing, and counts nothing twice.
  const { outcome } = await marketBoard(c.env).applyBatch(batch, await requestDigest(batch));
  if (outcome === "conflict") {
    throw new Problem(
      409,
      "batch-id-reused",
      `Batch ${batch.batch_id} was applied before with a different body; nothing was applied`,
      [{ path: "batch_id", message: "already used for another batch; send a new id for new events" }],
    );
  }
  const liquidationEvents = batch.events.filter((e): e is LiquidationEvent => e.kind === "liquidation");
  if (liquidationEvents.length > 0) await liquidationFeed(c.env).apply(liquidationEvents, batch.source);
  return c.json({ batch_id: batch.batch_id, accepted: batch.events.length, duplicate: outcome === "duplicate" }, 200);
});
