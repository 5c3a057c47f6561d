import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { bodyLimit } from "hono/body-limit";
import { isBoardMarket } from "../../protocol/common";
import {
  IngestAck,
  IngestBatch,
  type LiquidationEvent,
  MAX_INGEST_BYTES,
  type TickerEvent,
} from "../../protocol/ingest";
import type { AppEnv } from "../app-env";
import { liquidationFeed, marketBoard, marketSymbol } from "../lib/objects";
import { json, problems } from "../lib/openapi";
import { Problem } from "../lib/problem";
import { validationHook } from "../lib/validation";
import { collectorAuth } from "../middleware/collector-auth";

export const ingest = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const route = createRoute({
  method: "post",
  path: "/",
  tags: ["Ingest"],
  summary: "Push a batch of normalised events from the collectors",
  description:
    "Validated whole and rejected whole (400, nothing applied). Applied at most once per `batch_id`: " +
    "a re-sent batch is acknowledged with `duplicate: true`. Requires the collectors' bearer token.",
  security: [{ CollectorToken: [] }],
  middleware: [
    collectorAuth(),
    bodyLimit({
      maxSize: MAX_INGEST_BYTES,
      onError: () => {
        throw new Problem(400, "too-large", `The body is larger than ${MAX_INGEST_BYTES} bytes`, [
          { path: "(body)", message: `at most ${MAX_INGEST_BYTES} bytes` },
        ]);
      },
    }),
  ] as const,
  request: { body: { content: { "application/json": { schema: IngestBatch } }, required: true } },
  responses: { 200: json(IngestAck, "The batch was applied, or had been before"), ...problems(400, 401) },
});

ingest.openapi(route, async (c) => {
  const batch = c.req.valid("json");
  const board = marketBoard(c.env);
  const result = await board.applyBatch(batch);

  // Each coin's object records its own ticks (candles, premium history, its stream). Each
  // de-duplicates by batch id, so a retry after a partial failure completes only what is missing.
  const ticksByBase = new Map<string, TickerEvent[]>();
  // Liquidations go to the LiquidationFeed, which counts each venue id once, so a retried batch
  // completes there too without double counting.
  const liquidationEvents: LiquidationEvent[] = [];
  for (const e of batch.events) {
    if (e.kind === "liquidation") liquidationEvents.push(e);
    if (e.kind !== "ticker" || !isBoardMarket(e.venue, e.quote)) continue;
    const list = ticksByBase.get(e.base);
    if (list) list.push(e);
    else ticksByBase.set(e.base, [e]);
  }
  await Promise.all([
    ...result.coins.map((coin) =>
      marketSymbol(c.env, coin.symbol).applyTicks({
        batch_id: batch.batch_id,
        coin,
        ticks: ticksByBase.get(coin.symbol) ?? [],
      }),
    ),
    ...(liquidationEvents.length > 0 ? [liquidationFeed(c.env).apply(liquidationEvents, batch.source)] : []),
  ]);
  return c.json({ batch_id: batch.batch_id, accepted: batch.events.length, duplicate: result.duplicate }, 200);
});
