/** The fan-out cost model (bench/cost-model.ts): shards, relays, billed requests and the bill. */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  CLOUDFLARE_PRICES,
  type CostInputs,
  costModel,
  DEFAULTS,
  derivedFromRun,
  resolveInputs,
  SECONDS_PER_MONTH,
} from "../../bench/cost-model";

/** The defaults, with a per-socket cost that leaves the ceiling (500) as the bound: 5 µs. */
const BASE: CostInputs = {
  ...(Object.fromEntries(Object.entries(DEFAULTS).map(([k, [v]]) => [k, v])) as Record<keyof typeof DEFAULTS, number>),
  subscriberCounts: [10_000, 100_000, 1_000_000],
  durationBilling: "wall-clock",
};
const one = (subscribers: number, change: Partial<CostInputs> = {}) =>
  costModel({ ...BASE, ...change, subscriberCounts: [subscribers] })[0];

describe("shards", () => {
  it("fill to the ceiling while a shard's CPU stays under the headroom", () => {
    expect(costModel(BASE).map((r) => [r.shards, r.limitedBy])).toEqual([
      [20, "ceiling"],
      [200, "ceiling"],
      [2000, "ceiling"],
    ]);
    expect(one(10_001).shards).toBe(21);
    expect(one(1).shards).toBe(1);
  });

  it("are bounded by CPU when a send costs more than the headroom allows at the ceiling", () => {
    // 0.6 of a core over 20 flushes: 30,000 µs per flush, less 200 µs taking the publish in, at 100 µs a socket.
    const row = one(10_000, { shardCpuMicrosPerMessage: 100 });
    expect([row.socketsPerShard, row.limitedBy, row.shards]).toEqual([298, "CPU", 34]);
    expect(row.shardCpuShare).toBeLessThanOrEqual(0.6);
  });

  it("grow as the headroom shrinks, once CPU is the bound", () => {
    const shards = [0.8, 0.6, 0.4, 0.2].map(
      (h) => one(100_000, { shardCpuMicrosPerMessage: 100, cpuHeadroom: h }).shards,
    );
    expect(shards).toEqual([...shards].sort((a, b) => a - b));
    expect(shards[3]).toBeGreaterThan(shards[0]);
  });

  it("refuses a shard that cannot send to one socket within the headroom", () => {
    expect(() => one(10, { shardCpuMicrosPerMessage: 40_000 })).toThrow(/headroom/);
  });
});

describe("relays", () => {
  it("appear only when the board cannot publish to every shard within its headroom", () => {
    // The board: 200 ms/s of its own, 50 µs a publish, 20 flushes: (600,000 - 200,000) / 1,000 = 400 shards.
    expect(one(200_000).relays).toBe(0);
    expect(one(200_500).relays).toBeGreaterThan(0);
    const big = one(1_000_000);
    expect(big.boardPublishesPerSecond).toBe(big.relays * 20);
    expect(big.publishesPerSecond).toBe((big.shards + big.relays) * 20);
    expect(big.boardCpuShare).toBeLessThanOrEqual(0.6);
  });
});

describe("billed requests", () => {
  it("count every publish, the connections, and incoming messages at 20:1", () => {
    const row = one(10_000);
    const publishes = 20 * 20 * SECONDS_PER_MONTH;
    const connections = 2 * ((10_000 * SECONDS_PER_MONTH) / 3600);
    const incoming = (10_000 * SECONDS_PER_MONTH) / 30;
    expect(row.requests.publishes).toBe(publishes);
    expect(row.requests.incoming).toBeCloseTo(incoming, 3);
    expect(row.requests.billed).toBeCloseTo(publishes + connections + incoming / 20, 3);
    expect(row.usd.doRequests).toBeCloseTo(((row.requests.billed - 1e6) / 1e6) * 0.15, 6);
  });

  it("do not count outgoing messages: more bytes or sends per message change no request", () => {
    const row = one(10_000);
    expect(one(10_000, { bytesPerMessage: 400_000 }).requests).toEqual(row.requests);
  });
});

describe("the bill", () => {
  it("never falls as subscribers grow", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3_000_000 }), fc.integer({ min: 0, max: 1_000_000 }), (a, more) => {
        for (const durationBilling of ["wall-clock", "active"] as const) {
          const [low, high] = costModel({ ...BASE, durationBilling, subscriberCounts: [a, a + more] });
          expect(high.usd.total).toBeGreaterThanOrEqual(low.usd.total);
        }
      }),
    );
  });

  it("bills duration for 128 MB per object all month, the board included", () => {
    const row = one(10_000);
    expect(row.gbSeconds).toBeCloseTo(21 * SECONDS_PER_MONTH * 0.128, 3);
    expect(row.usd.doDuration).toBeCloseTo(((row.gbSeconds - 400_000) / 1e6) * 12.5, 6);
    expect(one(10_000, { durationBilling: "active" }).gbSeconds).toBeLessThan(row.gbSeconds);
  });

  it("moves with a price by exactly that price's line", () => {
    const before = one(100_000);
    const dearer = costModel(
      { ...BASE, subscriberCounts: [100_000] },
      { ...CLOUDFLARE_PRICES, doUsdPerMillionRequests: 0.3 },
    )[0];
    expect(dearer.usd.total - before.usd.total).toBeCloseTo(before.usd.doRequests, 6);
    const base = costModel({ ...BASE, subscriberCounts: [100_000] }, { ...CLOUDFLARE_PRICES, baseUsd: 25 })[0];
    expect(base.usd.total - before.usd.total).toBeCloseTo(20, 6);
    const egress = costModel(
      { ...BASE, subscriberCounts: [100_000] },
      { ...CLOUDFLARE_PRICES, egressUsdPerGb: 0.01 },
    )[0];
    const gb = (before.egressBytesPerSecond * SECONDS_PER_MONTH) / 1e9;
    expect(egress.usd.total - before.usd.total).toBeCloseTo(gb * 0.01, 3);
  });

  it("is the base fee alone while usage stays within the included amounts", () => {
    const row = one(1, { flushesPerSecond: 0.01, pingSeconds: 3600, durationBilling: "active" });
    expect(row.usd.total).toBeCloseTo(5, 6);
  });
});

describe("inputs", () => {
  const usage = (cpuPercent: number) => [{ label: "workerd: our Worker + DOs", cpuPercent }];
  const run = {
    machine: { date: "2026-12-04T00:00:00Z" },
    points: [
      {
        system: "ours",
        case: "dashboard",
        rate: 2000,
        messagesPerSecond: 10_000,
        megabytesPerSecond: 400,
        usage: usage(60),
      },
    ],
    ingest: [
      { system: "ours", rate: 1000, usage: usage(10) },
      { system: "ours", rate: 5000, usage: usage(30) },
    ],
  };

  it("derive a send's CPU from the loaded run less ingest alone, interpolated to 2,000 ticks/s", () => {
    const derived = derivedFromRun(run);
    expect(derived.bytesPerMessage?.[0]).toBe(40_000);
    expect(derived.boardCpuMillisPerSecond?.[0]).toBe(150); // 15% of a core
    expect(derived.shardCpuMicrosPerMessage?.[0]).toBe(45); // (60% - 15%) of a core over 10,000 messages/s
  });

  it("take a flag over the shard benchmark, and the shard benchmark over the derived figures", () => {
    const measuredAt = [{ subscribers: 500, ticksPerSecond: 2000, shards: 1 }];
    const measured = { ...run, shardCost: { cpuMicrosPerDeliveredMessage: 12, measuredAt } };
    const { inputs, sources } = resolveInputs(measured, ["--cpuHeadroom=0.5"]);
    expect([inputs.cpuHeadroom, sources.cpuHeadroom]).toEqual([0.5, "command-line flag"]);
    expect([inputs.shardCpuMicrosPerMessage, sources.shardCpuMicrosPerMessage]).toEqual([
      12,
      "measured: bench/results.json shardCost (500 sockets at 2000 ticks/s on 1 shard)",
    ]);
    expect(inputs.bytesPerMessage).toBe(40_000);
    expect(resolveInputs(null, []).sources.shardCpuMicrosPerMessage).toBe("assumed, not measured");
    expect(() => resolveInputs(null, ["--pingSeconds=soon"])).toThrow(/pingSeconds/);
  });
});
