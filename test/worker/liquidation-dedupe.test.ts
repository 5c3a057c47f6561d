import { describe, expect, it } from "vitest";
import type { LiquidationDebug, RecentLiquidations } from "../../protocol/liquidations";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { getWithToken, liquidation, uniqueBase } from "./support/liquidations";

async function recentOf(symbol: string) {
  const { status, body } = await getJson<RecentLiquidations>(`/api/liquidations/recent?symbol=${symbol}&limit=1000`);
  expect(status).toBe(200);
  return body.liquidations;
}

async function debug(): Promise<LiquidationDebug> {
  const res = await getWithToken("/api/liquidations/debug");
  expect(res.status).toBe(200);
  return (await res.json()) as LiquidationDebug;
}

describe("each liquidation is counted once", () => {
  it("counts a liquidation re-sent in another batch once", async () => {
    const base = uniqueBase();
    const event = liquidation("bybit", base, "long", 2, 500);
    const before = await debug();
    expect((await postIngest(batchOf([event]))).status).toBe(200);
    expect((await postIngest(batchOf([event]))).status).toBe(200);
    expect((await postIngest(batchOf([event, event]))).status).toBe(200);

    const list = await recentOf(base);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ id: event.id, venue: "bybit", side: "long", value_usd: 1_000 });
    const after = await debug();
    expect(after.venues.bybit.accepted - before.venues.bybit.accepted).toBe(1);
    expect(after.venues.bybit.duplicates - before.venues.bybit.duplicates).toBe(3);
  });

  it("counts a retried batch (same batch_id) once", async () => {
    const base = uniqueBase();
    const batch = batchOf([liquidation("binance", base, "short", 10, 3), liquidation("binance", base, "long", 10, 4)]);
    const first = await postIngest(batch);
    const retry = await postIngest(batch);
    expect(first.status).toBe(200);
    expect(retry.status).toBe(200);
    const list = await recentOf(base);
    expect(list.map((l) => l.value_usd).sort()).toEqual([30, 40]);
  });

  it("counts a BitMEX liquidation order once across its insert, updates and delete", async () => {
    // BitMEX publishes one liquidation order as insert -> update(s) -> delete under one orderID;
    // a collector that forwards each step sends the same id again. The first sighting is kept.
    const orderId = "8c808f22-254c-49d9-b24a-a99329b9f6d4";
    const base = uniqueBase();
    const insert = liquidation("bitmex", base, "short", 88_303.7, 0.5764, {
      id: `${orderId}-${base}`,
      venue_symbol: `${base}USD`,
      quote: "USD",
      value_usd: 50_900,
    });
    const update = { ...insert, price: 88_310, quantity: 0.3, value_usd: 26_500, timestamp: insert.timestamp + 400 };
    const del = { ...update, timestamp: insert.timestamp + 900 };
    const before = await debug();
    for (const e of [insert, update, del]) expect((await postIngest(batchOf([e]))).status).toBe(200);

    const list = await recentOf(base);
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({ side: "short", value_usd: 50_900, price: 88_303.7 });
    const after = await debug();
    expect(after.venues.bitmex.accepted - before.venues.bitmex.accepted).toBe(1);
    expect(after.venues.bitmex.duplicates - before.venues.bitmex.duplicates).toBe(2);
  });

  it("keeps the same id on two venues apart", async () => {
    const base = uniqueBase();
    const id = `shared-${base}`;
    await postIngest(
      batchOf([liquidation("okx", base, "long", 5, 5, { id }), liquidation("bybit", base, "long", 5, 5, { id })]),
    );
    expect((await recentOf(base)).map((l) => l.venue).sort()).toEqual(["bybit", "okx"]);
  });

  it("ignores, and reports, a liquidation with no usable USD value instead of guessing one", async () => {
    const base = uniqueBase();
    const before = await debug();
    const res = await postIngest(batchOf([liquidation("okx", base, "long", 0.05, 10, { quote: "BTC" })]));
    expect(res.status).toBe(200);
    expect(await recentOf(base)).toEqual([]);
    const after = await debug();
    expect(after.venues.okx.unpriced - before.venues.okx.unpriced).toBe(1);
  });
});
