import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgainstSimulator } from "../../test/collectors/support/feed-harness";
import { fixtureFrameWith } from "../../test/collectors/support/fixtures";
import { hangable, liquidations } from "../../test/collectors/support/hangable-venue";
import { silentLogger } from "../core/log";
import { VenueSimulator } from "../simulator/server";
import type { SimContext } from "../simulator/sim-venue";
import { bybitLinearSim } from "../simulator/venues/bybit-linear";
import { BYBIT_TOPICS_PER_CONNECTION, BYBIT_TOPICS_PER_REQUEST, bybitLinearFeed } from "./bybit-linear";

const VENUE = "bybit-linear";

interface SubscribeRequest {
  op: string;
  args: string[];
}

function subscribeRequests(sim: VenueSimulator): SubscribeRequest[] {
  return sim
    .clientMessages(VENUE)
    .map((m) => JSON.parse(m) as SubscribeRequest)
    .filter((m) => m.op === "subscribe");
}

function subscribedTopics(sim: VenueSimulator): string[] {
  return subscribeRequests(sim).flatMap((r) => r.args);
}

describe("bybit-linear feed against the simulated venue", () => {
  let venue: ReturnType<typeof hangable>;
  let sim: VenueSimulator;
  beforeEach(async () => {
    venue = hangable(bybitLinearSim);
    sim = await VenueSimulator.start({ venues: [venue.venue] });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("subscribes allLiquidation for every trading USDT symbol in chunks, pings, and normalises the pushes", async () => {
    const feed = runAgainstSimulator(bybitLinearFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => subscribedTopics(sim).length >= 60, "the subscriptions");
      const topics = subscribedTopics(sim);
      expect(topics).toContain("allLiquidation.BTCUSDT");
      expect(topics).toContain("allLiquidation.1000PEPEUSDT");
      expect(topics).toContain("allLiquidation.SHIB1000USDT");
      expect(topics).not.toContain("allLiquidation.BTCPERP"); // USDC
      expect(topics).not.toContain("allLiquidation.NEWUSDT"); // not trading yet
      expect(new Set(topics).size).toBe(topics.length);
      for (const request of subscribeRequests(sim))
        expect(request.args.length).toBeLessThanOrEqual(BYBIT_TOPICS_PER_REQUEST);

      // The docs sample as if the venue sent it now: the push (`ts`) 275 ms after the liquidation (`T`).
      const at = Date.now();
      sim.broadcast(
        VENUE,
        fixtureFrameWith("bybit-ws-all-liquidation.json", [
          [1739502303204, at + 275],
          [1739502302929, at],
        ]),
      );
      await feed.waitFor(() => liquidations(feed.events).some((e) => e.base === "ROSE"), "the docs sample");
      expect(liquidations(feed.events).find((e) => e.base === "ROSE")).toMatchObject({
        venue: "bybit",
        side: "short",
        quantity: 20000,
        timestamp: at,
      });
      await feed.waitFor(() => liquidations(feed.events).some((e) => e.base !== "ROSE"), "a simulated liquidation");
      for (const event of liquidations(feed.events)) {
        expect(event.base).not.toMatch(/^1000|1000$/);
        expect(event.value_usd).toBeCloseTo(event.price * event.quantity, 6);
      }
      await feed.waitFor(() => sim.clientMessages(VENUE).some((m) => JSON.parse(m).op === "ping"), "a ping");
      expect(feed.metrics.parseErrors).toBe(0);
    } finally {
      await feed.stop();
    }
  });

  it("subscribes a new listing on the open connection when the symbol list is refreshed", async () => {
    const ctx: SimContext = { market: sim.market, random: Math.random, log: silentLogger, every: () => () => {} };
    let calls = 0;
    sim.intercept(VENUE, (req) => {
      if (req.path !== "/v5/market/instruments-info" || ++calls === 1) return undefined;
      const answer = bybitLinearSim.http?.(req, ctx);
      const body = answer?.body as { result: { list: Record<string, string>[] } };
      body.result.list.push({
        symbol: "ZZZUSDT",
        baseCoin: "ZZZ",
        quoteCoin: "USDT",
        status: "Trading",
        contractType: "LinearPerpetual",
      });
      return { body };
    });
    const feed = runAgainstSimulator(bybitLinearFeed, sim, { keepAliveMs: 100, refreshMs: 100 });
    try {
      await feed.waitFor(() => subscribedTopics(sim).includes("allLiquidation.ZZZUSDT"), "the new listing subscribed");
      expect(sim.connectionsAccepted(VENUE)).toBe(1);
      expect(subscribedTopics(sim).filter((t) => t === "allLiquidation.ZZZUSDT")).toHaveLength(1);
    } finally {
      await feed.stop();
    }
  });

  it("spreads more symbols than one connection should carry over several connections", async () => {
    const list = Array.from({ length: 450 }, (_, i) => ({
      symbol: `C${i}USDT`,
      baseCoin: `C${i}`,
      quoteCoin: "USDT",
      status: "Trading",
      contractType: "LinearPerpetual",
    }));
    sim.intercept(VENUE, (req) =>
      req.path === "/v5/market/instruments-info"
        ? { body: { retCode: 0, retMsg: "OK", result: { category: "linear", list, nextPageCursor: "" }, time: 1 } }
        : undefined,
    );
    const feed = runAgainstSimulator(bybitLinearFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => new Set(subscribedTopics(sim)).size === 450, "450 topics subscribed");
      expect(subscribedTopics(sim)).toHaveLength(450);
      await feed.waitFor(
        () => sim.connections(VENUE) === Math.ceil(450 / BYBIT_TOPICS_PER_CONNECTION),
        "the connections",
      );
    } finally {
      await feed.stop();
    }
  });

  it("waits out a rate-limited symbol list, then connects", async () => {
    let refused = 0;
    sim.intercept(VENUE, (req) =>
      req.path === "/v5/market/instruments-info" && refused++ < 2
        ? { status: 429, headers: { "Retry-After": "0" }, body: { retCode: 10006, retMsg: "Too many visits!" } }
        : undefined,
    );
    const feed = runAgainstSimulator(bybitLinearFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => subscribedTopics(sim).length >= 60, "the subscriptions after the 429s");
      expect(refused).toBeGreaterThanOrEqual(3);
      expect(feed.metrics.rateLimited).toBe(2);
    } finally {
      await feed.stop();
    }
  });

  it("reconnects and subscribes again after the server drops the connection", async () => {
    const feed = runAgainstSimulator(bybitLinearFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => subscribedTopics(sim).length >= 60, "the subscriptions");
      const once = subscribedTopics(sim).length;
      sim.dropConnections(VENUE);
      await feed.waitFor(() => subscribedTopics(sim).length >= 2 * once, "the subscriptions again");
      expect(sim.connectionsAccepted(VENUE)).toBe(2);
    } finally {
      await feed.stop();
    }
  });

  it("stays on a quiet stream that answers pings, and reconnects when the venue stops answering", async () => {
    const feed = runAgainstSimulator(bybitLinearFeed, sim, { keepAliveMs: 50, silenceMs: 400 });
    try {
      await feed.waitFor(() => sim.connections(VENUE) === 1, "a connection");
      sim.setSilent(VENUE, true);
      const pings = () => sim.clientMessages(VENUE).filter((m) => JSON.parse(m).op === "ping").length;
      const before = pings();
      await feed.waitFor(() => pings() >= before + 20, "pings while no liquidation comes");
      expect(sim.connectionsAccepted(VENUE)).toBe(1);
      venue.hang(true);
      await feed.waitFor(() => sim.connectionsAccepted(VENUE) > 1, "a reconnect after the venue stopped answering");
    } finally {
      venue.hang(false);
      await feed.stop();
    }
  });
});
