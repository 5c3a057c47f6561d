/**
 * One system's part of `npm run bench`: started afresh with the setup batch, the batch-cost probe,
 * ingest alone, the fan-out points of its plan (fanout-plan.ts) with 1,000 and 5,000 subscribers, the
 * search for its highest sustained rate, and for ours the REST figures. Each point runs on the same
 * running system; a point after which traffic does not settle restarts it.
 */

import {
  COINS,
  MANY_CASE,
  MANY_SUBSCRIBERS,
  MAX_IN_FLIGHT,
  type PhasePlan,
  READING,
  SEARCH,
  SUBSCRIBERS,
  sampleEvery,
  THREADS,
  THREADS_MANY,
  TIMING,
  WATCHLIST_SIZE,
} from "./fanout-plan";
import { DIAGNOSTIC_CASE, type PointResult, runFanoutPoint } from "./fanout-point";
import { runSampledIngestLoad } from "./ingest-load";
import { batchBody, coinSymbols, namesBatch, setupBatch, TickWriter } from "./market-fixture";
import type { BatchCostRow, IngestRow, RestRow, SustainedRow } from "./report";
import { restFigures } from "./rest-figures";
import { SubscriberPool } from "./subscriber-pool";
import {
  ingestIdle,
  outboxDrained,
  postBatch as post,
  reachDirectly,
  type SystemName,
  type SystemUnderTest,
} from "./systems";

export interface PhaseResult {
  batchCost: BatchCostRow[];
  ingest: IngestRow[];
  points: PointResult[];
  sustained: SustainedRow;
  rest: RestRow[];
}

/** What a phase needs from the run. */
export interface PhaseContext {
  log(line: string): void;
  /** Registers a stop to run when the benchmark is interrupted. */
  onInterrupt(stop: () => Promise<void>): void;
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
  maxSteps: number,
  run: (rate: number) => Promise<PointResult>,
  log: (line: string) => void,
): Promise<SustainedRow> {
  let pass = Math.max(0, ...known.filter((p) => p.sustained).map((p) => p.rate)) || null;
  let fail = Math.min(Infinity, ...known.filter((p) => !p.sustained && p.rate > (pass ?? 0)).map((p) => p.rate));
  let lowest = Math.min(...known.map((p) => p.rate));
  for (let step = 0; step < maxSteps; step++) {
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

/** One line per point for the log. */
export function describe(p: PointResult): string {
  const cpu = p.usage
    .filter((u) => !u.label.startsWith("bench client"))
    .map((u) => `${u.label} ${u.cpuPercent.toFixed(0)}%`)
    .join(", ");
  return (
    `${p.system} ${p.case} ${p.rate}/s: ingested ${p.ingestedPerSecond.toFixed(0)}/s, ack p99 ${p.ingest.ack?.p99.toFixed(0) ?? "-"} ms, ` +
    `end-to-end p50/p99 ${p.endToEnd?.p50.toFixed(0) ?? "-"}/${p.endToEnd?.p99.toFixed(0) ?? "-"} ms, ` +
    `update p50/p99 ${p.update?.p50.toFixed(0) ?? "-"}/${p.update?.p99.toFixed(0) ?? "-"} ms, ` +
    `send lag p99 ${p.ingest.sendLag?.p99.toFixed(0) ?? "-"} ms, ${p.messagesPerSecond.toFixed(0)} messages/s, ` +
    `${p.megabytesPerSecond.toFixed(1)} MB/s, ${p.entriesPerMessage.toFixed(1)} coins/msg, CPU: ${cpu}, ` +
    `client ELU ${p.subscriberLoopUtilization.toFixed(2)}, machine ${p.machineBusyPercent.toFixed(0)}%, CPU wait ${p.cpuPressurePercent?.toFixed(0) ?? "-"}% -> ${p.verdict}`
  );
}

/** Runs every point of `plan` against one system. */
export async function runPhase(
  name: SystemName,
  start: () => Promise<SystemUnderTest>,
  plan: PhasePlan,
  ctx: PhaseContext,
): Promise<PhaseResult> {
  const { log } = ctx;
  const coins = coinSymbols(COINS);
  const writer = new TickWriter(coins);
  const dashboard = (count: number) => Array.from({ length: count }, () => "/ws/market");
  const points: PointResult[] = [];
  let system: SystemUnderTest | undefined;
  let reached: SystemUnderTest | undefined;
  let pool: SubscriberPool | undefined;
  let paths = dashboard(SUBSCRIBERS);
  let asciiNames = false;
  let direct = READING.direct;

  /** (Re)connects the subscribers with the current `paths`. */
  const connectPool = async () => {
    await pool?.dispose();
    pool = undefined;
    if (!reached) throw new Error("not started");
    const t = Date.now();
    pool = new SubscriberPool({
      port: reached.port,
      mode: reached.mode,
      coins,
      paths,
      sampleEvery: sampleEvery(paths.length),
      threads: paths.length > SUBSCRIBERS ? THREADS_MANY : THREADS,
      parse: READING.parse,
    });
    await pool.connect();
    // Ours and the peer send each new socket a snapshot of every coin: wait for them and for traffic to stop.
    await pool.settle(reached.mode === "tick" ? 0 : paths.length, 120_000);
    log(`${name}: ${paths.length} subscribers connected and settled in ${((Date.now() - t) / 1000).toFixed(1)} s`);
  };

  /** Starts the system afresh (fresh state, the setup batch), with subscribers unless told not to. */
  const bringUp = async (withSubscribers = true) => {
    await pool?.dispose();
    pool = undefined;
    await system?.stop();
    const t = Date.now();
    system = await start();
    ctx.onInterrupt((system as SystemUnderTest).stop);
    reached = direct ? await reachDirectly(system, log) : system;
    const setup = await post(reached, setupBatch(writer, Date.now() - 1000));
    if (setup.status !== 200) throw new Error(`${name}: the setup batch was answered ${setup.status}`);
    if (asciiNames) await post(reached, namesBatch(coins, true));
    // Ours then hands every coin's history to its MarketSymbol (200 objects created): not during a point.
    if (!(await outboxDrained(reached, 60_000))) log(`${name}: the board's symbol outbox did not drain after setup`);
    log(`${name}: started in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    if (withSubscribers) await connectPool();
  };

  const point = async (rate: number, caseName: string, retry = true): Promise<PointResult> => {
    if (!reached || !pool) throw new Error("not started");
    const r = await runFanoutPoint({
      system: reached,
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
    if (!r.quiet || !(await ingestIdle(reached, name === "baseline" ? 2000 : 20_000))) {
      log(`${name}: traffic did not settle after the point; restarting the system`);
      await bringUp();
    }
    return r;
  };

  try {
    await bringUp(false);
    const batchCost = reached && plan.batchCost ? await batchCostProbe(reached, writer, log) : [];
    const ingestRows: IngestRow[] = [];
    for (const rate of plan.ingestOnlyRates) {
      if (!reached) break;
      ingestRows.push(await ingestOnly(reached, writer, rate, log));
      await ingestIdle(reached, 20_000);
    }
    if (reached && (await ingestIdle(reached, 20_000))) await connectPool();
    else await bringUp();
    for (const rate of plan.rates) await point(rate, "dashboard");
    const sustained = await searchSustained(
      name,
      points.filter((p) => p.case === "dashboard"),
      plan.searchSteps,
      (rate) => point(rate, "dashboard"),
      log,
    );
    if (plan.diagnosticRates.length > 0 && reached) {
      // The same dashboard with ASCII coin names: what the UTF-16 -> UTF-8 encoding per send costs.
      asciiNames = true;
      await post(reached, namesBatch(coins, true));
      for (const rate of plan.diagnosticRates) await point(rate, DIAGNOSTIC_CASE);
      asciiNames = false;
      if (reached) await post(reached, namesBatch(coins, false));
    }
    if (plan.watchlistRates.length > 0) {
      paths = watchlistPaths(coins);
      await connectPool();
      for (const rate of plan.watchlistRates) await point(rate, `watchlist of ${WATCHLIST_SIZE}`);
    }
    await pool?.close();
    // Before the 5,000 sockets, which leave the Worker busy closing them.
    const rest = plan.rest && system ? await restFigures(system, log) : [];
    if (plan.manyRates.length > 0 && system) {
      // wrangler dev's proxy reset every socket (ECONNRESET, all closed) past about 3,300 of them here:
      // 5,000 subscribers reach ours on its own workerd socket, the path a deployed Worker has.
      direct = true;
      reached = await reachDirectly(system, log);
      paths = dashboard(MANY_SUBSCRIBERS);
      await connectPool();
      for (const rate of plan.manyRates) await point(rate, MANY_CASE);
    }
    return { points, sustained, rest, ingest: ingestRows, batchCost };
  } finally {
    await pool?.dispose();
    await system?.stop();
  }
}

/** The ingest path alone, with no subscriber connected: what the system acknowledges at `rate`. */
async function ingestOnly(
  system: SystemUnderTest,
  writer: TickWriter,
  rate: number,
  log: (line: string) => void,
): Promise<IngestRow> {
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
async function batchCostProbe(
  system: SystemUnderTest,
  writer: TickWriter,
  log: (line: string) => void,
): Promise<BatchCostRow[]> {
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
