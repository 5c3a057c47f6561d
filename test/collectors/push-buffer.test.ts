/** The pusher's buffer on its own: conflation rules and the memory-then-disk order of ordered events. */
import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { PushBuffer } from "../../collectors/pusher/push-buffer";
import type { FxEvent, TickerEvent } from "../../protocol/ingest";

const dirs: string[] = [];
function buffer(memoryLimit: number, dir = mkdtempSync(join(tmpdir(), "kimchi-buffer-test-"))): PushBuffer {
  dirs.push(dir);
  return new PushBuffer({ memoryLimit, spoolDirectory: dir });
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const fx = (k: number): FxEvent => ({ kind: "fx", pair: "USD/KRW", rate: 1300 + k, provider: "t", timestamp: k });
const tick = (base: string, timestamp: number, price = 1): TickerEvent => ({
  kind: "ticker",
  venue: "upbit",
  base,
  quote: "KRW",
  venue_symbol: `KRW-${base}`,
  price,
  change_percent: 0,
  volume: 0,
  quote_volume: 0,
  timestamp,
});

describe("the push buffer", () => {
  it("keeps ordered events in arrival order across memory and the disk spool, even while refilling", () => {
    const b = buffer(3);
    for (let k = 0; k < 10; k++) b.add(fx(k));
    expect(b.bufferedOrdered).toBe(3);
    expect(b.spooledEvents).toBe(7);
    const first = b.take(4); // 3 from memory, 1 from the spool
    for (let k = 10; k < 13; k++) b.add(fx(k)); // the spool is not empty: these queue behind it
    const rest = [...b.take(2), ...b.take(100)];
    expect([...first, ...rest].map((e) => (e.kind === "fx" ? e.rate - 1300 : -1))).toEqual([...Array(13).keys()]);
    expect(b.size).toBe(0);
    expect(b.spooledBytes).toBe(0);
    b.add(fx(13)); // back in memory once the spool is empty
    expect(b.bufferedOrdered).toBe(1);
    b.close();
  });

  it("keeps one ticker per market, never an older one, and drops repeats of what was already taken", () => {
    const b = buffer(10);
    b.add(tick("BTC", 5, 50));
    b.add(tick("BTC", 7, 70));
    b.add(tick("BTC", 6, 60)); // older than the held one
    b.add(tick("ETH", 1, 10));
    expect(b.bufferedTickers).toBe(2);
    expect(b.take(10)).toEqual([tick("BTC", 7, 70), tick("ETH", 1, 10)]);
    b.add(tick("BTC", 7, 70)); // the same tick polled again (REST venues)
    b.add(tick("ETH", 2, 11));
    expect(b.take(10)).toEqual([tick("ETH", 2, 11)]);
    expect(b.conflated).toBe(3);
    b.close();
  });

  it("puts ordered events before tickers in a batch", () => {
    const b = buffer(10);
    b.add(tick("BTC", 1));
    b.add(fx(1));
    expect(b.take(10).map((e) => e.kind)).toEqual(["fx", "ticker"]);
    b.close();
  });

  it("leaves unacknowledged liquidations/FX on disk at stop, and the next run sends them first, in order", () => {
    const dir = mkdtempSync(join(tmpdir(), "kimchi-buffer-test-"));
    const a = buffer(2, dir);
    for (let k = 0; k < 6; k++) a.add(fx(k));
    a.add(tick("BTC", 1));
    const inFlight = a.take(1); // sent, never acknowledged
    a.take(1); // acknowledged
    a.close(inFlight);
    expect(readdirSync(dir).length).toBeGreaterThan(0);

    const b = buffer(2, dir);
    expect(b.recovered).toBe(5);
    b.add(fx(6));
    const all = b.take(100);
    expect(all.map((e) => (e.kind === "fx" ? e.rate - 1300 : -1))).toEqual([0, 2, 3, 4, 5, 6]);
    b.close();
    expect(readdirSync(dir)).toEqual([]);
  });
});
