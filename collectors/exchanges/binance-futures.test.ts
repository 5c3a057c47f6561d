import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgainstSimulator } from "../../test/collectors/support/feed-harness";
import { fixtureFrameAt } from "../../test/collectors/support/fixtures";
import { hangable, liquidations } from "../../test/collectors/support/hangable-venue";
import { VenueSimulator } from "../simulator/server";
import { binanceFuturesSim } from "../simulator/venues/binance-futures";
import { binanceFuturesFeed } from "./binance-futures";

const VENUE = "binance-futures";
/** The docs sample's event and trade time (2019). */
const DOCS_TIME = 1568014460893;

/**
 * The docs sample as if the venue sent it now. Its time is taken before the feed starts, so before
 * any simulated liquidation (timed when the simulator sends it): the sample is told apart by it.
 */
function docsSampleNow(): { frame: string; at: number } {
  const at = Date.now() - 1_000;
  return { frame: fixtureFrameAt("binance-futures-ws-forceorder.json", DOCS_TIME, at), at };
}

describe("binance-futures feed against the simulated venue", () => {
  let venue: ReturnType<typeof hangable>;
  let sim: VenueSimulator;
  beforeEach(async () => {
    venue = hangable(binanceFuturesSim);
    sim = await VenueSimulator.start({ venues: [venue.venue] });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("streams !forceOrder@arr from the /market base URL and normalises the venue's frames", async () => {
    const sample = docsSampleNow();
    const feed = runAgainstSimulator(binanceFuturesFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => sim.connections(VENUE) === 1, "a connection");
      sim.broadcast(VENUE, JSON.stringify({ stream: "!forceOrder@arr", data: JSON.parse(sample.frame) }));
      await feed.waitFor(() => liquidations(feed.events).some((e) => e.timestamp === sample.at), "the docs sample");
      expect(liquidations(feed.events).find((e) => e.timestamp === sample.at)).toMatchObject({
        venue: "binance",
        base: "BTC",
        side: "long",
        quantity: 0.014,
        price: 9910,
      });
      await feed.waitFor(
        () => liquidations(feed.events).some((e) => e.timestamp !== sample.at),
        "a simulated liquidation",
      );
      for (const event of liquidations(feed.events)) {
        expect(event.venue).toBe("binance");
        expect(event.value_usd).toBeCloseTo(event.price * event.quantity, 6);
      }
      await feed.waitFor(() => sim.clientMessages(VENUE).some((m) => m.includes("LIST_SUBSCRIPTIONS")), "a keep-alive");
      expect(feed.metrics.parseErrors).toBe(0);
    } finally {
      await feed.stop();
    }
  });

  it("reconnects after the server drops the connection", async () => {
    const feed = runAgainstSimulator(binanceFuturesFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => sim.connections(VENUE) === 1, "a connection");
      const accepted = sim.connectionsAccepted(VENUE);
      sim.dropConnections(VENUE);
      await feed.waitFor(
        () => sim.connectionsAccepted(VENUE) > accepted && sim.connections(VENUE) === 1,
        "a reconnect",
      );
      expect(feed.metrics.reconnects).toBeGreaterThan(0);
    } finally {
      await feed.stop();
    }
  });

  it("stays on a quiet stream that answers its keep-alives, and reconnects when the venue stops answering", async () => {
    const feed = runAgainstSimulator(binanceFuturesFeed, sim, { keepAliveMs: 50, silenceMs: 400 });
    try {
      await feed.waitFor(() => sim.connections(VENUE) === 1, "a connection");
      const accepted = sim.connectionsAccepted(VENUE);
      sim.setSilent(VENUE, true);
      const pings = () => sim.clientMessages(VENUE).filter((m) => m.includes("LIST_SUBSCRIPTIONS")).length;
      const before = pings();
      // 20 keep-alives span more than twice the silence limit: a quiet market is not a dead socket.
      await feed.waitFor(() => pings() >= before + 20, "keep-alives while no liquidation comes");
      expect(sim.connectionsAccepted(VENUE)).toBe(accepted);
      venue.hang(true);
      await feed.waitFor(
        () => sim.connectionsAccepted(VENUE) > accepted,
        "a reconnect after the venue stopped answering",
      );
    } finally {
      venue.hang(false);
      sim.setSilent(VENUE, false);
      await feed.stop();
    }
  });

  it("counts garbage frames and carries on", async () => {
    const sample = docsSampleNow();
    const feed = runAgainstSimulator(binanceFuturesFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => sim.connections(VENUE) === 1, "a connection");
      sim.broadcast(VENUE, "{not json");
      sim.broadcast(VENUE, '{"e":"forceOrder","E":1,"o":{"s":"BTCUSDT","S":"HOLD"}}');
      await feed.waitFor(() => feed.metrics.parseErrors >= 2, "two parse errors");
      sim.broadcast(VENUE, sample.frame);
      await feed.waitFor(
        () => liquidations(feed.events).some((e) => e.timestamp === sample.at),
        "the next liquidation",
      );
      expect(feed.metrics.parseErrors).toBe(2);
      expect(sim.connectionsAccepted(VENUE)).toBe(1);
    } finally {
      await feed.stop();
    }
  });
});
