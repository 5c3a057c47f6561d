import { evictDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { LIQUIDATION_RETENTION_MS } from "../../durable-objects/liquidation-feed";
import { isolatedFeed, liquidation } from "./support/liquidations";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
/** A fixed clock: 2026-01-10 12:00:30 UTC. */
const T0 = Date.UTC(2026, 0, 10, 12, 0, 30);

describe("liquidation windows roll with the clock", () => {
  it("counts an event 3 h old in the 4h, 12h and 24h windows but not in the 1h window", async () => {
    const feed = isolatedFeed();
    await feed.apply([liquidation("binance", "BTC", "long", 90_000, 0.5, { timestamp: T0 - 3 * HOUR })], "live", T0);
    const counts = await Promise.all(
      (["1h", "4h", "12h", "24h"] as const).map(async (w) => (await feed.aggregated(w, { now: T0 })).total.total.count),
    );
    expect(counts).toEqual([0, 1, 1, 1]);
  });

  it("moves an event out of each window as time passes, at the minute it turns older than the window", async () => {
    const feed = isolatedFeed();
    await feed.apply([liquidation("bybit", "ETH", "short", 3_000, 2, { timestamp: T0 })], "live", T0);
    const minuteOfEvent = Math.floor(T0 / MINUTE) * MINUTE;
    const count = async (w: "1h" | "4h" | "24h", now: number) =>
      (await feed.aggregated(w, { now })).venues.bybit.short.count;

    expect(await count("1h", T0)).toBe(1);
    // The 1h window is the current minute and the 59 before it.
    expect(await count("1h", minuteOfEvent + 59 * MINUTE + 59_999)).toBe(1);
    expect(await count("1h", minuteOfEvent + 60 * MINUTE)).toBe(0);
    expect(await count("4h", minuteOfEvent + 60 * MINUTE)).toBe(1);
    expect(await count("4h", minuteOfEvent + 4 * HOUR)).toBe(0);
    expect(await count("24h", minuteOfEvent + 23 * HOUR)).toBe(1);
    expect(await count("24h", minuteOfEvent + 24 * HOUR)).toBe(0);

    const later = await feed.aggregated("1h", { now: T0 + 2 * HOUR });
    expect(later.from).toBe(Math.floor((T0 + 2 * HOUR) / MINUTE) * MINUTE - 59 * MINUTE);
    expect(later.largest).toEqual([]);
  });

  it("drops buckets, largest entries and remembered ids once they are older than the retention", async () => {
    const feed = isolatedFeed();
    const old = liquidation("okx", "SOL", "long", 150, 10, { timestamp: T0 });
    await feed.apply([old], "live", T0);
    expect((await feed.debug({ now: T0 })).storage).toMatchObject({ buckets: 1, seen_ids: 1 });

    const later = T0 + LIQUIDATION_RETENTION_MS + 2 * MINUTE;
    const fresh = liquidation("okx", "SOL", "short", 151, 10, { timestamp: later });
    await feed.apply([fresh], "live", later);
    const debug = await feed.debug({ now: later });
    expect(debug.storage.buckets).toBe(1);
    expect(debug.storage.oldest_bucket).toBe(Math.floor(later / MINUTE) * MINUTE);
    expect(debug.storage.seen_ids).toBe(1);

    // The old liquidation sent again is older than the retention: ignored, not counted a second time.
    const again = await feed.apply([old], "live", later);
    expect(again).toEqual({ accepted: 0, duplicates: 0, too_old: 1, unpriced: 0 });
    expect((await feed.debug({ now: later })).venues.okx).toMatchObject({ accepted: 2, too_old: 1 });
  });

  it("keeps its statistics, recent list and remembered ids when the object is evicted", async () => {
    const feed = isolatedFeed();
    const events = [
      liquidation("binance", "BTC", "long", 90_000, 0.1, { timestamp: T0 - 10 * MINUTE }),
      liquidation("bitmex", "BTC", "short", 90_100, 5_000, { timestamp: T0 - 5 * MINUTE, value_usd: 5_000 }),
      liquidation("okx", "ETH", "short", 3_000, 3, { timestamp: T0 - 2 * HOUR }),
    ];
    await feed.apply(events, "live", T0);
    const before = await feed.aggregated("4h", { now: T0 });
    const recentBefore = await feed.recent({ venues: null, symbols: null, min_usd: 0 }, 10);
    const debugBefore = await feed.debug({ now: T0 });

    await evictDurableObject(feed);

    const after = await feed.aggregated("4h", { now: T0 });
    expect(after.venues).toEqual(before.venues);
    expect(after.total).toEqual(before.total);
    expect(after.largest).toEqual(before.largest);
    expect((await feed.recent({ venues: null, symbols: null, min_usd: 0 }, 10)).liquidations).toEqual(
      recentBefore.liquidations,
    );
    expect((await feed.debug({ now: T0 })).venues).toEqual(debugBefore.venues);
    // The ids survived too: re-sending after the restart counts nothing.
    expect(await feed.apply(events, "live", T0)).toEqual({ accepted: 0, duplicates: 3, too_old: 0, unpriced: 0 });
  });
});

describe("liquidation statistics", () => {
  it("sums long and short per venue in USD and KRW, and marks sampled venues and the total", async () => {
    const feed = isolatedFeed();
    await feed.apply(
      [
        liquidation("binance", "BTC", "long", 9_910, 0.014, { timestamp: T0 }), // 138.74 USD
        liquidation("binance", "ETH", "short", 3_000, 1.5, { timestamp: T0 }), // 4,500 USD
        liquidation("bybit", "ROSE", "long", 0.04499, 20_000, { timestamp: T0 }), // 899.80 USD
        liquidation("bitmex", "BTC", "short", 88_303.7, 0.5764, { timestamp: T0, value_usd: 50_900 }),
      ],
      "live",
      T0,
    );
    const summary = await feed.summary({ exchangeRate: 1_400, now: T0 });
    const day = summary.windows["24h"];
    expect(day.venues.binance.long).toEqual({ count: 1, value_usd: 138.74, value_krw: 194_236 });
    expect(day.venues.binance.short).toEqual({ count: 1, value_usd: 4_500, value_krw: 6_300_000 });
    expect(day.venues.binance.completeness).toBe("sampled");
    expect(day.venues.bybit.long).toEqual({ count: 1, value_usd: 899.8, value_krw: 1_259_720 });
    expect(day.venues.bybit.completeness).toBe("complete");
    // BitMEX XBTUSD is inverse: the collector's value_usd (contracts x 1 USD) wins over price x quantity.
    expect(day.venues.bitmex.short.value_usd).toBe(50_900);
    expect(day.venues.okx.total.count).toBe(0);
    expect(day.total.long).toEqual({ count: 2, value_usd: 1_038.54, value_krw: 1_453_956 });
    expect(day.total.short).toEqual({ count: 2, value_usd: 55_400, value_krw: 77_560_000 });
    expect(day.total.total.count).toBe(4);
    expect(day.total.long_percent).toBeCloseTo((1_038.54 / 56_438.54) * 100, 2);
    expect(day.total.completeness).toBe("sampled");
    expect(summary.completeness.okx.completeness).toBe("sampled");
    expect(summary.largest_24h.map((l) => l.value_usd)).toEqual([50_900, 4_500, 899.8, 138.74]);
    expect(summary.latest?.timestamp).toBe(T0);
  });

  it("lists the ten largest liquidations of the window, largest first, and only those inside it", async () => {
    const feed = isolatedFeed();
    const inWindow = Array.from({ length: 12 }, (_, i) =>
      liquidation("bybit", "XRP", i % 2 ? "long" : "short", 1, 1_000 * (i + 1), { timestamp: T0 - (i % 3) * 1000 }),
    );
    const outside = liquidation("bybit", "XRP", "long", 1, 1_000_000, { timestamp: T0 - 2 * HOUR });
    await feed.apply([...inWindow, outside], "live", T0);
    const hour = await feed.aggregated("1h", { now: T0 });
    expect(hour.largest.map((l) => l.value_usd)).toEqual([12, 11, 10, 9, 8, 7, 6, 5, 4, 3].map((k) => k * 1_000));
    const day = await feed.aggregated("24h", { now: T0 });
    expect(day.largest[0].value_usd).toBe(1_000_000);
    expect(day.largest).toHaveLength(10);
  });

  it("takes a timestamp from the future as the receive time, so it cannot sit in the windows ahead of time", async () => {
    const feed = isolatedFeed();
    await feed.apply([liquidation("okx", "BTC", "long", 90_000, 1, { timestamp: T0 + 10 * HOUR })], "live", T0);
    const recent = await feed.recent({ venues: null, symbols: null, min_usd: 0 }, 1);
    expect(recent.liquidations[0].timestamp).toBe(T0);
    expect((await feed.aggregated("1h", { now: T0 + 61 * MINUTE })).total.total.count).toBe(0);
  });
});
