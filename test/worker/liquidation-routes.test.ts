import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { LiquidationAggregate, LiquidationSummary, RecentLiquidations } from "../../protocol/liquidations";
import type { CoinsLatest } from "../../protocol/market";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { getWithToken, liquidation, uniqueBase } from "./support/liquidations";

interface ProblemBody {
  type: string;
  status: number;
  errors?: { path: string; message: string }[];
}

async function problemOf(path: string): Promise<{ status: number; contentType: string | null; body: ProblemBody }> {
  const res = await exports.default.fetch(`http://gateway${path}`);
  return { status: res.status, contentType: res.headers.get("Content-Type"), body: (await res.json()) as ProblemBody };
}

describe("liquidation routes", () => {
  it("serves totals for a window with KRW at the current USD/KRW rate", async () => {
    const now = Date.now();
    await postIngest(batchOf([{ kind: "fx", pair: "USD/KRW", rate: 1_450, provider: "test", timestamp: now }]));
    const before = await getJson<LiquidationAggregate>("/api/liquidations/aggregated?window=1h");
    await postIngest(batchOf([liquidation("bybit", uniqueBase(), "short", 100, 7, { timestamp: now })]));
    const { status, body } = await getJson<LiquidationAggregate>("/api/liquidations/aggregated?window=1h");
    expect(status).toBe(200);
    expect(body.window).toBe("1h");
    expect(body.exchange_rate).toBe(1_450);
    expect(body.venues.bybit.short.count - before.body.venues.bybit.short.count).toBe(1);
    expect(body.venues.bybit.short.value_usd - before.body.venues.bybit.short.value_usd).toBeCloseTo(700, 6);
    expect(body.venues.bybit.short.value_krw).toBe(Math.round(body.venues.bybit.short.value_usd * 1_450));
    expect(Object.keys(body.venues).sort()).toEqual(["binance", "bitmex", "bybit", "okx"]);
    expect((await getJson<LiquidationAggregate>("/api/liquidations/aggregated")).body.window).toBe("24h");
  });

  it("filters /recent by venue, symbol, minimum USD value and limit, newest first", async () => {
    const base = uniqueBase();
    const other = uniqueBase();
    const t = Date.now() - 10_000;
    await postIngest(
      batchOf([
        liquidation("binance", base, "long", 100, 1, { timestamp: t }), // 100 USD
        liquidation("okx", base, "short", 100, 50, { timestamp: t + 1 }), // 5,000 USD
        liquidation("okx", base, "long", 100, 200, { timestamp: t + 2 }), // 20,000 USD
        liquidation("okx", other, "long", 100, 500, { timestamp: t + 3 }),
      ]),
    );
    const get = async (q: string) =>
      (await getJson<RecentLiquidations>(`/api/liquidations/recent?${q}`)).body.liquidations.map((l) => l.value_usd);
    expect(await get(`symbol=${base}`)).toEqual([20_000, 5_000, 100]);
    expect(await get(`symbol=${base.toLowerCase()}&venue=okx`)).toEqual([20_000, 5_000]);
    expect(await get(`symbol=${base}&min_usd=5000`)).toEqual([20_000, 5_000]);
    expect(await get(`symbol=${base}&limit=1`)).toEqual([20_000]);
    expect(await get(`symbol=${base},${other}&venue=okx,binance&min_usd=10000`)).toEqual([50_000, 20_000]);
  });

  it.each([
    ["/api/liquidations/aggregated?window=2h", "window"],
    ["/api/liquidations/aggregated?window=", "window"],
    ["/api/liquidations/recent?venue=kraken", "venue"],
    ["/api/liquidations/recent?symbol=BTC-USDT", "symbol"],
    ["/api/liquidations/recent?min_usd=-5", "min_usd"],
    ["/api/liquidations/recent?min_usd=1e3", "min_usd"],
    ["/api/liquidations/recent?limit=0", "limit"],
    ["/api/liquidations/recent?limit=1001", "limit"],
    ["/api/liquidations/recent?limit=ten", "limit"],
    ["/api/liquidations/recent?limit=1&limit=2", "limit"],
    ["/ws/liquidations?venue=mtgox", "venue"],
  ])("answers %s with a 400 problem naming %s", async (path, field) => {
    const { status, contentType, body } = await problemOf(path);
    expect(status).toBe(400);
    expect(contentType).toContain("application/problem+json");
    expect(body.errors?.map((e) => e.path)).toContain(field);
  });

  it("rejects a batch with one malformed liquidation whole, counting none of it", async () => {
    const base = uniqueBase();
    const good = liquidation("binance", base, "long", 10, 1);
    const bad = { ...liquidation("binance", base, "long", 10, 1), side: "buy" };
    const res = await postIngest(batchOf([good, bad as typeof good]));
    expect(res.status).toBe(400);
    const body = (await res.json()) as ProblemBody;
    expect(body.errors?.map((e) => e.path)).toContain("events.1.side");
    const recent = await getJson<RecentLiquidations>(`/api/liquidations/recent?symbol=${base}`);
    expect(recent.body.liquidations).toEqual([]);
  });

  it("asks for a WebSocket upgrade on /ws/liquidations with 426", async () => {
    const { status, body } = await problemOf("/ws/liquidations");
    expect(status).toBe(426);
    expect(body.type).toBe("/problems/websocket-required");
  });

  it("shows the per-venue feed state only to holders of the collector token", async () => {
    expect((await exports.default.fetch("http://gateway/api/liquidations/debug")).status).toBe(401);
    const res = await getWithToken("/api/liquidations/debug");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { venues: Record<string, { completeness: string }> };
    expect(body.venues.binance.completeness).toBe("sampled");
    expect(body.venues.bybit.completeness).toBe("complete");
  });

  it("puts the summary into /api/coins/latest", async () => {
    const base = uniqueBase();
    await postIngest(batchOf([liquidation("okx", base, "long", 10, 10)]));
    const { body } = await getJson<CoinsLatest & { liquidations: LiquidationSummary }>("/api/coins/latest");
    const summary = (await getJson<LiquidationSummary>("/api/liquidations/summary")).body;
    expect(body.liquidations).not.toBeNull();
    expect(body.liquidations.latest?.symbol).toBe(base);
    expect(body.liquidations.windows["24h"].total.total.count).toBe(summary.windows["24h"].total.total.count);
    expect(Object.keys(body.liquidations.windows).sort()).toEqual(["12h", "1h", "24h", "4h"]);
  });

  it("documents every liquidation route in the OpenAPI", async () => {
    const { body } = await getJson<{
      paths: Record<string, unknown>;
      components: { schemas: Record<string, unknown> };
    }>("/openapi.json");
    for (const path of [
      "/api/liquidations/aggregated",
      "/api/liquidations/summary",
      "/api/liquidations/recent",
      "/api/liquidations/debug",
      "/ws/liquidations",
    ]) {
      expect(body.paths).toHaveProperty([path]);
    }
    expect(body.components.schemas).toHaveProperty("LiquidationAggregate");
    expect(body.components.schemas).toHaveProperty("LiquidationSummary");
  });
});
