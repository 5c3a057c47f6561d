import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runAgainstSimulator } from "../../test/collectors/support/feed-harness";
import { fixtureText } from "../../test/collectors/support/fixtures";
import { hangable, liquidations } from "../../test/collectors/support/hangable-venue";
import { parseJson } from "../core/parse";
import { VenueSimulator } from "../simulator/server";
import { bitmexSim } from "../simulator/venues/bitmex";
import { BITMEX_SUBSCRIBE, bitmexFeed } from "./bitmex";

const VENUE = "bitmex";
const DOCS_ORDER = "8c808f22-254c-49d9-b24a-a99329b9f6d4";

/** Order ids that appeared (insert or partial rows) in the frames the feed received. */
function appearedOrders(frames: { frame: string }[]): Set<string> {
  const ids = new Set<string>();
  for (const { frame } of frames) {
    const message = parseJson(frame) as { table?: string; action?: string; data?: { orderID: string }[] } | undefined;
    if (message?.table !== "liquidation" || (message.action !== "insert" && message.action !== "partial")) continue;
    for (const row of message.data ?? []) ids.add(row.orderID);
  }
  return ids;
}

describe("bitmex feed against the simulated venue", () => {
  let venue: ReturnType<typeof hangable>;
  let sim: VenueSimulator;
  beforeEach(async () => {
    venue = hangable(bitmexSim);
    sim = await VenueSimulator.start({ venues: [venue.venue] });
  });
  afterEach(async () => {
    await sim.stop();
  });

  it("loads instruments, subscribes the liquidation table and counts each order once through its life", async () => {
    const feed = runAgainstSimulator(bitmexFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => sim.clientMessages(VENUE).includes(BITMEX_SUBSCRIBE), "the subscription");
      expect(sim.requests(VENUE)[0]).toBe("GET rest /api/v1/instrument/active");
      for (const name of ["insert", "update", "delete", "insert"]) {
        sim.broadcast(VENUE, fixtureText(`bitmex-ws-liquidation-${name}.json`));
      }
      await feed.waitFor(() => liquidations(feed.events).some((e) => e.id === DOCS_ORDER), "the docs sample");
      // The simulated engine's own orders: insert, partial fills, delete.
      await feed.waitFor(
        () => feed.frames.some((f) => f.frame.includes('"action":"update"')) && liquidations(feed.events).length >= 3,
        "simulated liquidation orders and their updates",
      );
      const events = liquidations(feed.events);
      expect(events.filter((e) => e.id === DOCS_ORDER)).toHaveLength(1);
      expect(new Set(events.map((e) => e.id)).size).toBe(events.length);
      expect(new Set(events.map((e) => e.id))).toEqual(appearedOrders(feed.frames));
      for (const event of events) {
        expect(event.venue).toBe("bitmex");
        expect(event.value_usd).toBeCloseTo(event.price * event.quantity, 6);
      }
      await feed.waitFor(() => sim.clientMessages(VENUE).includes("ping"), "a text ping");
      expect(feed.metrics.parseErrors).toBe(0);
    } finally {
      await feed.stop();
    }
  });

  it("reconnects after a drop, subscribes again, and does not count an order of the new partial twice", async () => {
    const feed = runAgainstSimulator(bitmexFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => sim.clientMessages(VENUE).includes(BITMEX_SUBSCRIBE), "the subscription");
      sim.broadcast(VENUE, fixtureText("bitmex-ws-liquidation-insert.json"));
      await feed.waitFor(() => liquidations(feed.events).some((e) => e.id === DOCS_ORDER), "the docs sample");
      sim.dropConnections(VENUE);
      await feed.waitFor(
        () => sim.clientMessages(VENUE).filter((m) => m === BITMEX_SUBSCRIBE).length === 2,
        "the subscription again",
      );
      const partial = JSON.parse(fixtureText("bitmex-ws-liquidation-partial.json"));
      partial.data = [JSON.parse(fixtureText("bitmex-ws-liquidation-insert.json")).data[0]];
      sim.broadcast(VENUE, JSON.stringify(partial));
      sim.broadcast(VENUE, fixtureText("bitmex-ws-liquidation-delete.json"));
      await feed.waitFor(
        () => feed.frames.some((f) => f.frame.includes('"action":"delete"') && f.frame.includes(DOCS_ORDER)),
        "the delete",
      );
      expect(liquidations(feed.events).filter((e) => e.id === DOCS_ORDER)).toHaveLength(1);
      expect(sim.connectionsAccepted(VENUE)).toBe(2);
    } finally {
      await feed.stop();
    }
  });

  it("stays on a quiet table that answers pings, and reconnects when the venue stops answering", async () => {
    const feed = runAgainstSimulator(bitmexFeed, sim, { keepAliveMs: 50, silenceMs: 400 });
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

  it("starts the stream even when the instrument list cannot be fetched (XBTUSD is known without it)", async () => {
    sim.intercept(VENUE, () => ({
      status: 503,
      body: { error: { message: "Service unavailable", name: "HTTPError" } },
    }));
    const feed = runAgainstSimulator(bitmexFeed, sim, { keepAliveMs: 100 });
    try {
      await feed.waitFor(() => sim.clientMessages(VENUE).includes(BITMEX_SUBSCRIBE), "the subscription");
      sim.broadcast(VENUE, fixtureText("bitmex-ws-liquidation-insert.json"));
      await feed.waitFor(() => liquidations(feed.events).some((e) => e.id === DOCS_ORDER), "the XBTUSD liquidation");
      expect(liquidations(feed.events).find((e) => e.id === DOCS_ORDER)).toMatchObject({
        base: "BTC",
        value_usd: 50900,
      });
    } finally {
      await feed.stop();
    }
  });
});
