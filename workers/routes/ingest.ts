import { createRoute } from "@hono/zod-openapi";
import { liquidationFeed, marketBoard, marketSymbol } from "../../durable-objects/addresses";
import {
  type CandleCoverageEvent,
  type CandleEvent,
  IngestAck,
  IngestBatch,
  type IngestEvent,
  type LiquidationEvent,
  MAX_INGEST_BYTES,
} from "../../protocol/ingest";
import { requestDigest } from "../http/digest";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { recordIngestEvents } from "../metrics/collected-metrics";
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
    "days, liquidation 7 days; candles, coverage and forex history by when they were fetched, 1 day), or a " +
    "candle that has not closed, is invalid. Candles are stored per venue, resolution and start (sending " +
    "one again replaces it with itself). Applied at most once per `batch_id`: the same id with the same " +
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
  // Candles and coverage go straight to their coins' objects (a backfill carries millions of them;
  // the board has no use for them), after the board has judged the batch by the digest of all of it.
  const { candles, others } = splitCandles(batch.events);
  const digest = await requestDigest(batch);
  recordIngestEvents(batch.events);
  const { outcome } = await marketBoard(c.env).applyBatch({ ...batch, events: others }, digest, c.var.requestId);
  if (outcome === "conflict") {
    throw new Problem(
      409,
      "batch-id-reused",
      `Batch ${batch.batch_id} was applied before with a different body; nothing was applied`,
      [{ path: "batch_id", message: "already used for another batch; send a new id for new events" }],
    );
  }
  // Like the feed's liquidations, candles are applied for a duplicate too: storing one again changes
  // nothing, and a retry completes what a failure left out.
  await Promise.all(
    [...candles].map(([base, group]) => marketSymbol(c.env, base).applyCandles(group.candles, group.coverage)),
  );
  const liquidationEvents = others.filter((e): e is LiquidationEvent => e.kind === "liquidation");
  if (liquidationEvents.length > 0) await liquidationFeed(c.env).apply(liquidationEvents, batch.source);
  return c.json({ batch_id: batch.batch_id, accepted: batch.events.length, duplicate: outcome === "duplicate" }, 200);
});

/** A batch's candles and coverage statements grouped by coin, and its other events. */
function splitCandles(events: IngestEvent[]) {
  const candles = new Map<string, { candles: CandleEvent[]; coverage: CandleCoverageEvent[] }>();
  const others: IngestEvent[] = [];
  for (const e of events) {
    if (e.kind !== "candle" && e.kind !== "candle_coverage") {
      others.push(e);
      continue;
    }
    let group = candles.get(e.base);
    if (!group) {
      group = { candles: [], coverage: [] };
      candles.set(e.base, group);
    }
    if (e.kind === "candle") group.candles.push(e);
    else group.coverage.push(e);
  }
  return { candles, others };
}
