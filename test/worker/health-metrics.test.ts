import { runInDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marketBoard } from "../../durable-objects/addresses";
import type { MarketBoard } from "../../durable-objects/market-board";
import { batchOf, deliverCoinUpdates, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";

describe("operations endpoints", () => {
  it("reports liveness", async () => {
    const { status, body } = await getJson<{ status: string }>("/health");
    expect(status).toBe(200);
    expect(body.status).toBe("ok");
  });

  it("reports readiness with D1, the objects and feed freshness per venue", async () => {
    const now = Date.now();
    await postIngest(
      batchOf([
        ticker("upbit", "BTC", 1e8, now),
        ticker("binance", "BTC", 7e4, now - 60_000),
        { kind: "fx", pair: "USD/KRW", rate: 1_400, provider: "test", timestamp: now },
      ]),
    );
    const { status, body } = await getJson<{
      status: string;
      checks: { d1: { ok: boolean }; durable_objects: { ok: boolean } };
      feeds: Record<string, { stale: boolean; markets: number }>;
    }>("/health/ready");
    expect(status).toBe(200);
    expect(body.checks.d1.ok).toBe(true);
    expect(body.checks.durable_objects.ok).toBe(true);
    expect(body.feeds.upbit).toMatchObject({ stale: false, markets: 1 });
    expect(body.feeds.binance.stale).toBe(true);
    expect(body.status).toBe("degraded");
  });

  it("reports liquidation feeds in readiness and metrics once a venue has delivered", async () => {
    await postIngest(
      batchOf([
        {
          kind: "liquidation",
          venue: "okx",
          base: "ETH",
          quote: "USDT",
          venue_symbol: "ETH-USDT-SWAP",
          side: "short",
          price: 3_000,
          quantity: 2,
          timestamp: Date.now(),
          id: "okx-health-1",
        },
      ]),
    );
    const { body } = await getJson<{ liquidation_feeds: Record<string, { last_received_age_ms: number | null }> }>(
      "/health/ready",
    );
    expect(body.liquidation_feeds.okx.last_received_age_ms).not.toBeNull();
    const text = await (await exports.default.fetch("http://gateway/metrics")).text();
    expect(text).toContain('kimchi_liquidations_total{venue="okx",outcome="accepted"} 1');
  });

  it("exposes Prometheus metrics that count applied and duplicate batches", async () => {
    const batch = batchOf([ticker("upbit", "ETH", 5e6)]);
    await postIngest(batch);
    await postIngest(batch);
    const res = await exports.default.fetch("http://gateway/metrics");
    expect(res.headers.get("Content-Type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toMatch(/kimchi_ingest_batches_total\{outcome="duplicate"\} [1-9]/);
    expect(text).toMatch(/kimchi_markets\{venue="upbit"\} \d+/);
  });

  it("shows how many coins wait for their history to be delivered, down to none once it is", async () => {
    const board = marketBoard(env);
    // Deliver what earlier tests left first: their delivery alarm, once due, would run after the
    // cancellation below (deleteAlarm does not stop an alarm already dispatched) and take these coins too.
    await deliverCoinUpdates();
    // Apply the batch inside the board and cancel its delivery alarm in the same turn, so the coins
    // are still waiting when /metrics is read (the alarm would deliver them within ~200 ms).
    await runInDurableObject(board, async (instance: MarketBoard, state) => {
      await instance.applyBatch(batchOf([ticker("upbit", "OUTA", 10), ticker("upbit", "OUTB", 20)]), "digest");
      await state.storage.deleteAlarm();
    });
    const outbox = async () => {
      const text = await (await exports.default.fetch("http://gateway/metrics")).text();
      return Number(/^kimchi_symbol_outbox (\d+)$/m.exec(text)?.[1]);
    };
    expect(await outbox()).toBeGreaterThanOrEqual(2);
    await runInDurableObject(board, (_instance, state) => state.storage.setAlarm(Date.now()));
    await deliverCoinUpdates();
    expect(await outbox()).toBe(0);
  });

  it("answers an unknown path with a 404 problem", async () => {
    const res = await exports.default.fetch("http://gateway/api/nothing-here");
    expect(res.status).toBe(404);
    expect(res.headers.get("Content-Type")).toContain("application/problem+json");
  });
});
