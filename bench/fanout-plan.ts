/**
 * What `npm run bench` measures, per system: the rates, the subscriber counts, the windows. Read by
 * run.ts, fanout-phase.ts and the report. Environment (see run.ts for the rest):
 * - BENCH_QUICK=1: short windows and fewer points (a smoke run);
 * - BENCH_RATES=1000,2000: the fixed 1,000-subscriber rates of every system instead of its own;
 * - BENCH_SAMPLE_EVERY=N: read every Nth socket in full (default: 20 sockets whatever the count, every
 *   50th of 1,000, every 250th of 5,000); 1 reads every socket;
 * - BENCH_PARSE=1: sampled sockets decode each message with JSON.parse, read once parsed;
 * - BENCH_DIRECT=1: ours' subscribers and ingest use the Worker's own workerd socket, not the dev proxy;
 * - BENCH_SHARD_CEILING: FANOUT_SHARD_CEILING for ours (default 500, wrangler.toml's).
 */
import type { PointTiming } from "./fanout-point";
import type { SystemName } from "./systems";

export const quick = process.env.BENCH_QUICK === "1";

export const SUBSCRIBERS = 1000;
/** The second subscriber count: the shard tier's case. */
export const MANY_SUBSCRIBERS = 5000;
export const COINS = 200;
export const REST_COINS = 300;
export const WATCHLIST_SIZE = 5;
export const MAX_IN_FLIGHT = 8;
/** Subscriber threads for 1,000 sockets, and for 5,000 (more sockets per thread make the client the bottleneck). */
export const THREADS = 2;
export const THREADS_MANY = 4;
export const SHARD_CEILING = Number(process.env.BENCH_SHARD_CEILING ?? 500);

export const TIMING: PointTiming = quick
  ? { warmupMs: 1000, measureMs: 4000, drainMs: 2000, quietTimeoutMs: 5000 }
  : { warmupMs: 2000, measureMs: 10_000, drainMs: 3000, quietTimeoutMs: 15_000 };
export const REST = { rate: 500, durationMs: quick ? 4000 : 10_000, maxSockets: 64, ingestRate: 2000 };
export const SEARCH = { minRate: 10, maxRate: 80_000, closeEnough: 1.3 };

/** How sampled sockets read (BENCH_SAMPLE_EVERY, BENCH_PARSE) and where ours is reached (BENCH_DIRECT). */
export const READING = {
  sampleEvery: process.env.BENCH_SAMPLE_EVERY ? Number(process.env.BENCH_SAMPLE_EVERY) : null,
  parse: process.env.BENCH_PARSE === "1",
  direct: process.env.BENCH_DIRECT === "1",
};

/** Every `n`th socket is read in full: 20 sockets whatever the count, unless BENCH_SAMPLE_EVERY says. */
export function sampleEvery(subscribers: number): number {
  return READING.sampleEvery ?? Math.max(1, Math.round(subscribers / 20));
}

/** One system's points. */
export interface PhasePlan {
  /** The one-batch-at-a-time probe of the ingest path. */
  batchCost: boolean;
  /** Ingest alone, no subscriber. */
  ingestOnlyRates: number[];
  /** 1,000 all-coin subscribers; the search for the highest sustained rate starts from these. */
  rates: number[];
  searchSteps: number;
  /** Ours only: the same dashboard with ASCII coin names. */
  diagnosticRates: number[];
  /** 1,000 subscribers with a watchlist of 5 coins. */
  watchlistRates: number[];
  /** 5,000 all-coin subscribers. */
  manyRates: number[];
  /** Ours only: `GET /api/coins/latest` at 500 requests/s. */
  rest: boolean;
}

const fixedRates = process.env.BENCH_RATES?.split(",").map(Number);

/**
 * The baseline falls behind below 100 ticks/s, so it gets one fixed point (2,000, to compare with the
 * others) and the search; ours gets the goals' rates (2,000 and 5,000 at 1,000 subscribers, 2,000 at
 * 5,000) and the ingest-alone 2,000 that the shard cost's intercept needs; the peer the same
 * fan-out points without the diagnostics.
 */
export const PLANS: Record<SystemName, PhasePlan> = quick
  ? {
      baseline: {
        batchCost: true,
        ingestOnlyRates: [5000],
        rates: fixedRates ?? [1000],
        searchSteps: 1,
        diagnosticRates: [],
        watchlistRates: [],
        manyRates: [],
        rest: false,
      },
      peer: {
        batchCost: true,
        ingestOnlyRates: [5000],
        rates: fixedRates ?? [2000, 5000],
        searchSteps: 1,
        diagnosticRates: [],
        watchlistRates: [],
        manyRates: [2000],
        rest: false,
      },
      ours: {
        batchCost: true,
        ingestOnlyRates: [2000],
        rates: fixedRates ?? [2000, 5000],
        searchSteps: 1,
        diagnosticRates: [],
        watchlistRates: [],
        manyRates: [2000],
        rest: true,
      },
    }
  : {
      baseline: {
        batchCost: true,
        ingestOnlyRates: [20_000],
        rates: fixedRates ?? [2000],
        searchSteps: 5,
        diagnosticRates: [],
        watchlistRates: [1000],
        manyRates: [],
        rest: false,
      },
      peer: {
        batchCost: true,
        ingestOnlyRates: [20_000],
        rates: fixedRates ?? [2000, 5000],
        searchSteps: 4,
        diagnosticRates: [],
        watchlistRates: [],
        manyRates: [2000],
        rest: false,
      },
      ours: {
        batchCost: true,
        ingestOnlyRates: [2000, 5000, 20_000],
        rates: fixedRates ?? [1000, 2000, 5000],
        searchSteps: 4,
        diagnosticRates: [1000],
        watchlistRates: [1000, 5000],
        manyRates: [2000],
        rest: true,
      },
    };

/** The case name of the 5,000-subscriber points. */
export const MANY_CASE = "dashboard, 5,000 subscribers";

/**
 * The shard cost's extra window (bench/shard-cost.ts): ours again, 1,000 subscribers at 2,000 ticks/s
 * under this FANOUT_SHARD_CEILING (20 shards instead of 2), so publishes vary at a fixed number of sends.
 */
export const LOW_SHARD_CEILING = 50;
export const LOW_CEILING_PLAN: PhasePlan = {
  batchCost: false,
  ingestOnlyRates: [],
  rates: [2000],
  searchSteps: 0,
  diagnosticRates: [],
  watchlistRates: [],
  manyRates: [],
  rest: false,
};
