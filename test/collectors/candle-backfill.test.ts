/**
 * The candle collectors against the real Worker (wrangler dev) and the local venue simulator, through a
 * transparent proxy that records every batch the Worker accepted and can lose its answers:
 * - a market covered up to some minute, the collector away for minutes, then started again: exactly the
 *   missing minutes are fetched, and for every closed minute the Worker serves the venue's own candle;
 * - a backfill whose answers were lost and whose collector was stopped midway and started again: every
 *   candle is applied in one batch, the Worker holds one candle per minute with the venue's values,
 *   and the roll-ups it builds from them (5m, 1h, 1d) sum the venue's volumes once.
 * Each test uses its own coin (one Durable Object each), so they share one Worker.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lastClosedBoundary } from "../../collectors/candles/candle-tuning";
import type { ListedMarket } from "../../collectors/core/market-directory";
import { binanceCandlesFeed } from "../../collectors/exchanges/binance-candles";
import { bithumbCandlesFeed } from "../../collectors/exchanges/bithumb-candles";
import { bybitCandlesFeed } from "../../collectors/exchanges/bybit-candles";
import { upbitCandlesFeed } from "../../collectors/exchanges/upbit-candles";
import { VenueSimulator } from "../../collectors/simulator/server";
import { binanceSim } from "../../collectors/simulator/venues/binance";
import { bithumbSim } from "../../collectors/simulator/venues/bithumb";
import { bybitSim } from "../../collectors/simulator/venues/bybit";
import { upbitSim } from "../../collectors/simulator/venues/upbit";
import type { CandleEvent, IngestBatch } from "../../protocol/ingest";
import { startWorker, type WorkerProcess } from "../support/worker-process";
import { runCandleFeeds, simulatedMarkets } from "./support/candle-harness";
import { type IngestProxy, startIngestProxy } from "./support/ingest-proxy";
import { coverageAt, eventually, type Ohlcv, rollUp, venueCandles, workerCandles } from "./support/venue-candles";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FEEDS = [upbitCandlesFeed, bithumbCandlesFeed, binanceCandlesFeed, bybitCandlesFeed];

let worker: WorkerProcess;
let proxy: IngestProxy;
let sim: VenueSimulator;

beforeAll(async () => {
  [worker, sim] = await Promise.all([
    startWorker(),
    VenueSimulator.start({ venues: [upbitSim, bithumbSim, binanceSim, bybitSim] }),
  ]);
  proxy = await startIngestProxy(worker.url);
});
afterAll(async () => {
  await proxy?.close();
  await sim?.stop();
  await worker?.dispose();
});

/** The collectors' target: the proxy in front of the Worker, with the Worker's token. */
const target = () => ({ url: proxy.url, token: worker.token });

/** A coin's market on each of the four venues. */
function marketsOf(base: string): ListedMarket[] {
  return (["upbit", "bithumb", "binance", "bybit"] as const).flatMap((v) => simulatedMarkets(sim, v, [base]));
}

/** The Worker's 1m coverage of a market: its ranges. */
async function minuteCoverage(market: ListedMarket): Promise<[number, number][]> {
  return (await coverageAt({ url: worker.url, token: worker.token }, market))["1m"];
}

/** The batches the Worker accepted from proxy request `since` on (each batch once, retries included once). */
function acceptedBatches(since = 0): { batch: IngestBatch; answerLost: boolean; duplicate: boolean }[] {
  return proxy.requests
    .slice(since)
    .filter((r) => r.status === 200 && r.body.startsWith("{"))
    .map((r) => ({
      batch: JSON.parse(r.body) as IngestBatch,
      answerLost: r.dropped,
      duplicate: r.response.includes('"duplicate":true'),
    }));
}

/** The 1m candles of one market that accepted batches carried, by start, with the batches that carried each. */
function minutesSent(market: ListedMarket, since = 0): Map<number, Set<string>> {
  const out = new Map<number, Set<string>>();
  for (const { batch } of acceptedBatches(since)) {
    for (const e of batch.events) {
      if (e.kind !== "candle" || e.interval !== "1m" || e.venue !== market.venue || e.base !== market.base) continue;
      const ids = out.get((e as CandleEvent).open_time) ?? new Set<string>();
      ids.add(batch.batch_id);
      out.set(e.open_time, ids);
    }
  }
  return out;
}

/** Only the periods with a start in [from, to). */
function within(candles: Map<number, Ohlcv>, from: number, to: number): Map<number, Ohlcv> {
  return new Map([...candles].filter(([t]) => t >= from && t < to).sort((a, b) => a[0] - b[0]));
}

describe("candle backfill into the real Worker", () => {
  it("fetches exactly the minutes missed while the collector was away, and serves the venue's candle for each", async () => {
    const away = 5; // minutes
    const span = 30 * MINUTE;
    const markets = marketsOf("BTC");
    // The collector's first life ends `away` minutes ago: a collector that settles that long before
    // fetching covers the market up to then, as one stopped then would have.
    const before = runCandleFeeds(FEEDS, sim, target(), {
      markets,
      candles: { spansMs: { "1d": 0, "1h": 0, "1m": span }, settleMs: away * MINUTE + 3000 },
    });
    const leftAt = lastClosedBoundary("1m", Date.now(), away * MINUTE + 3000);
    try {
      await eventually(
        async () =>
          (await Promise.all(markets.map(minuteCoverage))).every((c) => c.length === 1 && (c[0]?.[1] ?? 0) >= leftAt),
        "the first life's coverage",
      );
    } finally {
      await before.stop();
    }
    const coveredTo = new Map<ListedMarket, number>();
    for (const m of markets) {
      const [range] = await minuteCoverage(m);
      coveredTo.set(m, range?.[1] ?? 0);
      expect(range?.[1]).toBeLessThanOrEqual(Date.now() - away * MINUTE);
    }

    // Back: a new collector asks the Worker what it holds and fills the gap up to the last closed minute.
    const mark = proxy.requests.length;
    const after = runCandleFeeds(FEEDS, sim, target(), {
      markets,
      candles: { spansMs: { "1d": 0, "1h": 0, "1m": span } },
    });
    try {
      await eventually(async () => {
        const due = lastClosedBoundary("1m", Date.now(), 5000);
        return (await Promise.all(markets.map(minuteCoverage))).every((c) => c.length === 1 && (c[0]?.[1] ?? 0) >= due);
      }, "the gap filled");
    } finally {
      await after.stop();
    }

    for (const m of markets) {
      const [[from, to] = [0, 0]] = await minuteCoverage(m);
      const gapFrom = coveredTo.get(m) ?? 0;
      expect(to - gapFrom, `${m.venue}: the gap`).toBeGreaterThanOrEqual(away * MINUTE);
      const venue = await venueCandles(sim, m, "1m", from, to);
      // The second life sent the venue's minutes of the gap, every one, and none it had before.
      const sent = [...minutesSent(m, mark).keys()].sort((a, b) => a - b);
      expect(sent, `${m.venue}: minutes sent after the outage`).toEqual(
        [...venue.keys()].filter((t) => t >= gapFrom).sort((a, b) => a - b),
      );
      // BTC trades nearly every minute; a minute without a trade has no candle at the venue (the
      // simulator steps less often on a loaded machine), and then none is sent.
      expect(sent.length, `${m.venue}: candles of the gap`).toBeGreaterThanOrEqual((to - gapFrom) / MINUTE / 2);
      // For every closed minute covered, before the outage and in the gap, the Worker serves the venue's own candle.
      const served = within(await workerCandles(worker.url, m.base, m.venue, "1m", 60), from, to);
      expect(served.size, `${m.venue}: minutes served`).toBe(venue.size);
      expect(served, `${m.venue}: the Worker's candles`).toEqual(within(venue, from, to));
    }
  });

  it("applies every candle once when answers are lost and the collector is stopped midway and started again", async () => {
    const span = 8 * HOUR; // Upbit and Bithumb: 3 pages of 200 minutes each
    const markets = marketsOf("ETH");
    const spansMs = { "1d": 0, "1h": 0, "1m": span };
    const upbit = markets.find((m) => m.venue === "upbit") as ListedMarket;
    const mark = proxy.requests.length;
    // The Worker applies the first batch, but the collector never hears back, nor when it sends it again.
    proxy.dropResponses(2, "POST");
    // Slowly (2 requests a second per venue), so it can be stopped with pages still to fetch.
    const first = runCandleFeeds(FEEDS, sim, target(), {
      markets,
      candles: { spansMs, rateShare: 1, rateLimitOverride: { amount: 2, perMs: 1000 } },
    });
    const resent = () => acceptedBatches(mark).filter((b) => b.answerLost && b.duplicate);
    let stoppedWith: [number, number][] = [];
    try {
      // The crash: once the Worker has applied the first batch twice without the collector hearing of
      // it, and has Upbit's first page (the venues' pages share the lane in no fixed order).
      await eventually(
        async () => resent().length > 0 && (await minuteCoverage(upbit)).length > 0,
        "the first batch sent again, and Upbit's first page applied",
      );
    } finally {
      await first.stop();
      stoppedWith = await minuteCoverage(upbit);
    }
    const wantedFrom = Math.ceil((Date.now() - span) / MINUTE) * MINUTE;
    expect(stoppedWith.length, "Upbit's first page applied").toBe(1);
    expect(stoppedWith[0]?.[0], "stopped with Upbit's older pages not fetched").toBeGreaterThan(wantedFrom + MINUTE);
    const [unheard] = resent();
    expect(unheard?.batch.events.filter((e) => e.kind === "candle").length).toBeGreaterThan(100);

    const second = runCandleFeeds(FEEDS, sim, target(), { markets, candles: { spansMs } });
    try {
      await eventually(
        async () => {
          const now = Date.now();
          const wanted = Math.ceil((now - span) / MINUTE) * MINUTE;
          const due = lastClosedBoundary("1m", now, 5000);
          return (await Promise.all(markets.map(minuteCoverage))).every(
            (c) => c.length === 1 && (c[0]?.[0] ?? Number.POSITIVE_INFINITY) <= wanted && (c[0]?.[1] ?? 0) >= due,
          );
        },
        "the backfill finished",
        30_000,
      );
    } finally {
      await second.stop();
    }

    for (const m of markets) {
      const [[from, to] = [0, 0]] = await minuteCoverage(m);
      // Every minute went to the Worker in one batch (the unheard one included, sent twice under one id):
      // the restarted collector learned what the Worker held and sent none of it again.
      for (const [minute, ids] of minutesSent(m, mark)) {
        expect(ids.size, `${m.venue} ${new Date(minute).toISOString()}: batches that carried it`).toBe(1);
      }
      const venue = await venueCandles(sim, m, "1m", from, to);
      // (A thin market has no candle for a minute without trades: Bithumb's ETH here, a quarter of them.)
      expect(venue.size, `${m.venue}: the venue's minutes`).toBeGreaterThan(span / MINUTE / 2);
      // One candle per minute, the venue's values: none doubled, none missing.
      const served = within(await workerCandles(worker.url, m.base, m.venue, "1m", 1000), from, to);
      expect(served.size, `${m.venue}: minutes served`).toBe(venue.size);
      expect(served, `${m.venue}: the Worker's minutes`).toEqual(venue);
      // The Worker's roll-ups of those minutes (it holds no hours or days of this coin: their spans are 0)
      // count each minute's volume once, in every period, the partial ones at the ends included.
      for (const [interval, period] of [
        ["5m", 5 * MINUTE],
        ["1h", HOUR],
        ["1d", DAY],
      ] as const) {
        const expected = rollUp(venue, period);
        const rolled = await workerCandles(worker.url, m.base, m.venue, interval, Math.ceil(span / period) + 2);
        expect([...rolled.keys()], `${m.venue} ${interval} periods`).toEqual([...expected.keys()]);
        for (const [t, [o, h, l, c, v]] of expected) {
          const [ro, rh, rl, rc, rv] = rolled.get(t) as Ohlcv;
          expect([ro, rh, rl, rc], `${m.venue} ${interval} ${new Date(t).toISOString()}`).toEqual([o, h, l, c]);
          expect(Math.abs(rv / v - 1), `${m.venue} ${interval} volume`).toBeLessThan(1e-9);
        }
      }
    }
  });
});
