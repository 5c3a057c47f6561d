import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgainstSimulator } from "../../test/collectors/support/feed-harness";
import { fixtureFrameAt } from "../../test/collectors/support/fixtures";
import { hangable, liquidations } from "../../test/collectors/support/hangable-venue";
import { silentLogger } from "../core/log";
import { VenueSimulator } from "../simulator/server";
import type { SimContext } from "../simulator/sim-venue";
import { okxSim } from "../simulator/venues/okx";
import { OKX_SUBSCRIBE, okxFeed } from "./okx";

const VENUE = "okx";
const INSTRUMENTS = "GET rest /api/v5/public/instruments";

describe("okx feed against the simulated venue", () => {
  let venue: ReturnType<typeof hangable>;
  let sim: VenueSimulator;
  beforeEach(async () => {
    venue = hangable(okxSim);
    sim = await VenueSimulator.start({ venues: [venue.venue] });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("loads contract values first, subscribes liquidation-orders, pings, and converts contracts to coins", async () => {
    // The simulated venue's instruments plus the docs sample's IOST-USDT-SWAP (1000 IOST a contract).
    const ctx: SimContext = { market: sim.market, random: Math.random, log: silentLogger, every: () => () => {} };
    sim.intercept(VENUE, (req) => {
      if (req.path !== "/api/v5/public/instruments") return undefined;
      const body = okxSim.http?.(req, ctx)?.body as { data: Record<string, string>[] };
      body.data.push({
        instType: "SWAP",
        instId: "IOST-USDT-SWAP",
        ctVal: "1000",
        ctMult: "1",
        ctType: "linear",
        ctValCcy: "IOST",
      });
      return { body };
    });
    const feed = runAgainstSimulator(okxFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => sim.clientMessages(VENUE).includes(OKX_SUBSCRIBE), "the subscription");
      expect(sim.requests(VENUE)[0]).toBe(INSTRUMENTS);
      // The docs sample as if the venue sent it now.
      const at = Date.now();
      sim.broadcast(VENUE, fixtureFrameAt("okx-ws-liquidation-orders.json", 1692266434010, at));
      await feed.waitFor(() => liquidations(feed.events).some((e) => e.base === "IOST"), "the docs sample");
      expect(liquidations(feed.events).find((e) => e.base === "IOST")).toMatchObject({
        venue: "okx",
        side: "short",
        quantity: 13000,
        price: 0.007831,
        timestamp: at,
      });
      await feed.waitFor(() => liquidations(feed.events).some((e) => e.base !== "IOST"), "a simulated liquidation");
      for (const event of liquidations(feed.events))
        expect(event.value_usd).toBeCloseTo(event.price * event.quantity, 6);
      await feed.waitFor(() => sim.clientMessages(VENUE).includes("ping"), "a text ping");
      expect(feed.metrics.parseErrors).toBe(0);
    } finally {
      await feed.stop();
    }
  });

  it("does not connect before the contract values are known, and connects once they are", async () => {
    let failures = 0;
    sim.intercept(VENUE, (req) =>
      req.path === "/api/v5/public/instruments" && failures++ < 3 ? { status: 503, body: "upstream down" } : undefined,
    );
    const feed = runAgainstSimulator(okxFeed, sim, { keepAliveMs: 100, backoff: { initialMs: 20, maxMs: 50 } });
    try {
      await feed.waitFor(() => failures >= 3, "three failed instrument fetches");
      expect(sim.connectionsAccepted(VENUE)).toBe(0);
      await feed.waitFor(() => sim.clientMessages(VENUE).includes(OKX_SUBSCRIBE), "the subscription");
      expect(sim.requests(VENUE).filter((r) => r === INSTRUMENTS)).toHaveLength(4);
    } finally {
      await feed.stop();
    }
  });

  it("reconnects and subscribes again after the server drops the connection", async () => {
    const feed = runAgainstSimulator(okxFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => sim.clientMessages(VENUE).includes(OKX_SUBSCRIBE), "the subscription");
      sim.dropConnections(VENUE);
      await feed.waitFor(
        () => sim.clientMessages(VENUE).filter((m) => m === OKX_SUBSCRIBE).length === 2,
        "the subscription again",
      );
      expect(sim.connectionsAccepted(VENUE)).toBe(2);
    } finally {
      await feed.stop();
    }
  });

  it("stays on a quiet stream that answers pings, and reconnects when the venue stops answering", async () => {
    const feed = runAgainstSimulator(okxFeed, sim, { keepAliveMs: 50, silenceMs: 400 });
    try {
      await feed.waitFor(() => sim.connections(VENUE) === 1, "a connection");
      sim.setSilent(VENUE, true);
      const pings = () => sim.clientMessages(VENUE).filter((m) => m === "ping").length;
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
