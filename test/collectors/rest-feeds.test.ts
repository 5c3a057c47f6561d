/**
 * The polled feeds over real HTTP to the local simulator: Bithumb (every KRW market, in chunks under
 * its 200-market cap), Bybit spot, USD/KRW (with its fallback) and Fear & Greed; the venues' samples
 * served through the simulator, 429 with Retry-After, error answers and garbage bodies.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bithumbFeed } from "../../collectors/exchanges/bithumb";
import { bybitFeed } from "../../collectors/exchanges/bybit";
import { fearGreedFeed } from "../../collectors/exchanges/fear-greed";
import { fxFeed } from "../../collectors/exchanges/fx";
import { VenueSimulator } from "../../collectors/simulator/server";
import { bithumbSim } from "../../collectors/simulator/venues/bithumb";
import { bybitSim } from "../../collectors/simulator/venues/bybit";
import { fearGreedSim } from "../../collectors/simulator/venues/fear-greed";
import { fxSim } from "../../collectors/simulator/venues/fx";
import { runAgainstSimulator } from "./support/feed-harness";
import {
  dunamuSampleAt,
  epochSeconds,
  fixtureFrameAt,
  fixtureFrameWith,
  fixtureText,
  KST,
  wallClock,
} from "./support/fixtures";

// A simulator per test: a request of a stopped feed that was already on the wire must not be
// answered by the next test's scripted responses.
let sim: VenueSimulator;
beforeEach(async () => {
  sim = await VenueSimulator.start({ venues: [bithumbSim, bybitSim, fxSim, fearGreedSim] });
});
afterEach(async () => {
  await sim.stop();
});

const DAY_MS = 86_400_000;

/**
 * Bithumb's WebSocket ticker sample (KRW-BTC, a trade at 2024-09-10 09:16:17 KST, sent 113 ms later)
 * as if sent at `at`: its epoch `timestamp` and `trade_timestamp`, and its KST `trade_date`/`trade_time`.
 */
function bithumbTickerAt(at: number): Record<string, unknown> {
  const trade = at - 113;
  const { date, time } = wallClock(trade, KST);
  return JSON.parse(
    fixtureFrameWith("bithumb-ws-ticker.json", [
      [1725927377287, at],
      [1725927377174, trade],
      ['"trade_date":"20240910"', `"trade_date":"${date.replaceAll("-", "")}"`],
      ['"trade_time":"091617"', `"trade_time":"${time.replaceAll(":", "")}"`],
    ]),
  );
}

/**
 * alternative.me's sample (the index of one day and of the day before, dated at the start of their
 * day, in seconds) as if the newest were today's.
 */
function fearGreedSampleToday(): { frame: string; newest: number } {
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const frame = fixtureFrameWith("alternativeme-fng.json", [
    ['"timestamp":"1551157200"', `"timestamp":"${epochSeconds(today)}"`],
    ['"timestamp":"1551070800"', `"timestamp":"${epochSeconds(today - DAY_MS)}"`],
  ]);
  return { frame, newest: today };
}

describe("the Bithumb feed", () => {
  it("polls every KRW market, in requests of at most 100 markets", async () => {
    const run = runAgainstSimulator(bithumbFeed, sim, { pollIntervalMs: 200 });
    try {
      const listed = sim.market.listed("bithumb").length;
      const bases = () => new Set(run.events.map((e) => e.kind === "ticker" && e.base));
      await run.waitFor(() => bases().size === listed, "every listed market");
      expect(listed).toBeGreaterThan(200);
      const tickerRequests = sim.requests("bithumb").filter((r) => r.includes("/v1/ticker"));
      expect(tickerRequests.length).toBeGreaterThanOrEqual(3);
      expect(run.events.find((e) => e.kind === "ticker" && e.base === "USDT")).toMatchObject({
        quote: "KRW",
        venue: "bithumb",
      });
      expect(run.metrics.parseErrors).toBe(0);
    } finally {
      await run.stop();
    }
  });

  it("parses the venue's sample, and retries after an error answer or a garbage body", async () => {
    let calls = 0;
    // The venue's sample as if sent now.
    const at = Date.now();
    const sample = bithumbTickerAt(at);
    delete sample.type;
    const remove = sim.intercept("bithumb", (req) => {
      if (req.path !== "/v1/ticker") return undefined;
      calls++;
      if (calls === 1) return { status: 400, body: fixtureText("bithumb-rest-error-markets-limit.json") };
      if (calls === 2) return { body: "<html>bad gateway</html>" };
      return { body: [{ ...sample, market: "KRW-BTC" }] };
    });
    const run = runAgainstSimulator(bithumbFeed, sim, { pollIntervalMs: 100 });
    try {
      await run.waitFor(() => run.events.some((e) => e.kind === "ticker" && e.timestamp === at), "the sample");
      expect(run.events.find((e) => e.kind === "ticker" && e.timestamp === at)).toMatchObject({
        base: "BTC",
        price: 493100,
        change_percent: 1.775026,
      });
      expect(run.metrics.parseErrors).toBeGreaterThanOrEqual(1); // the garbage body
      expect(run.metrics.reconnects).toBeGreaterThanOrEqual(1); // the 400
    } finally {
      remove();
      await run.stop();
    }
  });
});

describe("the Bybit spot feed", () => {
  it("polls every spot symbol in one request", async () => {
    const run = runAgainstSimulator(bybitFeed, sim, { pollIntervalMs: 200 });
    try {
      const listed = sim.market.listed("bybit").length;
      await run.waitFor(
        () => new Set(run.events.map((e) => e.kind === "ticker" && e.base)).size === listed,
        "every symbol",
      );
      expect(sim.requests("bybit").every((r) => r === "GET rest /v5/market/tickers")).toBe(true);
    } finally {
      await run.stop();
    }
  });

  it("parses the venue's sample and waits as long as a 429's Retry-After says", async () => {
    const times: number[] = [];
    // The venue's sample as if sent now.
    const at = Date.now();
    const remove = sim.intercept("bybit", (req) => {
      if (req.path !== "/v5/market/tickers") return undefined;
      times.push(Date.now());
      if (times.length === 1)
        return { status: 429, headers: { "Retry-After": "1" }, body: { retCode: 10006, retMsg: "Too many visits!" } };
      return { body: fixtureFrameAt("bybit-rest-tickers-spot.json", 1673859087947, at) };
    });
    const run = runAgainstSimulator(bybitFeed, sim, { pollIntervalMs: 50, backoff: { initialMs: 10, maxMs: 20 } });
    try {
      await run.waitFor(() => run.events.some((e) => e.kind === "ticker" && e.timestamp === at), "the sample");
      expect(run.metrics.rateLimited).toBe(1);
      expect((times[1] ?? 0) - (times[0] ?? 0)).toBeGreaterThanOrEqual(1000);
      expect(run.events.find((e) => e.kind === "ticker" && e.timestamp === at)).toMatchObject({
        base: "BTC",
        quote: "USDT",
        price: 20533.13,
        change_percent: 0.68,
      });
    } finally {
      remove();
      await run.stop();
    }
  });
});

describe("USD/KRW and Fear & Greed", () => {
  it("takes USD/KRW from Dunamu (the venue's sample) and falls back to Frankfurter when Dunamu fails", async () => {
    let dunamuDown = false;
    // The venue's sample as if published now.
    const at = Date.now();
    const remove = sim.intercept("fx", (req) => {
      if (req.endpoint !== "dunamu") return undefined;
      return dunamuDown ? { status: 503, body: "unavailable" } : { body: dunamuSampleAt(at) };
    });
    const run = runAgainstSimulator(fxFeed, sim, { pollIntervalMs: 100 });
    try {
      await run.waitFor(() => run.events.length > 0, "a rate");
      expect(run.events[0]).toEqual({
        kind: "fx",
        pair: "USD/KRW",
        rate: 1338,
        provider: "dunamu (하나은행)",
        timestamp: at,
      });
      dunamuDown = true;
      await run.waitFor(
        () => run.events.some((e) => e.kind === "fx" && e.provider.startsWith("frankfurter")),
        "the fallback",
      );
      const fallback = run.events.find((e) => e.kind === "fx" && e.provider.startsWith("frankfurter"));
      // The simulated rate walks; the fallback reports it (not Dunamu's 1338 sample).
      const rate = fallback?.kind === "fx" ? fallback.rate : 0;
      expect(Math.abs(rate / sim.market.usdKrw - 1)).toBeLessThan(0.01);
      expect(sim.requests("fx").some((r) => r === "GET frankfurter /v1/latest")).toBe(true);
    } finally {
      remove();
      await run.stop();
    }
  });

  it("reads the Fear & Greed index", async () => {
    const sample = fearGreedSampleToday();
    const remove = sim.intercept("fear-greed", () => ({ body: sample.frame }));
    const run = runAgainstSimulator(fearGreedFeed, sim);
    try {
      await run.waitFor(() => run.events.length > 0, "the index");
      expect(run.events[0]).toEqual({
        kind: "fear_greed",
        value: 40,
        classification: "Fear",
        timestamp: sample.newest,
      });
    } finally {
      remove();
      await run.stop();
    }
  });
});
