/**
 * One measurement point of the fan-out benchmark: a system, its connected subscribers and an ingest
 * rate. Runs the load, then turns what the subscribers saw into the figures of the report.
 *
 * Definitions (also written into RESULTS.md):
 * - end-to-end latency (the headline): for each acknowledged tick and each sampled subscriber of its
 *   coin, from the tick's creation (its `timestamp`: `Date.now()` just before its batch was written
 *   and posted, see ingest-load.ts) until that subscriber had read a message carrying a state of the
 *   coin at least as new; a tick never made visible counts as (end of recording - timestamp).
 *   Includes the conflation wait and ticks overwritten before a flush.
 * - update latency: for each coin update a sampled subscriber received (ours and the peer: one coin
 *   entry of an `update` message; baseline: one tick message), read time minus the newest tick
 *   timestamp it reflects.
 * - delivered updates/s: coin updates received by all subscribers in the window, per second:
 *   messages received (counted on every socket) x mean coin entries per message (read on sampled sockets).
 */
import { type IngestLoadResult, runIngestLoad, type TickStamp } from "./ingest-load";
import type { TickWriter } from "./market-fixture";
import { type ProcessUsage, UsageSampler } from "./process-usage";
import { LatencyRecorder, type LatencySummary } from "./stats";
import type { SubscriberPool } from "./subscriber-pool";
import type { SystemUnderTest } from "./systems";

/** The case name of the diagnostic points (ours, dashboard, coin names in ASCII). */
export const DIAGNOSTIC_CASE = "dashboard, ASCII names (diagnostic)";

/** The end-to-end p99 (ms) at or under which a rate counts as sustained. */
export const SUSTAINED_P99_MS = 250;

export interface PointTiming {
  warmupMs: number;
  measureMs: number;
  /** After the window, how long late updates are still recorded. */
  drainMs: number;
  /** How long to wait, at most, for the subscribers' traffic to stop before the next point. */
  quietTimeoutMs: number;
}

export interface PointResult {
  system: string;
  case: string;
  rate: number;
  subscribers: number;
  ingest: Omit<IngestLoadResult, "sent">;
  /** Acknowledged ticks scheduled in the window, per second. */
  ingestedPerSecond: number;
  /** The headline: tick created -> subscriber has read it (see the module's comment). */
  endToEnd: LatencySummary | null;
  update: LatencySummary | null;
  /** Share of (tick, sampled subscriber) pairs never made visible before the end of recording. */
  invisibleShare: number;
  deliveredUpdatesPerSecond: number;
  messagesPerSecond: number;
  megabytesPerSecond: number;
  entriesPerMessage: number;
  /** Wire bytes (payload) per delivered coin update. */
  bytesPerUpdate: number;
  /** Fewest and most messages any one subscriber received in the window. */
  perSocketMin: number;
  perSocketMax: number;
  subscriberLoopUtilization: number;
  closedSockets: number;
  usage: ProcessUsage[];
  machineBusyPercent: number;
  /** Share of the window in which some runnable task waited for a CPU (Linux PSI). */
  cpuPressurePercent: number | null;
  /** Whether traffic had stopped before the next point (false: a backlog was still draining). */
  quiet: boolean;
  sustained: boolean;
  /** Why it is not sustained, when it is not. */
  verdict: string;
}

function symbolsOf(path: string, coins: string[]): number[] {
  const query = new URL(path, "http://x").searchParams.get("symbols");
  if (!query) return coins.map((_, i) => i);
  const index = new Map(coins.map((c, i) => [c, i]));
  return query.split(",").flatMap((s) => {
    const i = index.get(s);
    return i === undefined ? [] : [i];
  });
}

/** Runs one point; the system must be running and the pool connected to it. */
export async function runFanoutPoint(input: {
  system: SystemUnderTest;
  pool: SubscriberPool;
  writer: TickWriter;
  rate: number;
  caseName: string;
  timing: PointTiming;
  maxInFlight: number;
  /** How ticks are stamped (default: ingest-load.ts's `STAMP`). */
  stamp?: TickStamp;
}): Promise<PointResult> {
  const { system, pool, writer, rate, timing } = input;
  const startAt = Date.now() + 500;
  const measureStart = startAt + timing.warmupMs;
  const measureEnd = measureStart + timing.measureMs;
  const recordUntil = measureEnd + timing.drainMs;
  await pool.setWindow({ measureStart, measureEnd, recordUntil });

  const sampler = new UsageSampler(system.processes());
  const sampling = new Promise<ReturnType<UsageSampler["stop"]>>((resolve) => {
    setTimeout(() => {
      sampler.start();
      setTimeout(() => resolve(sampler.stop()), measureEnd - Date.now());
    }, measureStart - Date.now());
  });

  const load = await runIngestLoad({
    url: `${system.url}/internal/ingest`,
    token: system.token,
    writer,
    rate,
    startAt,
    warmupMs: timing.warmupMs,
    measureMs: timing.measureMs,
    maxInFlight: input.maxInFlight,
    graceMs: Math.max(1000, recordUntil - Date.now()),
    stamp: input.stamp,
  });
  const usage = await sampling;
  await new Promise((r) => setTimeout(r, Math.max(0, recordUntil - Date.now() + 50)));
  const seen = await pool.collect();

  // Wait for the subscribers' traffic to stop, so the next point starts clean.
  const quietDeadline = Date.now() + timing.quietTimeoutMs;
  let quiet = false;
  while (Date.now() < quietDeadline) {
    const p = await pool.progress();
    if (Date.now() - p.lastReceive > 500) {
      quiet = true;
      break;
    }
    await new Promise((r) => setTimeout(r, 200));
  }

  // Latencies from the sampled subscribers' records.
  const coinCount = writer.coins.length;
  const update = new LatencyRecorder();
  const received = new Map<number, number[]>(); // socketId * coinCount + coin -> [ts, at, ts, at, ...]
  for (const records of seen.records) {
    for (let i = 0; i < records.length; i += 4) {
      const [socketId, coin, ts, at] = [records[i], records[i + 1], records[i + 2], records[i + 3]];
      if (ts >= measureStart && ts < measureEnd) update.add(at - ts);
      const key = socketId * coinCount + coin;
      let list = received.get(key);
      if (!list) {
        list = [];
        received.set(key, list);
      }
      list.push(ts, at);
    }
  }

  // Ground truth: acknowledged ticks per coin, as (timestamp, count) in timestamp order.
  const sentByCoin: Map<number, number>[] = Array.from({ length: coinCount }, () => new Map());
  for (let i = 0; i < load.sent.coins.length; i++) {
    const m = sentByCoin[load.sent.coins[i]];
    const ts = load.sent.timestamps[i];
    m.set(ts, (m.get(ts) ?? 0) + 1);
  }
  const sentSorted = sentByCoin.map((m) => [...m.entries()].sort((a, b) => a[0] - b[0]));
  const endToEnd = new LatencyRecorder();
  let pairs = 0;
  let invisible = 0;
  for (const spec of seen.sampled) {
    for (const coin of symbolsOf(spec.path, writer.coins)) {
      const list = received.get(spec.id * coinCount + coin) ?? [];
      let j = 0;
      for (const [ts, count] of sentSorted[coin]) {
        while (j < list.length && list[j] < ts) j += 2;
        pairs += count;
        if (j < list.length) endToEnd.add(list[j + 1] - ts, count);
        else {
          invisible += count;
          endToEnd.add(recordUntil - ts, count);
        }
      }
    }
  }

  const seconds = timing.measureMs / 1000;
  const entriesPerMessage = seen.sampledMessages > 0 ? seen.sampledEntries / seen.sampledMessages : 0;
  const { sent: _sent, ...ingest } = load;
  const updateSummary = update.summary();
  const endToEndSummary = endToEnd.summary();
  const invisibleShare = pairs > 0 ? invisible / pairs : 0;
  const problems: string[] = [];
  if (!updateSummary || !endToEndSummary) problems.push("no update received");
  else if (endToEndSummary.p99 > SUSTAINED_P99_MS) problems.push(`p99 ${Math.round(endToEndSummary.p99)} ms`);
  if (load.failedBatches > 0 || load.unsentBatches > 0) {
    problems.push(`ingest behind: ${load.failedBatches} failed, ${load.unsentBatches} never sent`);
  }
  if (load.windowAckedTicks < 0.99 * load.windowTicks) problems.push("under 99% of ticks acknowledged");
  if (invisibleShare > 0.01) problems.push(`${(invisibleShare * 100).toFixed(1)}% of ticks never visible`);
  if (seen.closed > 0) problems.push(`${seen.closed} sockets closed`);

  return {
    system: system.name,
    case: input.caseName,
    rate,
    subscribers: pool.size,
    ingest,
    ingestedPerSecond: load.windowAckedTicks / seconds,
    endToEnd: endToEndSummary,
    update: updateSummary,
    invisibleShare,
    deliveredUpdatesPerSecond: (seen.windowMessages * entriesPerMessage) / seconds,
    messagesPerSecond: seen.windowMessages / seconds,
    megabytesPerSecond: seen.windowBytes / 1e6 / seconds,
    entriesPerMessage,
    bytesPerUpdate:
      seen.windowMessages > 0 && entriesPerMessage > 0
        ? seen.windowBytes / (seen.windowMessages * entriesPerMessage)
        : 0,
    perSocketMin: Math.min(...seen.perSocketMessages),
    perSocketMax: Math.max(...seen.perSocketMessages),
    subscriberLoopUtilization: seen.maxEventLoopUtilization,
    closedSockets: seen.closed,
    usage: usage.processes,
    machineBusyPercent: usage.machineBusyPercent,
    cpuPressurePercent: usage.cpuPressurePercent,
    quiet,
    sustained: problems.length === 0,
    verdict: problems.join("; ") || "sustained",
  };
}
