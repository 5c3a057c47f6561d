/**
 * The Upbit feed over a real WebSocket to the local simulator: the market list, one subscription for
 * every KRW market, binary frames (the venue's own samples injected as binary), PING keep-alive, a
 * dropped connection, a silent feed, garbage.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { upbitFeed } from "../../collectors/exchanges/upbit";
import { VenueSimulator } from "../../collectors/simulator/server";
import { upbitSim } from "../../collectors/simulator/venues/upbit";
import type { IngestEvent } from "../../protocol/ingest";
import { runAgainstSimulator } from "./support/feed-harness";
import { fixtureFrameAt } from "./support/fixtures";

let sim: VenueSimulator;
beforeAll(async () => {
  sim = await VenueSimulator.start({ venues: [upbitSim] });
});
afterAll(async () => {
  await sim.stop();
});

const tickerOf = (events: IngestEvent[], symbol: string) =>
  events.filter((e) => e.kind === "ticker" && e.venue_symbol === symbol);

/** The venue's ticker sample as if Upbit sent it at `at`. */
const tickerSampleAt = (at: number) => fixtureFrameAt("upbit-ws-ticker.json", 1676965262177, at);

describe("the Upbit feed against the simulator", () => {
  it("subscribes to every KRW market (KRW-USDT included) and parses binary ticker frames", async () => {
    const run = runAgainstSimulator(upbitFeed, sim, { silenceMs: 10_000 });
    try {
      await run.waitFor(() => tickerOf(run.events, "KRW-USDT").length > 0, "a KRW-USDT ticker");
      const request = sim.clientMessages("upbit").find((m) => m.startsWith("["));
      const codes = (JSON.parse(request ?? "[]") as { codes?: string[] }[]).find((o) => o.codes)?.codes ?? [];
      const listed = run.events.filter((e) => e.kind === "coin");
      expect(codes).toContain("KRW-USDT");
      expect(codes.length).toBe(sim.market.listed("upbit").length);
      expect(codes.every((c) => c.startsWith("KRW-"))).toBe(true);
      // Names and caution flags from /v1/market/all; Upbit's TON is Tokamak.
      expect(listed.length).toBe(codes.length);
      expect(listed.find((e) => e.kind === "coin" && e.base === "TOKAMAK")).toMatchObject({
        korean_name: "토카막네트워크",
      });
      expect(listed.some((e) => e.kind === "coin" && e.warnings.length > 0)).toBe(true);

      // The venue's own sample, sent the way Upbit sends it: a binary frame.
      const sentAt = Date.now() - 1_000; // a time no simulated tick carries
      expect(sim.broadcast("upbit", tickerSampleAt(sentAt), { binary: true })).toBe(1);
      await run.waitFor(() => run.events.some((e) => e.kind === "ticker" && e.timestamp === sentAt), "the sample");
      expect(run.events.find((e) => e.kind === "ticker" && e.timestamp === sentAt)).toMatchObject({
        venue: "upbit",
        base: "BTC",
        quote: "KRW",
        price: 32287000,
        change_percent: 1.26713295,
      });
      expect(run.metrics.parseErrors).toBe(0);
    } finally {
      await run.stop();
    }
  });

  it("keeps the connection alive with a text PING, and counts the status answers as control", async () => {
    const run = runAgainstSimulator(upbitFeed, sim, { keepAliveMs: 100, silenceMs: 10_000 });
    try {
      await run.waitFor(
        () => run.frames.filter((f) => f.frame === '{"status":"UP"}').length >= 3,
        "three status answers",
      );
      expect(sim.clientMessages("upbit").filter((m) => m === "PING").length).toBeGreaterThanOrEqual(3);
      expect(run.metrics.parseErrors).toBe(0);
    } finally {
      await run.stop();
    }
  });

  it("reconnects and re-subscribes after the server drops the connection", async () => {
    const run = runAgainstSimulator(upbitFeed, sim, { silenceMs: 10_000 });
    try {
      await run.waitFor(() => run.metrics.connected && run.events.some((e) => e.kind === "ticker"), "first data");
      const accepted = sim.connectionsAccepted("upbit");
      expect(sim.dropConnections("upbit")).toBe(1);
      const before = run.events.length;
      await run.waitFor(() => sim.connectionsAccepted("upbit") > accepted, "a new connection");
      await run.waitFor(() => run.events.length > before, "data on the new connection");
      expect(run.metrics.reconnects).toBeGreaterThanOrEqual(1);
    } finally {
      await run.stop();
    }
  });

  it("detects a silent feed (keep-alive answers still flowing) and reconnects", async () => {
    const run = runAgainstSimulator(upbitFeed, sim, { silenceMs: 1500, keepAliveMs: 100 });
    try {
      await run.waitFor(() => run.metrics.connected && run.events.some((e) => e.kind === "ticker"), "first data");
      const accepted = sim.connectionsAccepted("upbit");
      sim.setSilent("upbit", true);
      await run.waitFor(() => sim.connectionsAccepted("upbit") > accepted, "a reconnect after the silence");
      expect(run.metrics.reconnects).toBeGreaterThanOrEqual(1);
      sim.setSilent("upbit", false);
      const before = run.events.length;
      await run.waitFor(() => run.events.length > before, "data again");
    } finally {
      sim.setSilent("upbit", false);
      await run.stop();
    }
  });

  it("counts and skips garbage frames without losing the connection", async () => {
    const run = runAgainstSimulator(upbitFeed, sim, { silenceMs: 10_000 });
    try {
      await run.waitFor(() => run.metrics.connected && run.events.some((e) => e.kind === "ticker"), "first data");
      const accepted = sim.connectionsAccepted("upbit");
      sim.broadcast("upbit", "{not json", { binary: true });
      sim.broadcast("upbit", '{"type":"orderbook","code":"KRW-BTC"}', { binary: true });
      sim.broadcast("upbit", "\u0000\u00ff garbage");
      await run.waitFor(() => run.metrics.parseErrors >= 3, "three parse errors");
      const sentAt = Date.now() - 1_000; // a time no simulated tick carries
      sim.broadcast("upbit", tickerSampleAt(sentAt), { binary: true });
      await run.waitFor(
        () => run.events.some((e) => e.kind === "ticker" && e.timestamp === sentAt),
        "data after garbage",
      );
      expect(run.metrics.parseErrors).toBe(3);
      expect(sim.connectionsAccepted("upbit")).toBe(accepted);
    } finally {
      await run.stop();
    }
  });
});
