import { describe, expect, it } from "vitest";
import type { IngestAck } from "../../protocol/ingest";
import type { LiquidationDebug, RecentLiquidations } from "../../protocol/liquidations";
import { boardState, expectProblem } from "./support/http";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { getWithToken, liquidation, uniqueBase } from "./support/liquidations";
import { ticker } from "./support/market";

async function feedCounters(): Promise<LiquidationDebug["venues"]> {
  const res = await getWithToken("/api/liquidations/debug");
  return ((await res.json()) as LiquidationDebug).venues;
}

async function recentIds(symbol: string): Promise<string[]> {
  const { body } = await getJson<RecentLiquidations>(`/api/liquidations/recent?symbol=${symbol}&limit=1000`);
  return body.liquidations.map((l) => l.id);
}

describe("a batch id is applied once, with one body", () => {
  it("answers the same id with the same body as a duplicate and applies nothing anywhere", async () => {
    const base = uniqueBase();
    const batch = batchOf([ticker("upbit", base, 10), liquidation("okx", base, "long", 10, 5)]);
    expect((await postIngest(batch)).status).toBe(200);
    const board = await boardState();
    const counters = await feedCounters();
    // The same batch re-sent, with its members in another order and other spacing: the same body.
    const reordered = JSON.stringify(
      { events: batch.events, sent_at: batch.sent_at, source: batch.source, batch_id: batch.batch_id },
      null,
      2,
    );
    const res = await postIngest(reordered, { raw: true });
    expect(res.status).toBe(200);
    expect((await res.json()) as IngestAck).toMatchObject({ batch_id: batch.batch_id, duplicate: true });
    expect(await boardState()).toEqual(board);
    const after = await feedCounters();
    expect(after.okx.accepted).toBe(counters.okx.accepted);
    expect(await recentIds(base)).toHaveLength(1);
  });

  it("refuses the same id with another body with 409, applying nothing to the board or the feed", async () => {
    const base = uniqueBase();
    const first = batchOf([ticker("upbit", base, 10), liquidation("bybit", base, "short", 10, 5)]);
    expect((await postIngest(first)).status).toBe(200);
    const board = await boardState();
    const counters = await feedCounters();

    const sneaked = liquidation("bybit", base, "long", 10, 7);
    const reused = { ...first, events: [ticker("upbit", base, 20), ...first.events.slice(1), sneaked] };
    const problem = await expectProblem(await postIngest(reused), 409, "batch_id");
    expect(problem.detail).toContain(first.batch_id);

    expect(await boardState()).toEqual(board);
    expect((await feedCounters()).bybit.accepted).toBe(counters.bybit.accepted);
    expect(await recentIds(base)).not.toContain(sneaked.id);
  });
});
