/**
 * The candle collectors against the local venue simulator and the Worker's stand-in (the candle
 * receiver, which counts every candle's arrivals and can lose answers or go down): each candle of a
 * backfill arrives exactly once through lost answers, a Worker outage and a collector restart midway;
 * and a candle with a bad value is dropped alone, its neighbours sent, and counted on `/metrics`.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { binanceCandlesFeed } from "../../collectors/exchanges/binance-candles";
import { bithumbCandlesFeed } from "../../collectors/exchanges/bithumb-candles";
import { bybitCandlesFeed } from "../../collectors/exchanges/bybit-candles";
import { upbitCandlesFeed } from "../../collectors/exchanges/upbit-candles";
import { startOpsServer } from "../../collectors/ops-server";
import { VenueSimulator } from "../../collectors/simulator/server";
import { binanceSim } from "../../collectors/simulator/venues/binance";
import { bithumbSim } from "../../collectors/simulator/venues/bithumb";
import { bybitSim } from "../../collectors/simulator/venues/bybit";
import { upbitSim } from "../../collectors/simulator/venues/upbit";
import { CANDLE_RESOLUTIONS, INTERVAL_MS } from "../../protocol/venues";
import { runCandleFeeds, simulatedMarkets } from "./support/candle-harness";
import { type CandleReceiver, startCandleReceiver } from "./support/candle-receiver";
import { waitUntil } from "./support/feed-harness";
import { candleFixture } from "./support/fixtures";
import { venueCandles } from "./support/venue-candles";

const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;
const FEEDS = [upbitCandlesFeed, bithumbCandlesFeed, binanceCandlesFeed, bybitCandlesFeed];

let sim: VenueSimulator;
let receiver: CandleReceiver;
beforeEach(async () => {
  [sim, receiver] = await Promise.all([
    VenueSimulator.start({ venues: [upbitSim, bithumbSim, binanceSim, bybitSim] }),
    startCandleReceiver(),
  ]);
});
afterEach(async () => {
  await receiver.close();
  await sim.stop();
});

/** Whether the receiver's coverage of a market and resolution reaches over [from, to]. */
function covers(venue: string, base: string, quote: string, interval: "1m" | "1h" | "1d", from: number, to: number) {
  return receiver.coverage(venue, base, quote, interval).some(([a, b]) => a <= from && b >= to);
}

describe("candle delivery", () => {
  it("delivers each candle once through lost answers, a Worker outage and a collector restart midway", async () => {
    const spansMs = { "1d": 20 * DAY, "1h": 2 * DAY, "1m": 4 * HOUR };
    const markets = (["upbit", "bithumb", "binance", "bybit"] as const).flatMap((v) =>
      simulatedMarkets(sim, v, ["BTC", "XRP"]),
    );
    receiver.loseAnswers(3);
    // Slowly (4 requests a second per venue), so the faults land in the middle of the backfill.
    const first = runCandleFeeds(FEEDS, sim, receiver, {
      markets,
      candles: { spansMs, rateShare: 1, rateLimitOverride: { amount: 4, perMs: 1000 } },
    });
    try {
      await waitUntil(() => receiver.batches.length >= 4, "a few batches applied");
      receiver.setDown(true);
      await new Promise((r) => setTimeout(r, 1000));
      receiver.setDown(false);
      await waitUntil(() => receiver.batches.length >= 8, "batches after the outage");
      expect(first.lane.stats().failedAttempts).toBeGreaterThanOrEqual(3);
    } finally {
      await first.stop();
    }
    const incomplete = markets.some((m) => {
      const wanted = Date.now() - spansMs["1m"] + MINUTE;
      return !covers(m.venue, m.base, m.quote, "1m", wanted, wanted + 1);
    });
    expect(incomplete, "stopped with pages still to fetch").toBe(true);

    const second = runCandleFeeds(FEEDS, sim, receiver, { markets, candles: { spansMs } });
    try {
      await waitUntil(
        () =>
          markets.every((m) =>
            CANDLE_RESOLUTIONS.every((r) => {
              const size = INTERVAL_MS[r];
              const now = Date.now();
              const from = Math.ceil((now - spansMs[r]) / size) * size;
              const to = Math.floor((now - 5000) / size) * size;
              return covers(m.venue, m.base, m.quote, r, from, to);
            }),
          ),
        "every market's windows covered",
        30_000,
      );
    } finally {
      await second.stop();
    }

    expect(receiver.refused).toEqual([]);
    expect(
      receiver.duplicates().map((c) => `${c.event.venue} ${c.event.base} ${c.event.interval} ${c.event.open_time}`),
    ).toEqual([]);
    // And none is missing: every candle the venue has in the covered ranges arrived.
    for (const m of markets) {
      for (const interval of ["1m", "1h"] as const) {
        const [[from, to] = [0, 0]] = receiver.coverage(m.venue, m.base, m.quote, interval);
        const venue = await venueCandles(sim, m, interval, from, to);
        const arrived = [...receiver.candles.values()]
          .map((c) => c.event)
          .filter((e) => e.venue === m.venue && e.base === m.base && e.interval === interval);
        expect(arrived.map((e) => e.open_time).sort(), `${m.venue} ${m.base} ${interval}`).toEqual(
          [...venue.keys()].sort(),
        );
      }
      const [[dayFrom, dayTo] = [0, 0]] = receiver.coverage(m.venue, m.base, m.quote, "1d");
      const days = [...receiver.candles.values()].filter(
        (c) => c.event.venue === m.venue && c.event.base === m.base && c.event.interval === "1d",
      );
      expect(days.length, `${m.venue} ${m.base} 1d`).toBe((dayTo - dayFrom) / DAY);
    }
  });

  it("drops a candle with a bad value alone, sends its neighbours, and counts it on /metrics", async () => {
    // The venue's documented minute and its edited copies (a bad value each), as if of the last minutes.
    const last = Math.floor((Date.now() - 5000) / MINUTE) * MINUTE - MINUTE;
    const minuteAt = (k: number) => new Date(last - k * MINUTE).toISOString().slice(0, 19);
    let body = candleFixture("upbit-rest-candles-minutes-1-bad-rows-edited.json");
    for (let k = 0; k < 6; k++) body = body.replace(`"2018-04-18T10:1${6 - k}:00"`, `"${minuteAt(k)}"`);
    let served = false;
    const remove = sim.intercept("upbit", (req) => {
      if (served || req.path !== "/v1/candles/minutes/1") return undefined;
      served = true;
      return { body };
    });
    const run = runCandleFeeds([upbitCandlesFeed], sim, receiver, {
      markets: simulatedMarkets(sim, "upbit", ["BTC"]),
      candles: { spansMs: { "1d": 0, "1h": 0, "1m": 10 * MINUTE } },
    });
    const ops = await startOpsServer(run.registry, { source: "simulated", startedAt: Date.now() }, 0, "127.0.0.1");
    try {
      await waitUntil(() => receiver.coverage("upbit", "BTC", "KRW", "1m").length > 0, "the page acknowledged");
      const metrics = await (await fetch(`http://127.0.0.1:${ops.port}/metrics`)).text();
      expect(metrics).toContain('collectors_venue_invalid_events_total{venue="upbit-candles"} 5');
      expect(metrics).toContain('collectors_venue_parse_errors_total{venue="upbit-candles"} 0');
    } finally {
      remove();
      await ops.close();
      await run.stop();
    }
    const arrived = [...receiver.candles.values()].map((c) => c.event);
    expect(arrived.find((e) => e.open_time === last)).toMatchObject({
      venue: "upbit",
      base: "BTC",
      interval: "1m",
      open: 8615000,
      high: 8618000,
      low: 8611000,
      close: 8616000,
      volume: 6.96780929,
    });
    for (let k = 1; k < 6; k++) expect(arrived.some((e) => e.open_time === last - k * MINUTE)).toBe(false);
  });
});
