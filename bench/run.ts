/**
 * `npm run bench`: the market-data fan-out benchmark. In one run, against the same load and the same
 * subscribers: the naive baseline (bench/baseline-server.ts), the conflated peer (bench/conflated-peer-
 * server.ts, the best one Node process does with our design) and ours (the real Worker under wrangler
 * dev); then the connect storm before and after the shard tier (bench/connect-storm.ts) and the shard
 * cost (bench/shard-cost.ts). Prints a table and writes bench/RESULTS.md and bench/results.json.
 * Figures, not tests; see RESULTS.md for the method. What each system measures: bench/fanout-plan.ts.
 *
 * Environment: BENCH_QUICK=1 for a short smoke run (shorter windows, fewer points);
 * BENCH_ONLY=ours,peer,baseline,storm (any of them, comma-separated) to run some parts;
 * BENCH_RATES=1000,2000 for other fixed rates; BENCH_FANOUT_INTERVAL_MS to override wrangler.toml's;
 * BENCH_SAMPLE_EVERY, BENCH_PARSE, BENCH_DIRECT, BENCH_STAMP, BENCH_SHARD_CEILING (fanout-plan.ts,
 * ingest-load.ts); BENCH_BEFORE_REF (connect-storm.ts); BENCH_QUIET_WAIT_S to bound the wait for an
 * idle machine. `tsx bench/run.ts --render` re-renders RESULTS.md from the last run's results.json
 * (after editing analysis.md).
 * Afterwards it runs the candle backfill benchmark (bench/backfill.ts, `npm run bench:backfill`, about
 * 9 more minutes; it writes bench/BACKFILL.md; BENCH_BACKFILL=0 skips it), the paper-trading one
 * (bench/trading.ts, `npm run bench:trading`, about 8 more; bench/TRADING.md; BENCH_TRADING=0 skips it)
 * the alerts one (bench/alerts.ts, `npm run bench:alerts`, about 6 more; bench/ALERTS.md;
 * BENCH_ALERTS=0 skips it) and the trader's page in Chromium (bench/trader-page.ts,
 * `npm run bench:trader-page`, about 1 more; bench/TRADER-PAGE.md; BENCH_TRADER_PAGE=0 skips it).
 */

import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { BEFORE_REF, runConnectStorms, type StormRow } from "./connect-storm";
import { goals, observe } from "./fanout-goals";
import { type PhaseContext, type PhaseResult, runPhase } from "./fanout-phase";
import {
  COINS,
  LOW_CEILING_PLAN,
  LOW_SHARD_CEILING,
  MANY_CASE,
  MANY_SUBSCRIBERS,
  PLANS,
  quick,
  READING,
  SHARD_CEILING,
  SUBSCRIBERS,
  sampleEvery,
  THREADS,
  THREADS_MANY,
  TIMING,
} from "./fanout-plan";
import { STAMP } from "./ingest-load";
import { stopOnInterrupt } from "./interrupts";
import { machineInfo, waitForIdleMachine } from "./machine";
import { type Report, resultsMarkdown } from "./report";
import { consoleTable } from "./report-console";
import { fitShardCost, type ShardCost, sampleOfIngest, sampleOfPoint } from "./shard-cost";
import { type SourceSnapshot, snapshotSource, startBaseline, startOurs, startPeer } from "./systems";

/** The parts to run: every one unless BENCH_ONLY names some. */
const parts = new Set((process.env.BENCH_ONLY ?? "baseline,peer,ours,storm").split(",").map((s) => s.trim()));

const resultsPath = new URL("./RESULTS.md", import.meta.url);
/** The raw figures of the last run, so RESULTS.md can be re-rendered (`--render`) after editing analysis.md. */
const rawPath = new URL("./results.json", import.meta.url);
const analysisPath = new URL("./analysis.md", import.meta.url);

/** Stops whatever is running when the run is interrupted (the Worker runs in its own process group). */
const cleanups = stopOnInterrupt(log);
const ctx: PhaseContext = { log, onInterrupt: (stop) => cleanups.add(stop) };

function log(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/** FANOUT_INTERVAL_MS as wrangler.toml sets it. */
function wranglerFanoutInterval(): string {
  const toml = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8");
  return /^FANOUT_INTERVAL_MS\s*=\s*"(\d+)"/m.exec(toml)?.[1] ?? "?";
}

/** Ours with a FANOUT_SHARD_CEILING (startOurs adds BENCH_FANOUT_INTERVAL_MS). */
const startOursWith = (source: SourceSnapshot, ceiling: number) => () =>
  startOurs(source, { vars: { FANOUT_SHARD_CEILING: String(ceiling) } });

/**
 * The shard cost from ours' windows at 2,000 ticks/s (ingest alone, 1,000 and 5,000 subscribers), and
 * one more Worker with a low shard ceiling (1,000 subscribers, 20 shards).
 */
async function shardCost(source: SourceSnapshot, ours: PhaseResult): Promise<ShardCost> {
  const ingest = ours.ingest.find((r) => r.rate === 2000);
  const windows = ours.points.filter((p) => p.rate === 2000 && (p.case === "dashboard" || p.case === MANY_CASE));
  const low = await runPhase("ours", startOursWith(source, LOW_SHARD_CEILING), LOW_CEILING_PLAN, ctx);
  const samples = [
    ...(ingest ? [sampleOfIngest(ingest, SHARD_CEILING)] : []),
    ...windows.map((p) => sampleOfPoint(p, SHARD_CEILING)),
    ...low.points.map((p) => sampleOfPoint(p, LOW_SHARD_CEILING, `dashboard, shard ceiling ${LOW_SHARD_CEILING}`)),
  ];
  const cost = fitShardCost(samples);
  log(
    `shard cost: ${cost.cpuMicrosPerDeliveredMessage} µs per delivered message, ${cost.boardCpuMillisPerSecondAt2k} ms/s ingest + board, ${cost.cpuMicrosPerPublish} µs per publish, ${cost.bytesPerMessage} bytes/message${cost.note ? ` (${cost.note})` : ""}`,
  );
  return cost;
}

function settings(started: number): string[] {
  const interval = process.env.BENCH_FANOUT_INTERVAL_MS
    ? `${process.env.BENCH_FANOUT_INTERVAL_MS} ms (BENCH_FANOUT_INTERVAL_MS)`
    : `${wranglerFanoutInterval()} ms (wrangler.toml)`;
  const reading = [
    READING.parse ? "sampled sockets JSON.parse each message (BENCH_PARSE)" : "",
    READING.direct ? "ours reached on its own workerd socket, not the dev proxy (BENCH_DIRECT)" : "",
    STAMP === "scheduled" ? "ticks stamped with their batch's scheduled time (BENCH_STAMP)" : "",
  ].filter(Boolean);
  return [
    `subscribers: ${SUBSCRIBERS} (${THREADS} threads, every ${sampleEvery(SUBSCRIBERS)}th read in full) and ${MANY_SUBSCRIBERS} (${THREADS_MANY} threads, every ${sampleEvery(MANY_SUBSCRIBERS)}th); coins: ${COINS}; fan-out interval: ${interval}; ours' FANOUT_SHARD_CEILING: ${SHARD_CEILING}`,
    ...(reading.length > 0 ? [`reading: ${reading.join("; ")}`] : []),
    `timing: ${TIMING.warmupMs / 1000} s warm-up, ${TIMING.measureMs / 1000} s measured, ${TIMING.drainMs / 1000} s more to receive late updates`,
    `whole run: ${((Date.now() - started) / 60000).toFixed(1)} min${quick ? " (BENCH_QUICK: short windows, fewer points)" : ""}`,
  ];
}

async function main(): Promise<void> {
  const started = Date.now();
  let snapshot: SourceSnapshot | undefined;
  try {
    snapshot = snapshotSource();
    const source = snapshot;
    cleanups.add(async () => source.dispose());
    const machine = machineInfo(snapshot.commit);
    const startNote = await waitForIdleMachine(log);
    log(startNote);
    const phases: PhaseResult[] = [];
    if (parts.has("baseline")) phases.push(await runPhase("baseline", startBaseline, PLANS.baseline, ctx));
    if (parts.has("peer")) phases.push(await runPhase("peer", startPeer, PLANS.peer, ctx));
    let cost: ShardCost | null = null;
    if (parts.has("ours")) {
      const ours = await runPhase("ours", startOursWith(source, SHARD_CEILING), PLANS.ours, ctx);
      phases.push(ours);
      cost = await shardCost(source, ours);
    }
    const storms: StormRow[] = parts.has("storm")
      ? await runConnectStorms(log, (stop) => cleanups.add(stop), source)
      : [];
    const points = phases.flatMap((p) => p.points);
    const sustained = phases.map((p) => p.sustained);
    const rest = phases.flatMap((p) => p.rest);
    let analysis = "";
    try {
      analysis = readFileSync(analysisPath, "utf8");
    } catch {
      analysis = "";
    }
    const report: Report = {
      machine,
      settings: [
        ...settings(started),
        ...(storms.length > 0 ? [`connect storm: before = ${BEFORE_REF} (BENCH_BEFORE_REF), after = HEAD`] : []),
      ],
      ingest: phases.flatMap((p) => p.ingest),
      batchCost: phases.flatMap((p) => p.batchCost),
      points,
      sustained,
      rest,
      goals: goals(points, sustained, rest),
      storms,
      shardCost: cost,
      observations: observe(points, startNote),
      analysis,
    };
    console.log(`\n${consoleTable(report)}\n`);
    writeFileSync(rawPath, `${JSON.stringify({ ...report, analysis: undefined }, null, 2)}\n`);
    try {
      execFileSync("npx", ["biome", "format", "--write", rawPath.pathname], { stdio: "ignore" }); // keep `npm run lint` clean
    } catch {
      // formatting is a nicety
    }
    writeFileSync(resultsPath, resultsMarkdown(report));
    log(`wrote ${resultsPath.pathname}`);
  } finally {
    snapshot?.dispose();
  }
}

/**
 * A benchmark of its own after the fan-out figures, in a process of its own (it starts its own Worker):
 * the candle backfill (bench/backfill.ts, bench/BACKFILL.md), paper trading (bench/trading.ts,
 * bench/TRADING.md), alerts (bench/alerts.ts, bench/ALERTS.md) or the trader's page in a browser
 * (bench/trader-page.ts, bench/TRADER-PAGE.md). `skip` names the environment
 * variable that skips it when set to 0.
 */
function followUp(script: string, what: string, skip: string): () => Promise<void> {
  return () => {
    if (process.env[skip] === "0") {
      log(`${skip}=0: the ${what} benchmark is skipped`);
      return Promise.resolve();
    }
    log(`next: the ${what} benchmark (bench/${script})`);
    const child = spawn(process.execPath, ["--import", "tsx", new URL(`./${script}`, import.meta.url).pathname], {
      stdio: "inherit",
    });
    cleanups.add(async () => {
      child.kill("SIGTERM"); // it stops its own Worker (and simulator) itself
    });
    return new Promise((resolve, reject) => {
      child.once("exit", (code, signal) =>
        code === 0 ? resolve() : reject(new Error(`the ${what} benchmark ended with ${signal ?? `exit code ${code}`}`)),
      );
    });
  };
}

/** Re-renders RESULTS.md from results.json with the current analysis.md (no measuring). */
function render(): Promise<void> {
  const report = JSON.parse(readFileSync(rawPath, "utf8")) as Report;
  report.analysis = readFileSync(analysisPath, "utf8");
  report.observations = observe(report.points, report.observations[0] ?? "");
  writeFileSync(resultsPath, resultsMarkdown(report));
  log(`re-rendered ${resultsPath.pathname}`);
  return Promise.resolve();
}

(process.argv.includes("--render")
  ? render()
  : main()
      .then(followUp("backfill.ts", "candle backfill", "BENCH_BACKFILL"))
      .then(followUp("trading.ts", "paper-trading", "BENCH_TRADING"))
      .then(followUp("alerts.ts", "alerts", "BENCH_ALERTS"))
      .then(followUp("trader-page.ts", "trader's page", "BENCH_TRADER_PAGE"))
).then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
