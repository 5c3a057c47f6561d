/**
 * The candle collectors' pace against each venue's published REST limit, counted where the venue would
 * count it: the arrival times of the requests at the simulated venue (its request timeline), over
 * sliding windows. A backfill of many markets at once keeps every venue busy for seconds at the default
 * share of its limit (80 %), and no window ever holds more than the venue allows. A 429 with
 * Retry-After pauses the venue for as long as it says; Bybit's 403 ban stops its candles.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { CandleTuning } from "../../collectors/candles/candle-tuning";
import type { ListedMarket } from "../../collectors/core/market-directory";
import { binanceCandlesFeed } from "../../collectors/exchanges/binance-candles";
import { bithumbCandlesFeed } from "../../collectors/exchanges/bithumb-candles";
import { bybitCandlesFeed } from "../../collectors/exchanges/bybit-candles";
import { upbitCandlesFeed } from "../../collectors/exchanges/upbit-candles";
import {
  BINANCE_KLINES_WEIGHT,
  BINANCE_REQUEST_WEIGHT_LIMIT,
  BITHUMB_CANDLE_LIMIT,
  BYBIT_HTTP_LIMIT,
  UPBIT_CANDLE_LIMIT,
} from "../../collectors/exchanges/venue-rate-limits";
import type { SimMarketVenue } from "../../collectors/simulator/coin-catalog";
import { peakInWindow } from "../../collectors/simulator/request-rates";
import { VenueSimulator } from "../../collectors/simulator/server";
import { binanceSim } from "../../collectors/simulator/venues/binance";
import { bithumbSim } from "../../collectors/simulator/venues/bithumb";
import { bybitSim } from "../../collectors/simulator/venues/bybit";
import { upbitSim } from "../../collectors/simulator/venues/upbit";
import { CANDLE_RESOLUTIONS, INTERVAL_MS } from "../../protocol/venues";
import { runCandleFeeds, simulatedMarkets } from "./support/candle-harness";
import { type CandleReceiver, startCandleReceiver } from "./support/candle-receiver";
import { waitUntil } from "./support/feed-harness";

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

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

/** The first `n` markets the simulator lists on a venue, as its ticker feed would name them. */
function firstMarkets(venue: SimMarketVenue, n: number): ListedMarket[] {
  const bases = sim.market
    .listed(venue)
    .map((c) => c.base)
    .filter((b) => b !== "USDT")
    .slice(0, n);
  return simulatedMarkets(sim, venue, bases);
}

/** Resolves once every market's wanted windows are covered at the receiver. */
async function backfilled(
  markets: readonly ListedMarket[],
  spansMs: Record<"1m" | "1h" | "1d", number>,
  timeoutMs: number,
) {
  await waitUntil(
    () =>
      markets.every((m) =>
        CANDLE_RESOLUTIONS.every((r) => {
          const size = INTERVAL_MS[r];
          const now = Date.now();
          const from = Math.ceil((now - spansMs[r]) / size) * size;
          const to = Math.floor((now - 5000) / size) * size;
          return from >= to || receiver.coverage(m.venue, m.base, m.quote, r).some(([a, b]) => a <= from && b >= to);
        }),
      ),
    "the backfill",
    timeoutMs,
  );
}

/** Arrival times of a venue's candle requests at the simulated venue. */
const arrivals = (venue: string, path: string) => sim.requestTimeline(venue, path).map((r) => r.at);

describe("candle rate limits", () => {
  it("keeps every venue's candle requests under its published limit during a backfill of many markets", async () => {
    // Each market costs three small requests (a few minutes, hours and days): enough markets to keep
    // every venue at its pace for seconds.
    const spansMs = { "1d": 3 * DAY, "1h": 3 * HOUR, "1m": 5 * MINUTE };
    const markets = [
      ...firstMarkets("upbit", 10),
      ...firstMarkets("bithumb", 100),
      ...firstMarkets("binance", 30),
      ...firstMarkets("bybit", 120),
    ];
    const tuning: CandleTuning = { spansMs }; // the default share of each limit, 80 %
    const run = runCandleFeeds(
      [upbitCandlesFeed, bithumbCandlesFeed, binanceCandlesFeed, bybitCandlesFeed],
      sim,
      receiver,
      { markets, candles: tuning },
    );
    try {
      await backfilled(markets, spansMs, 50_000);
    } finally {
      await run.stop();
    }

    const upbit = arrivals("upbit", "/v1/candles/");
    const bithumb = arrivals("bithumb", "/v1/candles/");
    const binance = arrivals("binance", "/api/v3/klines");
    const bybit = arrivals("bybit", "/v5/market/kline");
    // Three requests a market at least (one more a market when a minute closes meanwhile).
    const count = (venue: string) => markets.filter((m) => m.venue === venue).length * 3;
    expect(upbit.length).toBeGreaterThanOrEqual(count("upbit"));
    expect(bithumb.length).toBeGreaterThanOrEqual(count("bithumb"));
    expect(binance.length).toBeGreaterThanOrEqual(count("binance"));
    expect(bybit.length).toBeGreaterThanOrEqual(count("bybit"));

    // Upbit: 10 requests a second, the candle group.
    expect(UPBIT_CANDLE_LIMIT).toMatchObject({ amount: 10, perMs: SECOND });
    expect(peakInWindow(upbit, SECOND)).toBeLessThanOrEqual(10);
    // Bithumb: 150 requests a second, the candle category.
    expect(BITHUMB_CANDLE_LIMIT).toMatchObject({ amount: 150, perMs: SECOND });
    expect(peakInWindow(bithumb, SECOND)).toBeLessThanOrEqual(150);
    // Binance: 6000 weight a minute, klines weighing 2; and no second faster than that minute spread evenly.
    expect(BINANCE_REQUEST_WEIGHT_LIMIT).toMatchObject({ amount: 6000, perMs: MINUTE });
    expect(BINANCE_KLINES_WEIGHT).toBe(2);
    expect(peakInWindow(binance, MINUTE, BINANCE_KLINES_WEIGHT)).toBeLessThanOrEqual(6000);
    expect(peakInWindow(binance, SECOND, BINANCE_KLINES_WEIGHT)).toBeLessThanOrEqual(6000 / 60);
    // Bybit: 600 requests per 5 seconds; and no second faster than a fifth of that.
    expect(BYBIT_HTTP_LIMIT).toMatchObject({ amount: 600, perMs: 5 * SECOND });
    expect(peakInWindow(bybit, 5 * SECOND)).toBeLessThanOrEqual(600);
    expect(peakInWindow(bybit, SECOND)).toBeLessThanOrEqual(120);

    // The limits were approached, not idled under: each venue's busiest second used a quarter of its
    // share at least (the simulator, the receiver and the collectors share this process, and the test
    // run shares the machine with the other test files, so not all of it).
    expect(peakInWindow(upbit, SECOND)).toBeGreaterThanOrEqual(3);
    expect(peakInWindow(bithumb, SECOND)).toBeGreaterThanOrEqual(30);
    expect(peakInWindow(binance, SECOND, BINANCE_KLINES_WEIGHT)).toBeGreaterThanOrEqual(20);
    expect(peakInWindow(bybit, SECOND)).toBeGreaterThanOrEqual(24);
    expect(receiver.duplicates()).toEqual([]);
  });

  it("pauses a venue for as long as a 429's Retry-After says, then finishes the backfill", async () => {
    const spansMs = { "1d": 3 * DAY, "1h": 3 * HOUR, "1m": 5 * MINUTE };
    const markets = firstMarkets("upbit", 4);
    let refusedAt = 0;
    let seen = 0;
    const remove = sim.intercept("upbit", (req) => {
      if (!req.path.startsWith("/v1/candles/") || ++seen !== 3) return undefined;
      refusedAt = Date.now();
      return {
        status: 429,
        headers: { "Retry-After": "2" },
        body: { error: { name: "too_many_requests", message: "Too many API requests." } },
      };
    });
    const run = runCandleFeeds([upbitCandlesFeed], sim, receiver, { markets, candles: { spansMs } });
    try {
      await backfilled(markets, spansMs, 45_000);
      expect(run.registry.venue("upbit-candles").rateLimited).toBe(1);
    } finally {
      remove();
      await run.stop();
    }
    const after = arrivals("upbit", "/v1/candles/").filter((t) => t > refusedAt);
    // Nothing once the 429 was heard (a request already on its way may land within ~100 ms), until 2 s had passed.
    expect(after.filter((t) => t >= refusedAt + 100 && t < refusedAt + 2 * SECOND)).toEqual([]);
    expect(after.length).toBeGreaterThan(0);
    expect(after.filter((t) => t >= refusedAt + 100).length).toBe(after.length);
    expect(receiver.duplicates()).toEqual([]);
  });

  it("stops asking Bybit after its 403 ban, while other venues go on", async () => {
    const spansMs = { "1d": 3 * DAY, "1h": 3 * HOUR, "1m": 5 * MINUTE };
    const markets = [...firstMarkets("bybit", 4), ...firstMarkets("binance", 4)];
    let bannedAt = 0;
    const remove = sim.intercept("bybit", (req) => {
      if (bannedAt > 0 || req.path !== "/v5/market/kline") return undefined;
      bannedAt = Date.now();
      return { status: 403, body: "access too frequent" };
    });
    const run = runCandleFeeds([bybitCandlesFeed, binanceCandlesFeed], sim, receiver, {
      markets,
      candles: { spansMs },
    });
    try {
      await backfilled(
        markets.filter((m) => m.venue === "binance"),
        spansMs,
        45_000,
      );
      await new Promise((r) => setTimeout(r, Math.max(0, bannedAt + 2 * SECOND - Date.now())));
    } finally {
      remove();
      await run.stop();
    }
    expect(bannedAt).toBeGreaterThan(0);
    // The ban lasts at least 10 minutes: nothing more went to Bybit (beyond a request already on its way).
    expect(arrivals("bybit", "/v5/market/kline").filter((t) => t >= bannedAt + 100)).toEqual([]);
    expect(arrivals("binance", "/api/v3/klines").length).toBeGreaterThanOrEqual(12);
  });
});
