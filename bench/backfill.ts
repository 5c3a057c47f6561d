/**
 * `npm run bench:backfill`: the collectors' candle backfill of 300 markets on each of the four venues
 * (Upbit, Bithumb, Binance, Bybit) against the local venue simulator, into the real Worker (wrangler
 * dev, local D1 and Durable Objects), at the venues' real published rates (80 % of them, the
 * collectors' default). Prints per venue the requests, pages and candles, the peak request rate any
 * window saw against the published limit, and the time to (a) the first page of daily candles of
 * every market and (b) the full backfill; writes bench/BACKFILL.md.
 *
 * Two runs, each against a fresh Worker:
 * - A: the default windows (1d 400 days, 1h 90 days, 1m 7 days), for a fixed time (BACKFILL_WINDOW_S,
 *   default 150 s, up to 120 s more until (a) is reached): measures (a), the rates while every venue has more to fetch than its limit allows,
 *   and what the Worker absorbs. Its full backfill takes some 50 minutes (Upbit), so it is computed from
 *   the requests per venue and the allowed rates (bench/backfill-plan.ts); BACKFILL_FULL=1 runs A to the end.
 * - B: shortened windows (1d 200 days, 1h 190 hours, 1m 380 minutes) at the same rates until every venue
 *   is complete: the full backfill measured, next to the same computation for its windows.
 *
 * Environment: BENCH_QUICK=1 runs A for 60 s and skips B; BACKFILL_RUNS=A or B runs one of them;
 * BACKFILL_MARKETS=N markets per venue (default 300); BENCH_QUIET_WAIT_S bounds the wait for an idle
 * machine.
 */

import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import {
  type CandleTuning,
  candleBucket,
  resolveCandleTuning,
  wantedWindow,
} from "../collectors/candles/candle-tuning";
import { upkeepEveryMs } from "../collectors/candles/upkeep-pace";
import { CANDLE_RESOLUTIONS, INTERVAL_MS } from "../protocol/venues";
import { BENCH_VENUES, planVenue } from "./backfill-plan";
import {
  type BackfillReport,
  backfillMarkdown,
  consoleSummary,
  duration,
  findings,
  type ReportedRun,
} from "./backfill-report";
import { type RunSpec, runBackfill } from "./backfill-run";
import { SimulatorProcess } from "./backfill-simulator";
import { stopOnInterrupt } from "./interrupts";
import { machineBusy, machineInfo, waitForIdleMachine } from "./machine";
import type { WatchedProcess } from "./process-usage";
import { type SourceSnapshot, type SystemUnderTest, snapshotSource, startOurs } from "./systems";

const quick = process.env.BENCH_QUICK === "1";
const full = process.env.BACKFILL_FULL === "1";
const MARKETS = Number(process.env.BACKFILL_MARKETS ?? 300);
/** Enough coins that every venue lists `MARKETS` of them (the default catalog of 300 lists 227 to 250 per venue). */
const CATALOG_COINS = Math.max(500, Math.ceil(MARKETS * 1.7));
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

const ALL_RUNS: RunSpec[] = [
  {
    name: "A",
    title: "default windows (1d 400 days, 1h 90 days, 1m 7 days) at the real rates",
    tuning: {},
    limitMs: full ? 4 * 3600_000 : Number(process.env.BACKFILL_WINDOW_S ?? (quick ? 60 : 150)) * 1000,
    graceForFirstDailyMs: 120_000,
    untilComplete: full,
  },
  ...(quick
    ? []
    : [
        {
          name: "B",
          title: "shortened windows (1d 200 days, 1h 190 hours, 1m 380 minutes) at the real rates, until complete",
          tuning: { spansMs: { "1d": 200 * DAY, "1h": 190 * HOUR, "1m": 380 * MINUTE } },
          limitMs: 8 * 60_000,
          untilComplete: true,
        },
      ]),
];
/** BACKFILL_RUNS=A or B: one of the runs only. */
const RUNS = ALL_RUNS.filter(
  (r) => !process.env.BACKFILL_RUNS || process.env.BACKFILL_RUNS.split(",").includes(r.name),
);

const reportPath = new URL("./BACKFILL.md", import.meta.url);

/** Stops whatever is running when the run is interrupted. */
const cleanups = stopOnInterrupt(log);

function log(line: string): void {
  console.log(`[bench:backfill ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/**
 * Asks the Worker's own coverage route about every market: how many have each resolution's wanted
 * window (less what closed since the market was last due for upkeep, as the collector's own progress
 * counts) covered, and which not.
 */
async function workerCoverage(system: SystemUnderTest, sim: SimulatorProcess, tuning: CandleTuning): Promise<string> {
  const resolved = resolveCandleTuning(tuning);
  const now = Date.now();
  let complete = 0;
  const missing = new Map<string, { count: number; example: string }>();
  const upkeepEvery = new Map(
    BENCH_VENUES.map((v) => {
      const bucket = candleBucket(v.candles, resolved);
      const markets = sim.markets.filter((m) => m.venue === v.venue).length;
      return [v.venue, upkeepEveryMs(markets, bucket.ratePerSecond / bucket.capacity, resolved.tickMs)] as const;
    }),
  );
  const queue = [...sim.markets];
  const ask = async () => {
    for (let m = queue.shift(); m; m = queue.shift()) {
      const query = new URLSearchParams({ venue: m.venue, base: m.base, quote: m.quote });
      const res = await fetch(`${system.url}/internal/candles/coverage?${query}`, {
        headers: { authorization: `Bearer ${system.token}` },
      });
      const body = (await res.json()) as { intervals: Record<string, [number, number][]> };
      let covered = true;
      const every = upkeepEvery.get(m.venue) ?? resolved.tickMs;
      for (const r of CANDLE_RESOLUTIONS) {
        const [from, to] = wantedWindow(r, now, resolved);
        // As the collector's own progress: an interval that closed since the market was last due is not missing yet.
        const due = Math.max(from, to - Math.max(INTERVAL_MS[r], every));
        const ranges = body.intervals[r] ?? [];
        if (from >= due || ranges.some(([a, b]) => a <= from && b >= due)) continue;
        covered = false;
        const key = `${m.venue} ${r}`;
        const iso = (t: number) => new Date(t).toISOString().slice(0, 16);
        const seen = missing.get(key) ?? {
          count: 0,
          example: `${m.base}: wanted ${iso(from)}..${iso(due)}, covered ${ranges.map(([a, b]) => `${iso(a)}..${iso(b)}`).join(", ") || "nothing"}`,
        };
        seen.count++;
        missing.set(key, seen);
      }
      if (covered) complete++;
    }
  };
  await Promise.all(Array.from({ length: 8 }, ask));
  const gaps = [...missing].map(([key, { count, example }]) => `${key}: ${count} markets (e.g. ${example})`);
  return `the Worker's own \`GET /internal/candles/coverage\` afterwards: ${complete} of ${sim.markets.length} markets have every wanted window covered${gaps.length > 0 ? `; not covered: ${gaps.join("; ")}` : ""}`;
}

async function main(): Promise<void> {
  const started = Date.now();
  const snapshot: SourceSnapshot = snapshotSource();
  cleanups.add(async () => snapshot.dispose());
  let sim: SimulatorProcess | undefined;
  try {
    const dirty = execFileSync("git", ["status", "--porcelain", "collectors"], {
      cwd: new URL("..", import.meta.url).pathname,
    })
      .toString()
      .trim();
    const machine = {
      ...machineInfo(snapshot.commit),
      commit: `Worker: commit \`${snapshot.commit.slice(0, 12)}\` (run from a copy, see Method); collectors: the working tree${dirty ? " (with uncommitted changes)" : ""}`,
    };
    const startNote = await waitForIdleMachine(log);
    log(startNote);
    const simulator = await SimulatorProcess.start({ coins: CATALOG_COINS, marketsPerVenue: MARKETS });
    sim = simulator;
    cleanups.add(() => simulator.stop());
    log(`simulator: ${simulator.coins} coins, ${simulator.markets.length} markets to backfill at ${simulator.url}`);
    const runs: ReportedRun[] = [];
    const observations = [startNote];
    for (const spec of RUNS) {
      const busyBefore = await machineBusy(2000);
      const system = await startOurs(snapshot);
      cleanups.add(system.stop);
      log(`run ${spec.name}: ${spec.title}; Worker at ${system.url} (machine ${busyBefore.toFixed(0)}% busy before)`);
      const processes: WatchedProcess[] = [
        { label: "collectors: candle feeds + history lane (this process)", pid: process.pid },
        { label: "venue simulator (its own process)", pid: simulator.pid },
        ...system.processes().filter((p) => !p.label.startsWith("bench client")),
      ];
      const plans = BENCH_VENUES.map((v) => planVenue(v, MARKETS, spec.tuning));
      const result = await runBackfill(spec, simulator, system, simulator.markets, processes, log);
      const complete = result.venues.every((v) => v.completeMs !== null);
      const workerCheck = complete ? await workerCoverage(system, simulator, spec.tuning) : null;
      if (workerCheck) log(workerCheck);
      await system.stop();
      cleanups.delete(system.stop);
      runs.push({ result, plans, workerCheck });
      const ours = result.usage.processes.reduce((a, p) => a + p.cpuPercent, 0);
      const other = Math.max(0, result.usage.machineBusyPercent * machine.cpus - ours);
      if (other >= 25) {
        observations.push(
          `run ${spec.name}: other work (or processes not watched, such as npx and esbuild) used about ${other.toFixed(0)}% of a core meanwhile (machine ${result.usage.machineBusyPercent.toFixed(0)}% busy, ours ${ours.toFixed(0)}% of a core): figures are bounded by the shared 2 cores as much as by the system.`,
        );
      }
      if ((result.usage.cpuPressurePercent ?? 0) >= 30) {
        observations.push(
          `run ${spec.name}: runnable tasks waited for a CPU ${result.usage.cpuPressurePercent?.toFixed(0)}% of the time.`,
        );
      }
    }
    const fullPlans = BENCH_VENUES.map((v) => planVenue(v, MARKETS, {}));
    const report: BackfillReport = {
      machine,
      settings: [
        `${MARKETS} markets on each of ${BENCH_VENUES.length} venues (${BENCH_VENUES.map((v) => v.venue).join(", ")}), simulator catalog of ${CATALOG_COINS} coins`,
        "rate share 0.8 of each venue's published limit (the collectors' default); other candle tuning at its defaults",
        ...RUNS.map(
          (r) =>
            `run ${r.name}: ${r.title}${r.untilComplete ? `, stopped when complete (at most ${duration(r.limitMs / 1000)})` : `, stopped after ${duration(r.limitMs / 1000)}${r.graceForFirstDailyMs ? ` (or up to ${duration(r.graceForFirstDailyMs / 1000)} later, once every market's first 1-day page is acknowledged)` : ""}`}`,
        ),
        `whole benchmark: ${((Date.now() - started) / 60_000).toFixed(1)} min${quick ? " (BENCH_QUICK: run A shortened, run B skipped)" : ""}`,
        `command: \`npm run bench:backfill\`${quick ? " with BENCH_QUICK=1" : ""}${full ? " with BACKFILL_FULL=1" : ""}`,
      ],
      runs,
      fullPlans,
      findings: findings(runs, fullPlans),
      observations,
    };
    console.log(`\n${consoleSummary(report)}\n`);
    writeFileSync(reportPath, backfillMarkdown(report));
    log(`wrote ${reportPath.pathname} in ${((Date.now() - started) / 60_000).toFixed(1)} min`);
  } finally {
    await sim?.stop();
    snapshot.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
