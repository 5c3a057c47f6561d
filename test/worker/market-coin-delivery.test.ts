import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marketBoard, marketSymbol } from "../../durable-objects/addresses";
import type { CandleRow } from "../../protocol/market";
import { batchOf, deliverCoinUpdates, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";
import { openSocket, priceIn } from "./support/websocket";

const MINUTE = 60_000;

async function candleCount(base: string): Promise<number> {
  const row = await runInDurableObject(marketSymbol(env, base), (_i, state) =>
    state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM draft_candles").one(),
  );
  return row.n;
}

describe("coin history reaches each MarketSymbol through the board's outbox", () => {
  it("acknowledges a batch with the history queued, then delivers it", async () => {
    await postIngest(batchOf([ticker("upbit", "HBAR", 300), ticker("binance", "HBAR", 0.2)]));
    expect(await runInDurableObject(marketBoard(env), (board) => board.pendingSymbolUpdates())).toBeGreaterThan(0);
    await deliverCoinUpdates();
    expect(await runInDurableObject(marketBoard(env), (board) => board.pendingSymbolUpdates())).toBe(0);
    expect(await candleCount("HBAR")).toBe(2);
  });

  it("merges several batches into one delivery with the right OHLC", async () => {
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE - MINUTE;
    for (const [price, offset] of [
      [10, 5_000],
      [14, 10_000],
      [8, 20_000],
      [11, 1_000],
      [12, 50_000],
    ]) {
      await postIngest(batchOf([ticker("upbit", "ALGO", price, minute + offset)]));
    }
    await deliverCoinUpdates();
    const { body } = await getJson<CandleRow[]>("/api/market/candles/ALGO?venue=upbit&interval=1m&limit=5");
    expect(body.find((r) => r[0] === minute)?.slice(1, 5)).toEqual([11, 14, 8, 12]);
  });

  it("keeps an undelivered outbox across the board's eviction and delivers it afterwards", async () => {
    await postIngest(batchOf([ticker("upbit", "ICP", 9_000)]));
    await evictDurableObject(marketBoard(env));
    expect(await candleCount("ICP")).toBe(0);
    await deliverCoinUpdates();
    expect(await candleCount("ICP")).toBe(1);
  });

  it("gives the same state when an update is delivered twice (a retried delivery)", async () => {
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE;
    // The venue's rolling 24 h volume grows by 3 within the minute: the provisional candle's volume.
    await postIngest(
      batchOf([
        ticker("bithumb", "XLM", 400, minute + 1, { volume: 1_000 }),
        ticker("bithumb", "XLM", 420, minute + 2, { volume: 1_003 }),
      ]),
    );
    const update = await runInDurableObject(marketBoard(env), (_board, state) => {
      const row = state.storage.sql.exec<{ data: string }>("SELECT data FROM symbol_outbox WHERE base = 'XLM'").one();
      return JSON.parse(row.data);
    });
    await marketSymbol(env, "XLM").applyUpdate(update);
    await marketSymbol(env, "XLM").applyUpdate(update);
    await deliverCoinUpdates();
    const { body } = await getJson<CandleRow[]>("/api/market/candles/XLM?venue=bithumb&interval=1m&limit=1");
    expect(body).toEqual([[minute, 400, 420, 400, 420, 3]]);
  });

  it("delivers promptly to a coin whose own stream has subscribers", async () => {
    const socket = await openSocket("/ws/prices/FIL");
    await socket.waitFor((m) => m.type === "snapshot");
    await postIngest(batchOf([ticker("upbit", "FIL", 5_000)]));
    // No alarm is run here: the watched coin is delivered by the fan-out timer.
    await socket.waitFor((m) => priceIn(m, "FIL", "upbit") === 5_000);
    socket.close();
  });
});
