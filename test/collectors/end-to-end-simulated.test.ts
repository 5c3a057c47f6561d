/**
 * What `npm start` does on a machine without internet, end to end: the real Worker (wrangler dev) and
 * the collectors process with `--simulate auto`, which finds no venue reachable, runs the local venue
 * simulator, and pushes with source "simulated". Before that, a recorded session is replayed into the
 * same Worker with source "replay".
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, startWorker, type WorkerProcess } from "../support/worker-process";
import { type CollectorsProcess, startCollectors } from "./support/collectors-process";
import { waitUntil } from "./support/feed-harness";
import { dunamuSampleAt, fixtureFrame } from "./support/fixtures";

interface Latest {
  coins: {
    symbol: string;
    prices: Record<string, { price: number; currency: string; timestamp: number; source?: string }>;
    premium: unknown;
  }[];
  exchange_rate: number | null;
  source: string;
}

let worker: WorkerProcess;
let collectors: CollectorsProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), "kimchi-e2e-collectors-"));

beforeAll(async () => {
  worker = await startWorker();
});
afterAll(async () => {
  await collectors?.stop();
  await worker?.dispose();
  rmSync(dir, { recursive: true, force: true });
});

async function latest(): Promise<Latest> {
  return (await (await fetch(`${worker.url}/api/coins/latest`)).json()) as Latest;
}

const hasKrwAndUsdt = (c: Latest["coins"][number]) =>
  Object.values(c.prices).some((p) => p.currency === "KRW") &&
  Object.values(c.prices).some((p) => p.currency === "USDT");

const allSimulated = (c: Latest["coins"][number]) => Object.values(c.prices).every((p) => p.source === "simulated");

describe("the collectors next to the real Worker", () => {
  it("replays a recorded session through the adapters, marked replay", async () => {
    const now = Date.now();
    const frame = (venue: string, stream: string, text: string, at: number) =>
      JSON.stringify({ venue, stream, received_at: at, frame: text });
    const binanceBtc = JSON.stringify([
      {
        e: "24hrMiniTicker",
        E: 1676965262000,
        s: "BTCUSDT",
        c: "24100.5",
        o: "24000",
        h: "24200",
        l: "23900",
        v: "100",
        q: "2410050",
      },
    ]);
    const file = join(dir, "session.jsonl");
    writeFileSync(
      file,
      [
        frame("upbit", "ws", fixtureFrame("upbit-ws-ticker.json"), 1676965262200),
        frame("binance", "ws", binanceBtc, 1676965262300),
        "garbage line",
        // Dunamu's sample is a year younger than the session: moved into it (a rate published a minute
        // before), since an event from after its receipt is dropped and a replay shifts all times alike.
        frame("fx", "rest /v1/forex/recent", dunamuSampleAt(1676965202400), 1676965262400),
      ].join("\n"),
    );
    const replay = startCollectors([
      "replay",
      file,
      "--speed",
      "0",
      "--worker-url",
      worker.url,
      "--token",
      worker.token,
    ]);
    expect(await replay.exited).toBe(0);
    expect(replay.log()).toContain("replay finished");
    const body = await latest();
    expect(body.source).toBe("replay");
    const btc = body.coins.find((c) => c.symbol === "BTC");
    expect(btc?.prices.upbit).toMatchObject({ price: 32287000, currency: "KRW", source: "replay" });
    expect(btc?.prices.binance).toMatchObject({ price: 24100.5, currency: "USDT", source: "replay" });
    // Shifted to now (the default), so the replay reads as current.
    expect(btc?.prices.upbit?.timestamp ?? 0).toBeGreaterThanOrEqual(now - 60_000);
    expect(body.exchange_rate).toBe(1338);
  });

  it("falls back to the simulator when no venue is reachable and serves at least 100 coins with KRW and USDT prices, marked simulated", async () => {
    const port = await freePort();
    collectors = startCollectors([
      "--worker-url",
      worker.url,
      "--token",
      worker.token,
      "--simulate",
      "auto",
      "--port",
      String(port),
      "--spool-dir",
      join(dir, "spool"),
    ]);
    await waitUntil(
      () => collectors?.log().includes("running against the local venue simulator") === true,
      "the fallback log line",
      60_000,
    );

    let body: Latest = await latest();
    const deadline = Date.now() + 120_000;
    while (Date.now() < deadline) {
      body = await latest();
      // The replayed BTC prices above stay until the simulator's first ticks for those markets land.
      const both = body.coins.filter(hasKrwAndUsdt);
      if (body.source === "simulated" && both.length >= 100 && both.every(allSimulated) && body.exchange_rate !== null)
        break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const both = body.coins.filter(hasKrwAndUsdt);
    expect(body.source).toBe("simulated");
    expect(both.length).toBeGreaterThanOrEqual(100);
    expect(both.every(allSimulated)).toBe(true);
    expect(both.filter((c) => c.premium !== null).length).toBeGreaterThanOrEqual(100);

    // Live-updating: BTC's Upbit price gets a newer timestamp.
    const first = body.coins.find((c) => c.symbol === "BTC")?.prices.upbit?.timestamp ?? 0;
    let newer = first;
    const until = Date.now() + 60_000;
    while (newer <= first && Date.now() < until) {
      await new Promise((r) => setTimeout(r, 500));
      newer = (await latest()).coins.find((c) => c.symbol === "BTC")?.prices.upbit?.timestamp ?? 0;
    }
    expect(newer).toBeGreaterThan(first);

    // The collectors' own health and metrics.
    const health = (await (await fetch(`http://127.0.0.1:${port}/health`)).json()) as {
      status: string;
      source: string;
      venues: Record<string, { connected: boolean; messages: number }>;
      pusher: { worker_reachable: boolean; batches_applied: number };
    };
    expect(health).toMatchObject({ status: "ok", source: "simulated" });
    expect(health.venues.upbit).toMatchObject({ connected: true });
    expect(health.venues.binance?.messages).toBeGreaterThan(0);
    expect(health.pusher.worker_reachable).toBe(true);
    const metrics = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    expect(metrics).toMatch(/collectors_venue_connected\{venue="upbit"\} 1/);
    expect(metrics).toMatch(/collectors_pusher_batches_total\{result="applied"\} [1-9]\d*/);
    expect(metrics).toMatch(/collectors_pusher_latency_seconds_count [1-9]\d*/);
  });
});
