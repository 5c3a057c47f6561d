/**
 * `npm run bench`: the market-data fan-out benchmark. In one run, against the same load and the same
 * subscribers: the baseline (bench/baseline-server.ts) and ours (the real Worker under wrangler dev).
 * Prints a table and writes bench/RESULTS.md. Figures, not tests; see RESULTS.md for the method.
 *
 * Environment: BENCH_QUICK=1 for a short smoke run (shorter windows, fewer points);
 * BENCH_RATES=1000,2000 for other fan-out rates; BENCH_FANOUT_INTERVAL_MS to override wrangler.toml's;
 * BENCH_ONLY=ours|baseline to run one system; BENCH_QUIET_WAIT_S to bound the wait for an idle machine.
 * `tsx bench/run.ts --render` re-renders RESULTS.md from the last run's results.json (after editing analysis.md).
 * Afterwards it runs the candle backfill benchmark (bench/backfill.ts, `npm run bench:backfill`, about
 * 9 more minutes; it writes bench/BACKFILL.md; BENCH_BACKFILL=0 skips it), the paper-trading one
 * (bench/trading.ts, `npm run bench:trading`, about 8 more; bench/TRADING.md; BENCH_TRADING=0 skips it)
 * the alerts one (bench/alerts.ts, `npm run bench:alerts`, about 6 more; bench/ALERTS.md;
 * BENCH_ALERTS=0 skips it) and the trader's page in Chromium (bench/trader-page.ts,
 * `npm run bench:trader-page`, about 1 more; bench/TRADER-PAGE.md; BENCH_TRADER_PAGE=0 skips it).
 */

import { execFileSync, spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { DIAGNOSTIC_CASE, type PointResult, type PointTiming, runFanoutPoint } from "./fanout-point";
import { runIngestLoad, runSampledIngestLoad } from "./ingest-load";
import { stopOnInterrupt } from "./interrupts";
import { machineInfo, waitForIdleMachine } from "./machine";
import { batchBody, coinSymbols, namesBatch, setupBatch, TickWriter } from "./market-fixture";
import {
  type BatchCostRow,
  consoleTable,
  type Goal,
  type IngestRow,
  type Report,
  type RestRow,
  resultsMarkdown,
  type SustainedRow,
  serverCpu,
} from "./report";
import { runRestLoad } from "./rest-load";
import { SubscriberPool } from "./subscriber-pool";
import {
  ingestIdle,
  outboxDrained,
  postBatch as post,
  type SourceSnapshot,
  type SystemName,
  type SystemUnderTest,
  snapshotSource,
  startBaseline,
  startOurs,
} from "./systems";

const quick = process.env.BENCH_QUICK === "1";
const only = process.env.BENCH_ONLY as SystemName | undefined;

const SUBSCRIBERS = 1000;
const COINS = 200;
const REST_COINS = 300;
const RATES = process.env.BENCH_RATES
  ? process.env.BENCH_RATES.split(",").map(Number)
  : quick
    ? [1000, 5000]
    : [1000, 2000, 5000, 20000];
const INGEST_ONLY_RATES = quick ? [5000] : [1000, 5000, 20000];
const WATCHLIST_RATES = quick ? [] : [1000, 5000];
const WATCHLIST_SIZE = 5;
const DIAGNOSTIC_RATES = quick ? [] : [250, 1000];
const SEARCH = { minRate: 10, maxRate: 80_000, maxSteps: quick ? 1 : 5, closeEnough: 1.3 };
const TIMING: PointTiming = quick
  ? { warmupMs: 1000, measureMs: 4000, drainMs: 2000, quietTimeoutMs: 5000 }
  : { warmupMs: 2000, measureMs: 10_000, drainMs: 3000, quietTimeoutMs: 15_000 };
const REST = { rate: 500, durationMs: quick ? 4000 : 10_000, maxSockets: 64, ingestRate: 2000 };
const SAMPLE_EVERY = 50;
const THREADS = 2;
const MAX_IN_FLIGHT = 8;

const resultsPath = new URL("./RESULTS.md", import.meta.url);
/** The raw figures of the last run, so RESULTS.md can be re-rendered (`--render`) after editing analysis.md. */
const rawPath = new URL("./results.json", import.meta.url);
const analysisPath = new URL("./analysis.md", import.meta.url);

/** Stops whatever is running when the run is interrupted (the Worker runs in its own process group). */
const cleanups = stopOnInterrupt(log);

function log(line: string): void {
  console.log(`[bench ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

/** FANOUT_INTERVAL_MS as wrangler.toml sets it. */
function wranglerFanoutInterval(): string {
  const toml = readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8");
  return /^FANOUT_INTERVAL_MS\s*=\s*"(\d+)"/m.exec(toml)?.[1] ?? "?";
}

function watchlistPaths(coins: string[]): string[] {
  return Array.from({ length: SUBSCRIBERS }, (_, i) => {
    const picked = new Set<string>();
    let x = i * 2654435761;
    while (picked.size < WATCHLIST_SIZE) {
      x = (x * 1103515245 + 12345) % 2147483648;
      picked.add(coins[x % coins.length]);
    }
    return `/ws/market?symbols=${[...picked].join(",")}`;
  });
}

const round2 = (v: number) => {
  const digits = 10 ** Math.max(0, Math.floor(Math.log10(v)) - 1);
  return Math.round(v / digits) * digits;
};

/** Bounded search for the highest sustained rate, reusing the points already measured. */
async function searchSustained(
  system: SystemName,
  known: PointResult[],
  run: (rate: number) => Promise<PointResult>,
): Promise<SustainedRow> {
  let pass = Math.max(0, ...known.filter((p) => p.sustained).map((p) => p.rate)) || null;
  let fail = Math.min(Infinity, ...known.filter((p) => !p.sustained && p.rate > (pass ?? 0)).map((p) => p.rate));
  let lowest = Math.min(...known.map((p) => p.rate));
  for (let step = 0; step < SEARCH.maxSteps; step++) {
    let candidate: number;
    if (pass === null) {
      if (fail <= SEARCH.minRate) break;
      candidate = Math.max(SEARCH.minRate, round2(fail / 4));
    } else if (fail === Infinity) {
      if (pass >= SEARCH.maxRate) break;
      candidate = Math.min(SEARCH.maxRate, pass * 2);
    } else {
      if (fail / pass <= SEARCH.closeEnough) break;
      candidate = round2(Math.sqrt(pass * fail));
      if (candidate <= pass || candidate >= fail) break;
    }
    log(`${system}: searching, trying ${candidate} ticks/s`);
    const r = await run(candidate);
    lowest = Math.min(lowest, candidate);
    if (r.sustained) pass = Math.max(pass ?? 0, candidate);
    else fail = Math.min(fail, candidate);
  }
  return { system, rate: pass, failedAt: fail === Infinity ? null : fail, lowestTried: lowest };
}

function describe(p: PointResult): string {
  const cpu = p.usage
    .filter((u) => !u.label.startsWith("bench client"))
    .map((u) => `${u.label} ${u.cpuPercent.toFixed(0)}%`)
    .join(", ");
  return (
    `${p.system} ${p.case} ${p.rate}/s: ingested ${p.ingestedPerSecond.toFixed(0)}/s, ack p99 ${p.ingest.ack?.p99.toFixed(0) ?? "-"} ms, ` +
    `update p50/p99 ${p.update?.p50.toFixed(0) ?? "-"}/${p.update?.p99.toFixed(0) ?? "-"} ms, ` +
    `visible p99 ${p.tickVisible?.p99.toFixed(0) ?? "-"} ms, ${p.deliveredUpdatesPerSecond.toFixed(0)} updates/s, ` +
    `${p.megabytesPerSecond.toFixed(1)} MB/s, ${p.entriesPerMessage.toFixed(1)} coins/msg, CPU: ${cpu}, ` +
    `client ELU ${p.subscriberLoopUtilization.toFixed(2)}, machine ${p.machineBusyPercent.toFixed(0)}%, CPU wait ${p.cpuPressurePercent?.toFixed(0) ?? "-"}% -> ${p.verdict}`
  );
}

interface PhaseResult {
  batchCost: BatchCostRow[];
  ingest: IngestRow[];
  points: PointResult[];
  sustained: SustainedRow;
  rest: RestRow[];
}

/** Runs every fan-out point (and, for ours, the REST figures) against one system. */
async function runPhase(name: SystemName, start: () => Promise<SystemUnderTest>): Promise<PhaseResult> {
  const coins = coinSymbols(COINS);
  const writer = new TickWriter(coins);
  const dashboardPaths = Array.from({ length: SUBSCRIBERS }, () => "/ws/market");
  const points: PointResult[] = [];
  let system: SystemUnderTest | undefined;
  let pool: SubscriberPool | undefined;
  let paths = dashboardPaths;
  let asciiNames = false;

  /** (Re)connects the subscribers with the current `paths`. */
  const connectPool = async () => {
    await pool?.dispose();
    pool = undefined;
    if (!system) throw new Error("not started");
    const t = Date.now();
    pool = new SubscriberPool({
      port: system.port,
      mode: system.mode,
      coins,
      paths,
      sampleEvery: SAMPLE_EVERY,
      threads: THREADS,
    });
    await pool.connect();
    // Ours sends each new socket a snapshot of every coin: wait for them and for traffic to stop.
    await pool.settle(system.mode === "tick" ? 0 : SUBSCRIBERS);
    log(`${name}: ${SUBSCRIBERS} subscribers connected and settled in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };

  /** Starts the system afresh (fresh state, the setup batch), with subscribers unless told not to. */
  const bringUp = async (withSubscribers = true) => {
    await pool?.dispose();
    pool = undefined;
    await system?.stop();
    const t = Date.now();
    system = await start();
    const running = system;
    cleanups.add(running.stop);
    const setup = await post(system, setupBatch(writer, Date.now() - 1000));
    if (setup.status !== 200) throw new Error(`${name}: the setup batch was answered ${setup.status}`);
    if (asciiNames) await post(system, namesBatch(coins, true));
    log(`${name}: started in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (withSubscribers) await connectPool();
  };

  const point = async (rate: number, caseName: string, retry = true): Promise<PointResult> => {
    if (!system || !pool) throw new Error("not started");
    const r = await runFanoutPoint({
      system,
      pool,
      writer,
      rate,
      caseName,
      timing: { ...TIMING, quietTimeoutMs: name === "baseline" ? 3000 : TIMING.quietTimeoutMs },
      maxInFlight: MAX_IN_FLIGHT,
    });
    log(describe(r));
    if (r.closedSockets > 0 && retry) {
      // The server closed sockets mid-point (e.g. the runtime restarted): measure the point again.
      log(`${name}: ${r.closedSockets} sockets were closed by the server; restarting and measuring again`);
      await bringUp();
      return point(rate, caseName, false);
    }
    points.push(r);
    // An overloaded baseline holds a backlog of queued sends; a busy Worker may hold queued batches.
    if (!r.quiet || !(await ingestIdle(system, name === "baseline" ? 2000 : 20_000))) {
      log(`${name}: traffic did not settle after the point; restarting the system`);
      await bringUp();
    }
    return r;
  };

  try {
    await bringUp(false);
    const batchCost = system ? await batchCostProbe(system, writer) : [];
    const ingestRows: IngestRow[] = [];
    for (const rate of INGEST_ONLY_RATES) {
      if (!system) break;
      ingestRows.push(await ingestOnly(system, writer, rate));
      await ingestIdle(system, 20_000);
    }
    if (system && (await ingestIdle(system, 20_000))) await connectPool();
    else await bringUp();
    for (const rate of RATES) await point(rate, "dashboard");
    const sustained = await searchSustained(name, points, (rate) => point(rate, "dashboard"));
    if (name === "ours" && system && DIAGNOSTIC_RATES.length > 0) {
      // The same dashboard with ASCII coin names: what the UTF-16 -> UTF-8 encoding per send costs.
      asciiNames = true;
      await post(system, namesBatch(coins, true));
      for (const rate of DIAGNOSTIC_RATES) await point(rate, DIAGNOSTIC_CASE);
      asciiNames = false;
      if (system) await post(system, namesBatch(coins, false));
    }
    if (WATCHLIST_RATES.length > 0) {
      paths = watchlistPaths(coins);
      await connectPool();
      for (const rate of WATCHLIST_RATES) await point(rate, `watchlist of ${WATCHLIST_SIZE}`);
    }
    const rest = name === "ours" && system ? await restFigures(system, pool) : [];
    return { points, sustained, rest, ingest: ingestRows, batchCost };
  } finally {
    await pool?.dispose();
    await system?.stop();
  }
}

/** The ingest path alone, with no subscriber connected: what the system acknowledges at `rate`. */
async function ingestOnly(system: SystemUnderTest, writer: TickWriter, rate: number): Promise<IngestRow> {
  const { load: result, usage } = await runSampledIngestLoad(
    {
      url: `${system.url}/internal/ingest`,
      token: system.token,
      writer,
      rate,
      startAt: Date.now() + 300,
      warmupMs: TIMING.warmupMs,
      measureMs: TIMING.measureMs,
      maxInFlight: MAX_IN_FLIGHT,
      graceMs: 10_000,
    },
    system.processes(),
  );
  const row: IngestRow = {
    system: system.name,
    rate,
    ingestedPerSecond: result.windowAckedTicks / (TIMING.measureMs / 1000),
    ack: result.ack,
    failed: result.failedBatches,
    unsent: result.unsentBatches,
    usage: usage.processes,
    machineBusyPercent: usage.machineBusyPercent,
    cpuPressurePercent: usage.cpuPressurePercent,
  };
  log(
    `${system.name} ingest alone ${rate}/s: ${row.ingestedPerSecond.toFixed(0)}/s acknowledged, ack p50/p99 ${result.ack?.p50.toFixed(0)}/${result.ack?.p99.toFixed(0)} ms, ${row.failed} failed, ${row.unsent} unsent`,
  );
  return row;
}

/**
 * The cost of one batch by its shape, one batch at a time (no concurrency, no subscribers): how the
 * ingest path's cost grows with the number of coins a batch touches.
 */
async function batchCostProbe(system: SystemUnderTest, writer: TickWriter): Promise<BatchCostRow[]> {
  const shapes = [
    { ticks: 100, coins: 1 },
    { ticks: 100, coins: 10 },
    { ticks: 100, coins: 100 },
    { ticks: 500, coins: 200 },
  ];
  const rows: BatchCostRow[] = [];
  for (const shape of shapes) {
    const times: number[] = [];
    for (let k = 0; k < 12; k++) {
      const ts = Date.now();
      const events = Array.from({ length: shape.ticks }, (_, i) => writer.tick(i % shape.coins, i % 4, ts));
      times.push((await post(system, batchBody(events, ts))).ms);
    }
    times.sort((a, b) => a - b);
    rows.push({ system: system.name, ...shape, medianMs: times[6], minMs: times[0] });
  }
  log(`${system.name} batch cost: ${rows.map((r) => `${r.ticks}x${r.coins} ${r.medianMs} ms`).join(", ")}`);
  return rows;
}

/**
 * `/api/coins/latest` at a fixed 500 requests/s: idle, then while ticks are ingested; each both on the
 * public port (through wrangler dev's proxy workerd, as `npm start` serves it) and directly on the
 * Worker's own workerd socket (the path a deployed Worker has, without the dev proxy).
 */
async function restFigures(system: SystemUnderTest, pool: SubscriberPool | undefined): Promise<RestRow[]> {
  await pool?.close();
  const writer = new TickWriter(coinSymbols(REST_COINS));
  const setup = await post(system, setupBatch(writer, Date.now() - 1000));
  if (setup.status !== 200) throw new Error(`REST setup answered ${setup.status}`);
  await ingestIdle(system, 20_000);
  if (!(await outboxDrained(system, 30_000))) log("the board's symbol outbox did not drain before the REST point");
  const direct = (await system.directUrl?.()) ?? null;
  if (!direct) log("REST: the Worker's own workerd socket was not found; measuring through the dev proxy only");
  const paths: { label: string; base: string }[] = [
    { label: "through the wrangler dev proxy", base: system.url },
    ...(direct ? [{ label: "direct to the Worker's workerd", base: direct }] : []),
  ];
  const load = (base: string) =>
    runRestLoad({
      url: `${base}/api/coins/latest`,
      ratePerSecond: REST.rate,
      durationMs: REST.durationMs,
      maxSockets: REST.maxSockets,
      graceMs: 10_000,
    });

  const rows: RestRow[] = [];
  for (const path of paths) {
    const result = await load(path.base);
    rows.push({ condition: `no other load, ${path.label}`, coins: REST_COINS + 1, result });
    log(`REST idle, ${path.label}: ${JSON.stringify(result.latency)} ok ${result.ok}/${result.scheduled}`);
    await ingestIdle(system, 20_000);
  }

  for (const path of paths) {
    const startAt = Date.now() + 300;
    const ingest = runIngestLoad({
      url: `${system.url}/internal/ingest`,
      token: system.token,
      writer,
      rate: REST.ingestRate,
      startAt,
      warmupMs: 1000,
      measureMs: REST.durationMs + 1000,
      maxInFlight: MAX_IN_FLIGHT,
      graceMs: 10_000,
    });
    await new Promise((r) => setTimeout(r, startAt + 1000 - Date.now()));
    const result = await load(path.base);
    const ingestResult = await ingest;
    rows.push({
      condition: `while ingesting ${REST.ingestRate} ticks/s (${(ingestResult.windowAckedTicks / ((REST.durationMs + 1000) / 1000)).toFixed(0)}/s acknowledged), ${path.label}`,
      coins: REST_COINS + 1,
      result,
    });
    log(`REST with ingest, ${path.label}: ${JSON.stringify(result.latency)} ok ${result.ok}/${result.scheduled}`);
    await ingestIdle(system, 20_000);
  }
  return rows;
}

function goals(points: PointResult[], sustained: SustainedRow[], rest: RestRow[]): Goal[] {
  const ours = sustained.find((s) => s.system === "ours");
  const base = sustained.find((s) => s.system === "baseline");
  const ratio = ours?.rate && base?.rate ? ours.rate / base.rate : null;
  const at2k = points.find((p) => p.system === "ours" && p.case === "dashboard" && p.rate === 2000);
  // The goal is about the Worker on local workerd: judged on the direct path when it was measured.
  const idle = rest.find((r) => r.condition.startsWith("no other load, direct")) ?? rest[0];
  const at2kOk =
    at2k?.update != null &&
    at2k.update.p99 <= 100 &&
    at2k.ingest.failedBatches === 0 &&
    at2k.ingest.unsentBatches === 0 &&
    at2k.invisibleShare <= 0.01;
  return [
    {
      goal: "sustained ingest at least 2x the baseline's (1,000 subscribers, all coins)",
      measured:
        ours && base
          ? `ours ${ours.rate ?? "none"} ticks/s, baseline ${base.rate ?? "none"} ticks/s${ratio ? ` (${ratio.toFixed(1)}x)` : ""}`
          : "not measured",
      met: ours && base ? (ratio !== null ? ratio >= 2 : ours.rate !== null && base.rate === null) : null,
    },
    {
      goal: "p99 at or under 100 ms at 2,000 ticks/s with 1,000 subscribers",
      measured: at2k
        ? `update p99 ${at2k.update ? Math.round(at2k.update.p99) : "–"} ms (tick-visible p99 ${at2k.tickVisible ? Math.round(at2k.tickVisible.p99) : "–"} ms), ${at2k.ingestedPerSecond.toFixed(0)} ticks/s acknowledged, ${at2k.verdict}`
        : "not measured",
      met: at2k ? at2kOk : null,
    },
    {
      goal: "REST p95 at or under 20 ms at 500 req/s (`/api/coins/latest`, 300 coins)",
      measured: idle
        ? `${idle.condition}: p95 ${idle.result.latency ? Math.round(idle.result.latency.p95) : "–"} ms, ${idle.result.ok}/${idle.result.scheduled} answered`
        : "not measured",
      met: idle ? idle.result.latency !== null && idle.result.latency.p95 <= 20 && idle.result.failed === 0 : null,
    },
  ];
}

/** Caveats about the measurement itself: where the client or other work may have shaped a figure. */
function observe(points: PointResult[], startNote: string): string[] {
  const notes = [startNote];
  for (const p of points) {
    const where = `${p.system} ${p.case} at ${p.rate} ticks/s`;
    if (p.subscriberLoopUtilization > 0.8) {
      notes.push(
        `${where}: the subscriber threads were busy (ELU ${p.subscriberLoopUtilization.toFixed(2)}); latency there is partly the client's.`,
      );
    }
    if ((p.cpuPressurePercent ?? 0) >= 30) {
      notes.push(
        `${where}: runnable tasks waited for a CPU ${p.cpuPressurePercent?.toFixed(0)}% of the time (server ${serverCpu(p).toFixed(0)}% of a core, machine ${p.machineBusyPercent.toFixed(0)}% busy): figures there are bounded by this 2-core machine as much as by the system.`,
      );
    }
    if (!p.quiet) notes.push(`${where}: traffic was still draining after the point; the system was restarted.`);
  }
  return notes;
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
    if (only !== "ours") phases.push(await runPhase("baseline", startBaseline));
    if (only !== "baseline") phases.push(await runPhase("ours", () => startOurs(source)));
    const points = phases.flatMap((p) => p.points);
    const sustained = phases.map((p) => p.sustained);
    const rest = phases.flatMap((p) => p.rest);
    const ingest = phases.flatMap((p) => p.ingest);
    const batchCost = phases.flatMap((p) => p.batchCost);
    let analysis = "";
    try {
      analysis = readFileSync(analysisPath, "utf8");
    } catch {
      analysis = "";
    }
    const report: Report = {
      machine,
      settings: [
        `subscribers: ${SUBSCRIBERS} (${THREADS} threads, every ${SAMPLE_EVERY}th read in full); coins: ${COINS}; fan-out interval: ${process.env.BENCH_FANOUT_INTERVAL_MS ? `${process.env.BENCH_FANOUT_INTERVAL_MS} ms (BENCH_FANOUT_INTERVAL_MS)` : `${wranglerFanoutInterval()} ms (wrangler.toml)`}`,
        `timing: ${TIMING.warmupMs / 1000} s warm-up, ${TIMING.measureMs / 1000} s measured, ${TIMING.drainMs / 1000} s more to receive late updates`,
        `whole run: ${((Date.now() - started) / 60000).toFixed(1)} min${quick ? " (BENCH_QUICK: short windows, fewer points)" : ""}`,
      ],
      ingest,
      batchCost,
      points,
      sustained,
      rest,
      goals: goals(points, sustained, rest),
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
