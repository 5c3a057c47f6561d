/**
 * A ticker beyond any real market (a price over 1e12, a 24 h volume or traded value over 1e16) fails the
 * ingest schema like any other bad value: the collectors drop that event alone, pass the others of the
 * same answer on, and count it on their `/metrics`. Bybit's documented ticker answer, with such rows
 * added, served by the local simulator to the real Bybit feed.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { simulatedEndpoints } from "../../collectors/core/feed";
import { runFeed } from "../../collectors/core/feed-runner";
import { silentLogger } from "../../collectors/core/log";
import { MetricsRegistry } from "../../collectors/core/metrics";
import { bybitFeed } from "../../collectors/exchanges/bybit";
import { startOpsServer } from "../../collectors/ops-server";
import { VenueSimulator } from "../../collectors/simulator/server";
import { bybitSim } from "../../collectors/simulator/venues/bybit";
import { MAX_AMOUNT, MAX_PRICE } from "../../protocol/common";
import type { IngestEvent } from "../../protocol/ingest";
import { waitUntil } from "./support/feed-harness";
import { fixtureJson } from "./support/fixtures";

let sim: VenueSimulator;
beforeEach(async () => {
  sim = await VenueSimulator.start({ venues: [bybitSim] });
});
afterEach(async () => {
  await sim.stop();
});

type BybitTicker = Record<string, string>;

describe("tickers beyond any real market", () => {
  it("are dropped alone and counted on /metrics, the rest of the answer passed on", async () => {
    const sample = fixtureJson<{ result: { list: BybitTicker[] }; time: number }>("bybit-rest-tickers-spot.json");
    const btc = sample.result.list[0] as BybitTicker;
    const row = (symbol: string, edits: BybitTicker): BybitTicker => ({ ...btc, symbol, ...edits });
    const answer = {
      ...sample,
      time: Date.now(),
      result: {
        ...sample.result,
        list: [
          btc,
          // At the bounds: still a market.
          row("DOGEUSDT", { lastPrice: String(MAX_PRICE), highPrice24h: String(MAX_PRICE), turnover24h: "1e16" }),
          // Beyond them: a price over 1e12, a 24 h volume over 1e16, a 24 h traded value over 1e16.
          row("ETHUSDT", { lastPrice: "2000000000000", highPrice24h: "2000000000000" }),
          row("XRPUSDT", { volume24h: String(MAX_AMOUNT * 2) }),
          row("SOLUSDT", { turnover24h: "20000000000000000" }),
        ],
      },
    };
    let served = false;
    const remove = sim.intercept("bybit", (req) => {
      if (served || req.path !== "/v5/market/tickers") return undefined;
      served = true;
      return { body: answer };
    });
    const controller = new AbortController();
    const registry = new MetricsRegistry();
    const events: IngestEvent[] = [];
    const running = runFeed(bybitFeed, {
      endpoints: simulatedEndpoints(bybitFeed, sim.url),
      signal: controller.signal,
      sink: { events: (e) => events.push(...e) },
      log: silentLogger,
      metrics: registry,
      tuning: { pollIntervalMs: 60_000 },
    });
    const ops = await startOpsServer(registry, { source: "simulated", startedAt: Date.now() }, 0, "127.0.0.1");
    try {
      await waitUntil(() => served && registry.venue("bybit").messages > 0, "the answer");
      expect(events.map((e) => (e.kind === "ticker" ? e.base : e.kind)).sort()).toEqual(["BTC", "DOGE"]);
      expect(events.find((e) => e.kind === "ticker" && e.base === "DOGE")).toMatchObject({
        price: MAX_PRICE,
        quote_volume: 1e16,
      });
      const metrics = await (await fetch(`http://127.0.0.1:${ops.port}/metrics`)).text();
      expect(metrics).toContain('collectors_venue_invalid_events_total{venue="bybit"} 3');
      expect(metrics).toContain('collectors_venue_parse_errors_total{venue="bybit"} 0');
      expect(metrics).toContain('collectors_venue_events_total{venue="bybit"} 2');
    } finally {
      remove();
      await ops.close();
      controller.abort();
      await running;
    }
  });
});
