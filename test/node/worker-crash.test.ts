/**
 * What the Worker acknowledged survives a crash: batches are posted one after another, and the moment
 * the last is acknowledged the Worker is killed (SIGKILL: no shutdown, no flush), then started again
 * on the same local state. Every acknowledged ticker, rate and liquidation must be there.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestBatch, IngestEvent } from "../../protocol/ingest";
import { startWorker, type WorkerProcess } from "../support/worker-process";

let worker: WorkerProcess;
beforeAll(async () => {
  worker = await startWorker();
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
});

const base = `CRASH${Date.now().toString(36).toUpperCase().slice(-6)}`;

function batch(i: number): IngestBatch {
  const now = Date.now();
  const events: IngestEvent[] = [
    {
      kind: "ticker",
      venue: "upbit",
      base,
      quote: "KRW",
      venue_symbol: `KRW-${base}`,
      price: 1_000 + i,
      change_percent: 0,
      volume: 1,
      quote_volume: 1_000,
      timestamp: now,
    },
    {
      kind: "liquidation",
      venue: "bybit",
      base,
      quote: "USDT",
      venue_symbol: `${base}USDT`,
      side: i % 2 === 0 ? "long" : "short",
      price: 10,
      quantity: 1 + i,
      timestamp: now,
      id: `${base}-crash-${i}`,
    },
    { kind: "fx", pair: "USD/KRW", rate: 1_300 + i, provider: "crash-test", timestamp: now },
  ];
  return { batch_id: crypto.randomUUID(), source: "live", sent_at: now, events };
}

describe("a crash right after an acknowledgement", () => {
  it("loses nothing the Worker acknowledged", async () => {
    const post = (b: IngestBatch) =>
      fetch(`${worker.url}/internal/ingest`, {
        method: "POST",
        headers: { "Content-Type": "application/json", Authorization: `Bearer ${worker.token}` },
        body: JSON.stringify(b),
      });
    const batches = Array.from({ length: 20 }, (_, i) => batch(i));
    for (const b of batches) expect((await post(b)).status).toBe(200);
    await worker.kill();
    await worker.restart();

    const coin = (await (await fetch(`${worker.url}/api/prices/${base}`)).json()) as {
      prices: { upbit: { price: number } };
    };
    expect(coin.prices.upbit.price).toBe(1_019);
    const rate = (await (await fetch(`${worker.url}/api/market/exchange-rate`)).json()) as { exchange_rate: number };
    expect(rate.exchange_rate).toBe(1_319);
    const recent = (await (await fetch(`${worker.url}/api/liquidations/recent?symbol=${base}&limit=100`)).json()) as {
      liquidations: { id: string }[];
    };
    expect(new Set(recent.liquidations.map((l) => l.id))).toEqual(new Set(batches.map((_, i) => `${base}-crash-${i}`)));
    // Re-sent after the crash (its answer lost, say), the last batch is a duplicate and counts nothing twice.
    const again = await post(batches[19] as IngestBatch);
    expect(await again.json()).toMatchObject({ duplicate: true });
  }, 120_000);
});
