/**
 * The pusher against the real Worker (wrangler dev, workerd): the Worker unreachable for a while then
 * back, with a million ticks and a thousand liquidations pushed meanwhile; and a batch whose answer is
 * lost, retried and applied once. A transparent proxy records what the Worker accepted.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { silentLogger } from "../../collectors/core/log";
import { Pusher } from "../../collectors/pusher/pusher";
import type { FxEvent, IngestBatch, IngestEvent, LiquidationEvent, TickerEvent } from "../../protocol/ingest";
import { startWorker, type WorkerProcess } from "../support/worker-process";
import { waitUntil } from "./support/feed-harness";
import { type IngestProxy, startIngestProxy } from "./support/ingest-proxy";

let worker: WorkerProcess;
let proxy: IngestProxy;
let spoolDirectory: string;

beforeAll(async () => {
  worker = await startWorker();
  proxy = await startIngestProxy(worker.url);
  spoolDirectory = mkdtempSync(join(tmpdir(), "kimchi-spool-test-"));
});
afterAll(async () => {
  await proxy?.close();
  await worker?.dispose();
  rmSync(spoolDirectory, { recursive: true, force: true });
});

const MARKETS = 300;
const T0 = Date.now();

function base(m: number): string {
  return `PT${m}`;
}

function tick(i: number): TickerEvent {
  const m = i % MARKETS;
  const krw = m % 2 === 0;
  return {
    kind: "ticker",
    venue: krw ? "upbit" : "binance",
    base: base(m),
    quote: krw ? "KRW" : "USDT",
    venue_symbol: krw ? `KRW-${base(m)}` : `${base(m)}USDT`,
    price: 100 + i / 1000,
    change_percent: 1,
    volume: 10,
    quote_volume: 1000,
    timestamp: T0 + Math.floor(i / MARKETS),
  };
}

function liquidation(k: number): LiquidationEvent {
  return {
    kind: "liquidation",
    venue: "binance",
    base: "BTC",
    quote: "USDT",
    venue_symbol: "BTCUSDT",
    side: k % 2 === 0 ? "long" : "short",
    price: 90000 + k,
    quantity: 0.01,
    timestamp: T0 + k,
    id: `outage-liq-${k}`,
  };
}

function fx(k: number): FxEvent {
  return { kind: "fx", pair: "USD/KRW", rate: 1300 + k, provider: "test", timestamp: T0 + k };
}

const accepted = (): IngestBatch[] =>
  proxy.requests.filter((r) => r.status === 200 && !r.dropped).map((r) => JSON.parse(r.body) as IngestBatch);

describe("the pusher against the real Worker", () => {
  it("keeps memory bounded while the Worker is away, then delivers every liquidation and FX update in order and the latest ticker per market", async () => {
    const memoryLimit = 100;
    const maxBatchEvents = 500;
    const pusher = new Pusher({
      workerUrl: proxy.url,
      token: worker.token,
      source: "live",
      log: silentLogger,
      memoryLimit,
      maxBatchEvents,
      spoolDirectory,
      backoff: { initialMs: 50, maxMs: 500 },
    });
    pusher.start();
    try {
      pusher.push([tick(0)]);
      await pusher.idle();
      await worker.stop();
      const outageStart = proxy.requests.length;

      // A million ticks over 300 markets, a liquidation every 1000 ticks, a USD/KRW update every 5000.
      const ordered: IngestEvent[] = [];
      let maxHeld = 0;
      for (let i = 1; i <= 1_000_000; i++) {
        const batch: IngestEvent[] = [tick(i)];
        if (i % 1000 === 0) batch.push(liquidation(i / 1000));
        if (i % 5000 === 0) batch.push(fx(i / 5000));
        for (const e of batch) if (e.kind !== "ticker") ordered.push(e);
        pusher.push(batch);
        if (i % 10_000 === 0) {
          const s = pusher.stats();
          maxHeld = Math.max(maxHeld, s.bufferedTickers + s.bufferedOrdered + s.inFlightEvents);
          if (i % 200_000 === 0) await new Promise((r) => setImmediate(r)); // let the retry loop run
        }
      }
      const during = pusher.stats();
      // The bound: one ticker per market, `memoryLimit` ordered events, one batch in flight.
      expect(during.bufferedTickers).toBeLessThanOrEqual(MARKETS);
      expect(during.bufferedOrdered).toBeLessThanOrEqual(memoryLimit);
      expect(maxHeld).toBeLessThanOrEqual(MARKETS + memoryLimit + maxBatchEvents);
      // Everything else that must not be lost went to disk.
      expect(during.spooledEvents).toBeGreaterThanOrEqual(ordered.length - memoryLimit - maxBatchEvents);
      expect(during.spooledBytes).toBeGreaterThan(0);
      expect(during.workerReachable).toBe(false);
      expect(proxy.requests.slice(outageStart).every((r) => r.status === 0)).toBe(true);

      await worker.restart();
      await waitUntil(
        () => pusher.stats().spooledEvents === 0 && pusher.stats().bufferedTickers === 0,
        "the backlog to drain",
        90_000,
      );
      await pusher.idle();

      // Everything accepted after the first batch (the one tick sent before the outage).
      const after = accepted().filter((b) => b.events.some((e) => "timestamp" in e && e.timestamp !== T0));
      const delivered = after.flatMap((b) => b.events);
      // Every liquidation and FX update exactly once, in the order they were pushed.
      expect(delivered.filter((e) => e.kind !== "ticker")).toEqual(ordered);
      // Tickers conflated: of a million, at most the batch that was in flight when the Worker went away
      // (retried as it was) plus one per market; and the last one of each market is its latest.
      const tickers = delivered.filter((e): e is TickerEvent => e.kind === "ticker");
      expect(tickers.length).toBeLessThanOrEqual(MARKETS + maxBatchEvents);
      const lastByMarket = new Map(tickers.map((t) => [t.venue_symbol, t]));
      expect(lastByMarket.size).toBe(MARKETS);
      for (const t of lastByMarket.values()) {
        const m = Number(t.base.slice(2));
        expect(t).toEqual(tick(1_000_000 - ((1_000_000 - m) % MARKETS)));
      }
      expect(pusher.stats().spooledBytes).toBe(0);

      // The Worker shows the newest figures.
      const rate = (await (await fetch(`${worker.url}/api/market/exchange-rate`)).json()) as { exchange_rate: number };
      expect(rate.exchange_rate).toBe(1300 + 200);
      const coin = (await (await fetch(`${worker.url}/api/prices/${base(7)}`)).json()) as {
        prices: Record<string, { price: number }>;
      };
      expect(coin.prices.binance?.price).toBe(tick(1_000_000 - ((1_000_000 - 7) % MARKETS)).price);
    } finally {
      await pusher.stop();
    }
  });

  it("retries a batch whose answer was lost with the same batch_id, and the Worker applies it once", async () => {
    const metric = async (outcome: string) => {
      const text = await (await fetch(`${worker.url}/metrics`)).text();
      const m = new RegExp(`kimchi_ingest_batches_total\\{outcome="${outcome}"\\} (\\d+)`).exec(text);
      return Number(m?.[1] ?? Number.NaN);
    };
    const appliedBefore = await metric("applied");
    const duplicateBefore = await metric("duplicate");
    const pusher = new Pusher({
      workerUrl: proxy.url,
      token: worker.token,
      source: "live",
      log: silentLogger,
      spoolDirectory,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    const start = proxy.requests.length;
    proxy.dropResponses(1);
    pusher.start();
    try {
      pusher.push([fx(500), liquidation(5000)]);
      await waitUntil(() => pusher.stats().batchesOk + pusher.stats().batchesDuplicate === 1, "the acknowledgement");
      const seen = proxy.requests.slice(start);
      expect(seen).toHaveLength(2);
      expect(seen[0]?.dropped).toBe(true);
      expect(seen[0]?.status).toBe(200); // the Worker applied it; the collector never heard
      expect(seen[1]?.body).toBe(seen[0]?.body); // same batch_id, same body
      expect(JSON.parse(seen[1]?.response ?? "{}")).toMatchObject({ duplicate: true, accepted: 2 });
      expect(pusher.stats().batchesDuplicate).toBe(1);
      expect(await metric("applied")).toBe(appliedBefore + 1);
      expect(await metric("duplicate")).toBe(duplicateBefore + 1);
    } finally {
      await pusher.stop();
    }
  });

  it("sends the events again under a new batch id when the Worker answers 409 (the id was another batch's)", async () => {
    const pusher = new Pusher({
      workerUrl: proxy.url,
      token: worker.token,
      source: "live",
      log: silentLogger,
      spoolDirectory,
      backoff: { initialMs: 50, maxMs: 200 },
    });
    pusher.start();
    try {
      // One batch to be collided with, acknowledged first.
      pusher.push([fx(600)]);
      await waitUntil(() => pusher.stats().batchesOk >= 1, "the first acknowledgement");
      const start = proxy.requests.length;
      proxy.collideNextBatchId();
      pusher.push([fx(601), liquidation(6001)]);
      await waitUntil(() => proxy.requests.slice(start).some((r) => r.status === 200), "the events applied");
      const [collided, resent] = proxy.requests.slice(start);
      expect(collided?.status).toBe(409);
      expect(resent?.status).toBe(200);
      const first = JSON.parse(collided?.body ?? "{}") as IngestBatch;
      const second = JSON.parse(resent?.body ?? "{}") as IngestBatch;
      expect(second.batch_id).not.toBe(first.batch_id);
      expect(second.events).toEqual(first.events);
      const recent = (await (await fetch(`${worker.url}/api/liquidations/recent?symbol=BTC&limit=1000`)).json()) as {
        liquidations: { id: string }[];
      };
      expect(recent.liquidations.filter((l) => l.id === "outage-liq-6001")).toHaveLength(1);
    } finally {
      await pusher.stop();
    }
  });
});
