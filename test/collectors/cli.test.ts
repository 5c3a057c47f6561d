/**
 * The command line without a Worker: `npm run --silent collectors -- normalize` on a mix of venues'
 * frames and garbage, and `record` against the simulator whose file normalises cleanly.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { RawFrameSchema } from "../../collectors/core/raw-frame-schema";
import { IngestEvent } from "../../protocol/ingest";
import { freePort } from "../support/worker-process";
import { runNpmCollectors, startCollectors } from "./support/collectors-process";
import { waitUntil } from "./support/feed-harness";
import { fixtureFrame } from "./support/fixtures";

const dir = mkdtempSync(join(tmpdir(), "kimchi-cli-test-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A recorded frame; `receivedAt` is when it was recorded (each sample's own time: older events are dropped). */
const line = (venue: string, stream: string, frame: string, receivedAt = 1_763_700_000_000) =>
  JSON.stringify({ venue, stream, received_at: receivedAt, frame });

describe("the collectors command line", () => {
  it("normalizes any venues' frames from stdin to ingest events on stdout, reporting garbage on stderr", async () => {
    const input = [
      line("upbit", "ws", fixtureFrame("upbit-ws-ticker.json"), 1_676_965_262_300),
      "this is not json",
      line("bybit", "rest /v5/market/tickers", fixtureFrame("bybit-rest-tickers-spot.json"), 1_673_859_088_000),
      JSON.stringify({ venue: "upbit", frame: "missing fields" }),
      line("nowhere", "ws", "{}"),
      line("binance", "ws", "{broken"),
      line("fx", "rest /v1/forex/recent", fixtureFrame("dunamu-forex-recent-krwusd.json"), 1_708_410_700_000),
      "",
      line("upbit", "rest /v1/market/all", fixtureFrame("upbit-rest-market-all-details.json")),
      line("fear-greed", "rest /fng/", fixtureFrame("alternativeme-fng.json"), 1_551_160_000_000),
      // Received an hour before the venue says it happened: a clock gone wrong; the event is dropped.
      line("upbit", "ws", fixtureFrame("upbit-ws-ticker.json"), 1_676_965_262_177 - 3_600_000),
    ].join("\n");
    const { code, stdout, stderr } = await runNpmCollectors(["normalize"], input);
    expect(code).toBe(0);
    const events = stdout
      .trim()
      .split("\n")
      .map((l) => IngestEvent.parse(JSON.parse(l)));
    expect(events.map((e) => `${e.kind}:${"venue" in e ? e.venue : ""}:${"base" in e ? e.base : ""}`)).toEqual([
      "ticker:upbit:BTC",
      "ticker:bybit:BTC",
      "fx::",
      "coin:upbit:BTC",
      "coin:upbit:ETH",
      "fear_greed::",
    ]);
    expect(stderr).toContain("line 2: not a raw frame");
    expect(stderr).toContain("line 4: not a raw frame");
    expect(stderr).toContain('line 5: unknown venue "nowhere"');
    expect(stderr).toContain("line 6: binance ws: not JSON");
    expect(stderr).toContain("line 11: upbit: event dropped, timestamp: more than 60 s in the future");
    expect(stderr).toContain("11 lines, 6 events, 5 problems");
  });

  it("records raw frames from the simulator as JSON lines that normalize without a problem", async () => {
    const file = join(dir, "session.jsonl");
    const proc = startCollectors([
      "record",
      file,
      "--simulate",
      "--venues",
      "upbit,binance,bithumb,fx",
      "--port",
      String(await freePort()),
    ]);
    try {
      const lines = () => {
        try {
          return readFileSync(file, "utf8").split("\n").filter(Boolean);
        } catch {
          return [];
        }
      };
      await waitUntil(
        () =>
          ["upbit", "binance"].every((v) => lines().some((l) => l.includes(`"venue":"${v}","stream":"ws"`))) &&
          ["bithumb", "fx"].every((v) => lines().some((l) => l.includes(`"venue":"${v}"`))),
        "frames of every venue, WebSocket ones included",
        60_000,
      );
    } finally {
      expect(await proc.stop()).toBe(0);
    }
    const recorded = readFileSync(file, "utf8").trim().split("\n");
    const frames = recorded.map((l) => RawFrameSchema.parse(JSON.parse(l)));
    expect(new Set(frames.map((f) => f.stream))).toEqual(
      new Set(["ws", "rest /v1/market/all", "rest /api/v3/ticker/24hr", "rest /v1/ticker", "rest /v1/forex/recent"]),
    );
    // Upbit's binary frames were recorded as text.
    expect(frames.some((f) => f.venue === "upbit" && f.stream === "ws" && f.frame.startsWith('{"type":"ticker"'))).toBe(
      true,
    );
    const { code, stdout, stderr } = await runNpmCollectors(["normalize"], `${recorded.join("\n")}\n`);
    expect(code).toBe(0);
    expect(stderr).toContain(`${recorded.length} lines`);
    expect(stderr).toContain("0 problems");
    expect(stdout.trim().split("\n").length).toBeGreaterThan(recorded.length / 2);
  });
});
