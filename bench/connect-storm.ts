/**
 * `npm run bench:storm`: the connect storm. 2,000 sockets opened to `/ws/market` within one second
 * (evenly spread, from the benchmark's subscriber threads); per socket, the time from its opening to
 * its snapshot (its first message, complete), and from the storm's start until the last socket has its
 * snapshot. Before and after the fan-out shard tier: the commit before it (BENCH_BEFORE_REF, default
 * `d050714`) and HEAD, each a fresh Worker with the same data (200 coins, the setup batch), once idle
 * and once while ticks are ingested at 2,000/s. Sockets and load go to the Worker's own workerd
 * socket, not through wrangler dev's proxy (which reset every socket past about 3,300 of them here;
 * a deployed Worker has no such proxy). `npm run bench` runs it too (bench/run.ts) and puts
 * the table in RESULTS.md; run alone, it prints the table.
 */
import { pathToFileURL } from "node:url";
import { markdownTable, ms, n, pair } from "./format";
import { runIngestLoad } from "./ingest-load";
import { stopOnInterrupt } from "./interrupts";
import { coinSymbols, setupBatch, TickWriter } from "./market-fixture";
import { UsageSampler, type WatchedProcess } from "./process-usage";
import { LatencyRecorder, type LatencySummary } from "./stats";
import { SubscriberPool } from "./subscriber-pool";
import { ingestIdle, postBatch, reachDirectly, type SourceSnapshot, snapshotSource, startOurs } from "./systems";

export const STORM = {
  sockets: 2000,
  spreadMs: 1000,
  /** How long after the last opening a socket may take to get its snapshot. */
  timeoutMs: 60_000,
  coins: 200,
  ingestRate: 2000,
  /** Ingest runs this long before the storm, and for `ingestMs` in all. */
  ingestLeadMs: 2000,
  ingestMs: 20_000,
};
export const BEFORE_REF = process.env.BENCH_BEFORE_REF ?? "d050714";

/** One storm against one commit. */
export interface StormRow {
  /** "before" or "after" (or "before = after" when both refs are the same commit). */
  label: string;
  commit: string;
  condition: string;
  sockets: number;
  /** From the first opening to the last. */
  openedOverMs: number;
  /** Per socket, opening to `101 Switching Protocols`. */
  upgrade: LatencySummary | null;
  /** Per socket, opening to the snapshot complete. */
  snapshot: LatencySummary | null;
  /** From the first opening until the last socket had its snapshot (null: some never did). */
  allSnapshotsMs: number | null;
  /** Sockets with no snapshot at the timeout, and sockets that failed to open. */
  missing: number;
  failed: number;
  firstError: string | null;
  /** The Worker's workerd and the dev proxy, % of a core, from the first opening to the last snapshot. */
  workerCpuPercent: number;
  proxyCpuPercent: number;
  /** The benchmark's own process (the subscriber threads and the load), % of a core. */
  clientCpuPercent: number;
  /** While ingesting: ticks acknowledged per second over the ingest window, and whether it outlasted the storm. */
  ingestAckedPerSecond: number | null;
  ingestCoveredStorm: boolean | null;
}

type Log = (line: string) => void;

/** 2000 -> "2,000". */
const commas = (v: number) => v.toLocaleString("en-US");

/** One storm on a running Worker; the pool's sockets are closed afterwards. */
async function storm(pool: SubscriberPool, source: SourceSnapshot, processes: () => WatchedProcess[]) {
  const startAt = Date.now() + 300;
  const sampler = new UsageSampler(processes());
  setTimeout(() => sampler.start(), startAt - Date.now());
  const times = await pool.storm(startAt, STORM.spreadMs, STORM.timeoutMs);
  const usage = sampler.stop();
  await pool.close();
  const upgrade = new LatencyRecorder();
  const snapshot = new LatencyRecorder();
  let missing = 0;
  for (let i = 0; i < times.openedAt.length; i++) {
    if (!Number.isNaN(times.upgradedAt[i])) upgrade.add(times.upgradedAt[i] - times.openedAt[i]);
    if (Number.isNaN(times.firstMessageAt[i])) missing++;
    else snapshot.add(times.firstMessageAt[i] - times.openedAt[i]);
  }
  const opened = times.openedAt.filter((t) => !Number.isNaN(t));
  const first = Math.min(...opened);
  const cpu = (prefix: string) => usage.processes.find((u) => u.label.startsWith(prefix))?.cpuPercent ?? 0;
  return {
    commit: source.commit,
    sockets: times.openedAt.length,
    openedOverMs: Math.max(...opened) - first,
    upgrade: upgrade.summary(),
    snapshot: snapshot.summary(),
    allSnapshotsMs: missing > 0 ? null : Math.max(...times.firstMessageAt) - first,
    lastSnapshotAt: Math.max(...times.firstMessageAt.filter((t) => !Number.isNaN(t))),
    missing,
    failed: times.failed,
    firstError: times.firstError,
    workerCpuPercent: cpu("workerd: our Worker"),
    proxyCpuPercent: cpu("workerd: wrangler dev proxy"),
    clientCpuPercent: cpu("bench client"),
  };
}

/** Both storms (idle, then ingesting) against a fresh Worker from `source`. */
async function stormsOf(source: SourceSnapshot, label: string, log: Log, onStop: (stop: () => Promise<void>) => void) {
  const rows: StormRow[] = [];
  const writer = new TickWriter(coinSymbols(STORM.coins));
  const started = await startOurs(source);
  onStop(started.stop);
  // On the Worker's own workerd socket: wrangler dev's proxy resets every socket past a few thousand.
  const system = await reachDirectly(started, log);
  let pool: SubscriberPool | undefined;
  try {
    const setup = await postBatch(system, setupBatch(writer, Date.now() - 1000));
    if (setup.status !== 200) throw new Error(`storm: the setup batch was answered ${setup.status}`);
    await ingestIdle(system, 20_000);
    pool = new SubscriberPool({
      port: system.port,
      mode: system.mode,
      coins: writer.coins,
      paths: Array.from({ length: STORM.sockets }, () => "/ws/market"),
      sampleEvery: STORM.sockets,
      threads: 2,
    });
    const idle = await storm(pool, source, system.processes);
    rows.push({ label, condition: "idle", ...idle, ingestAckedPerSecond: null, ingestCoveredStorm: null });
    log(`storm ${label} idle: ${describeStorm(rows[rows.length - 1])}`);
    await ingestIdle(system, 20_000);

    const ingestStart = Date.now() + 300;
    const ingest = runIngestLoad({
      url: `${system.url}/internal/ingest`,
      token: system.token,
      writer,
      rate: STORM.ingestRate,
      startAt: ingestStart,
      warmupMs: 0,
      measureMs: STORM.ingestMs,
      maxInFlight: 8,
      graceMs: 10_000,
    });
    await new Promise((r) => setTimeout(r, ingestStart + STORM.ingestLeadMs - Date.now()));
    const loaded = await storm(pool, source, system.processes);
    const load = await ingest;
    rows.push({
      label,
      condition: `ingesting ${commas(STORM.ingestRate)} ticks/s`,
      ...loaded,
      ingestAckedPerSecond: load.windowAckedTicks / (STORM.ingestMs / 1000),
      ingestCoveredStorm: loaded.lastSnapshotAt <= ingestStart + STORM.ingestMs,
    });
    log(`storm ${label} ingesting: ${describeStorm(rows[rows.length - 1])}`);
    return rows;
  } finally {
    await pool?.dispose();
    await started.stop();
  }
}

/** A duration with its unit: ms, or s from 10 s. */
const span = (v: number | null | undefined) =>
  v === null || v === undefined ? "–" : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)} ms`;

function describeStorm(r: StormRow): string {
  const p = (s: LatencySummary | null) => (s ? `${span(s.p50)} / ${span(s.p99)}` : "–");
  return (
    `${r.sockets} sockets opened over ${span(r.openedOverMs)}, upgrade p50/p99 ${p(r.upgrade)}, ` +
    `snapshot p50/p99 ${p(r.snapshot)}, all snapshots after ${span(r.allSnapshotsMs)}, ${r.missing} missing, ` +
    `${r.failed} failed${r.firstError ? ` (${r.firstError})` : ""}, Worker CPU ${r.workerCpuPercent.toFixed(0)}%, proxy ${r.proxyCpuPercent.toFixed(0)}%, client ${r.clientCpuPercent.toFixed(0)}%`
  );
}

/**
 * The storms before and after: `after` is HEAD's snapshot when the caller has one (bench/run.ts),
 * else one is made. When both refs are the same commit the storms run once.
 */
export async function runConnectStorms(
  log: Log,
  onStop: (stop: () => Promise<void>) => void,
  after?: SourceSnapshot,
): Promise<StormRow[]> {
  const made: SourceSnapshot[] = [];
  try {
    const head = after ?? snapshotSource("HEAD");
    if (!after) made.push(head);
    const before = snapshotSource(BEFORE_REF);
    made.push(before);
    if (before.commit === head.commit) {
      log(`storm: ${BEFORE_REF} is HEAD (${head.commit.slice(0, 7)}); one Worker for both`);
      return stormsOf(head, "before = after", log, onStop);
    }
    const rows = await stormsOf(before, "before", log, onStop);
    rows.push(...(await stormsOf(head, "after", log, onStop)));
    return rows;
  } finally {
    for (const s of made) s.dispose();
  }
}

const STORM_HEADERS = [
  "code",
  "condition",
  "sockets (opened over ms)",
  "upgrade p50 / p99 ms",
  "snapshot p50 / p99 ms",
  "until the last snapshot ms",
  "missing / failed",
  "Worker CPU %",
  "dev proxy CPU %",
  "bench client CPU %",
  "ticks/s acknowledged",
];

function stormRows(rows: StormRow[]): string[][] {
  return rows.map((r) => [
    `${r.label} (\`${r.commit.slice(0, 7)}\`)`,
    r.condition,
    `${r.sockets} (${Math.round(r.openedOverMs)})`,
    pair(r.upgrade),
    pair(r.snapshot),
    ms(r.allSnapshotsMs),
    `${r.missing} / ${r.failed}`,
    r.workerCpuPercent.toFixed(0),
    r.proxyCpuPercent.toFixed(0),
    r.clientCpuPercent.toFixed(0),
    r.ingestAckedPerSecond === null
      ? "–"
      : `${n(r.ingestAckedPerSecond)}${r.ingestCoveredStorm === false ? " (ingest ended before the last snapshot)" : ""}`,
  ]);
}

/** The storm's section of RESULTS.md. */
export function stormMarkdown(rows: StormRow[]): string {
  if (rows.length === 0) return "";
  return `## Connect storm: ${commas(STORM.sockets)} sockets within ${STORM.spreadMs / 1000} s, before and after the shard tier

Each socket opened to \`/ws/market\` at its time in an even spread over ${STORM.spreadMs / 1000} s; "snapshot" is
per socket, from its opening until its first message (the snapshot of ${STORM.coins} coins) was complete; "until
the last snapshot" is from the first opening until every socket had one. A fresh Worker per commit,
with the setup batch, reached on the Worker's own workerd socket (not the dev proxy); the second storm runs while ticks are ingested at ${commas(STORM.ingestRate)}/s (from ${STORM.ingestLeadMs / 1000} s
before the storm, for ${STORM.ingestMs / 1000} s in all). CPU is over the storm, from the first opening to the last snapshot.

${markdownTable(STORM_HEADERS, stormRows(rows))}
`;
}

async function main(): Promise<void> {
  const log: Log = (line) => console.log(`[storm ${new Date().toISOString().slice(11, 19)}] ${line}`);
  const cleanups = stopOnInterrupt(log);
  const rows = await runConnectStorms(log, (stop) => cleanups.add(stop));
  console.log(`\n${stormMarkdown(rows)}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (error: unknown) => {
      console.error(error);
      process.exit(1);
    },
  );
}
