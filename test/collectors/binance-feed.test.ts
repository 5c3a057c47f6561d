/**
 * The Binance spot feed over a real WebSocket to the local simulator (pinging every 200 ms): the
 * all-market `!miniTicker@arr` stream with a REST snapshot, the venue's samples, ping/pong, the
 * `serverShutdown` notice, the 24 h cut, a dropped connection, a silent feed, garbage.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { binanceFeed } from "../../collectors/exchanges/binance";
import { VenueSimulator } from "../../collectors/simulator/server";
import { createBinanceSim } from "../../collectors/simulator/venues/binance";
import { runAgainstSimulator } from "./support/feed-harness";
import { fixtureFrame, fixtureFrameAt } from "./support/fixtures";

let sim: VenueSimulator;
beforeAll(async () => {
  sim = await VenueSimulator.start({
    // Pings every 200 ms, but a 5 s allowance for the pong: the feed and the simulator share this
    // process, and a second's stall under load (timers run before the pending pong is read) would
    // otherwise cut the connection and lose a sample broadcast in that moment.
    venues: [createBinanceSim({ pingMs: 200, pongTimeoutMs: 5000, maxLifetimeMs: 60 * 60_000 })],
  });
});
afterAll(async () => {
  await sim.stop();
});

const usdtBases = (events: { kind: string; quote?: string; base?: string }[]) =>
  new Set(events.filter((e) => e.kind === "ticker" && e.quote === "USDT").map((e) => e.base));

describe("the Binance spot feed against the simulator", () => {
  it("receives every USDT market from the all-market stream and the REST snapshot, mapping multiplier symbols", async () => {
    const run = runAgainstSimulator(binanceFeed, sim, { silenceMs: 10_000 });
    try {
      const listed = sim.market.listed("binance").length;
      await run.waitFor(() => usdtBases(run.events).size === listed, "a ticker for every listed coin");
      expect(run.frames.some((f) => f.stream === "rest /api/v3/ticker/24hr")).toBe(true);
      await run.waitFor(
        () => run.frames.some((f) => f.stream === "ws" && f.frame.includes("24hrMiniTicker")),
        "a stream frame",
      );
      const sats = run.events.find((e) => e.kind === "ticker" && e.venue_symbol === "1000SATSUSDT");
      expect(sats).toMatchObject({ base: "SATS", quote: "USDT" });
      expect(run.events.find((e) => e.kind === "ticker" && e.venue_symbol === "BTTCUSDT")).toMatchObject({
        base: "BTT",
      });

      const sentAt = Date.now() - 1_000; // a time no simulated tick carries
      sim.broadcast("binance", fixtureFrameAt("binance-ws-ticker-24hr.json", 1672515782136, sentAt));
      sim.broadcast("binance", fixtureFrameAt("binance-ws-miniticker-arr.json", 1672515782136, sentAt));
      await run.waitFor(
        () => run.events.filter((e) => e.kind === "ticker" && e.timestamp === sentAt).length === 2,
        "the samples",
      );
      const samples = run.events.filter((e) => e.kind === "ticker" && e.timestamp === sentAt);
      expect(samples.map((e) => e.kind === "ticker" && e.change_percent)).toEqual([250, 150]);
      expect(run.metrics.parseErrors).toBe(0);
    } finally {
      await run.stop();
    }
  });

  it("answers the server's pings, so the server keeps the connection", async () => {
    const run = runAgainstSimulator(binanceFeed, sim, { silenceMs: 10_000 });
    try {
      await run.waitFor(() => run.metrics.connected, "connected");
      const accepted = sim.connectionsAccepted("binance");
      const pongs = sim.pongs("binance");
      await run.waitFor(() => sim.pongs("binance") >= pongs + 8, "eight pongs");
      expect(sim.connectionsAccepted("binance")).toBe(accepted);
      expect(run.metrics.connected).toBe(true);
    } finally {
      await run.stop();
    }
  });

  it("reconnects at once on serverShutdown (counted as control, not an error)", async () => {
    const run = runAgainstSimulator(binanceFeed, sim, { silenceMs: 10_000 });
    try {
      await run.waitFor(() => run.metrics.connected, "connected");
      const accepted = sim.connectionsAccepted("binance");
      sim.broadcast("binance", fixtureFrame("binance-ws-server-shutdown.json"));
      await run.waitFor(() => sim.connectionsAccepted("binance") > accepted, "a new connection");
      expect(run.metrics.parseErrors).toBe(0);
      const before = run.events.length;
      await run.waitFor(() => run.events.length > before, "data on the new connection");
    } finally {
      await run.stop();
    }
  });

  it("reconnects on its own before the venue's connection lifetime runs out", async () => {
    const run = runAgainstSimulator(binanceFeed, sim, { silenceMs: 10_000, maxConnectionMs: 600 });
    try {
      await run.waitFor(() => run.metrics.connected, "connected");
      const accepted = sim.connectionsAccepted("binance");
      await run.waitFor(() => sim.connectionsAccepted("binance") >= accepted + 2, "two planned reconnects");
    } finally {
      await run.stop();
    }
  });

  it("reconnects after a dropped connection and after a silent feed", async () => {
    const run = runAgainstSimulator(binanceFeed, sim, { silenceMs: 2500 });
    try {
      await run.waitFor(() => run.metrics.connected, "connected");
      let accepted = sim.connectionsAccepted("binance");
      sim.dropConnections("binance");
      await run.waitFor(() => sim.connectionsAccepted("binance") > accepted, "a reconnect after the drop");

      accepted = sim.connectionsAccepted("binance");
      sim.setSilent("binance", true); // pings continue, data stops
      await run.waitFor(() => sim.connectionsAccepted("binance") > accepted, "a reconnect after the silence");
      sim.setSilent("binance", false);
      const before = run.events.length;
      await run.waitFor(() => run.events.length > before, "data again");
      expect(run.metrics.reconnects).toBeGreaterThanOrEqual(2);
    } finally {
      sim.setSilent("binance", false);
      await run.stop();
    }
  });

  it("counts and skips garbage frames", async () => {
    const run = runAgainstSimulator(binanceFeed, sim, { silenceMs: 10_000 });
    try {
      await run.waitFor(() => run.metrics.connected, "connected");
      sim.broadcast("binance", "garbage");
      sim.broadcast("binance", '{"e":"aggTrade"}');
      sim.broadcast("binance", "[1,2,3]", { binary: true });
      await run.waitFor(() => run.metrics.parseErrors === 3, "three parse errors");
      const before = run.events.length;
      await run.waitFor(() => run.events.length > before, "data after the garbage");
      expect(run.metrics.connected).toBe(true);
    } finally {
      await run.stop();
    }
  });
});
