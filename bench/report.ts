/** Turns the benchmark's results into bench/RESULTS.md (the console summary: report-console.ts). */

import { type StormRow, stormMarkdown } from "./connect-storm";
import { MANY_CASE } from "./fanout-plan";
import type { PointResult } from "./fanout-point";
import { DIAGNOSTIC_CASE, SUSTAINED_P99_MS } from "./fanout-point";
import { markdownTable, ms, n, pair } from "./format";
import { machineTable } from "./machine";
import type { ProcessUsage } from "./process-usage";
import { methodMarkdown } from "./report-method";
import type { RestLoadResult } from "./rest-load";
import { type ShardCost, shardCostMarkdown } from "./shard-cost";
import type { LatencySummary } from "./stats";

/** Where and with what the run happened. */
export interface MachineInfo {
  date: string;
  cpus: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  kernel: string;
  loadAverageAtStart: string;
  commit: string;
  wrangler: string;
}

/** The ingest path alone (no subscribers) at one rate. */
export interface IngestRow {
  system: string;
  rate: number;
  ingestedPerSecond: number;
  ack: LatencySummary | null;
  failed: number;
  unsent: number;
  usage: ProcessUsage[];
  machineBusyPercent: number;
  cpuPressurePercent: number | null;
}

/** Time to acknowledge one batch of a given shape, posted one at a time. */
export interface BatchCostRow {
  system: string;
  ticks: number;
  coins: number;
  medianMs: number;
  minMs: number;
}

export interface RestRow {
  condition: string;
  coins: number;
  result: RestLoadResult;
}

export interface SustainedRow {
  system: string;
  /** Highest rate that passed; null when even the lowest rate tried failed. */
  rate: number | null;
  /** Lowest rate that failed above it, when one was tried. */
  failedAt: number | null;
  lowestTried: number;
}

export interface Goal {
  goal: string;
  measured: string;
  met: boolean | null;
}

export interface Report {
  machine: MachineInfo;
  settings: string[];
  ingest: IngestRow[];
  batchCost: BatchCostRow[];
  points: PointResult[];
  sustained: SustainedRow[];
  rest: RestRow[];
  goals: Goal[];
  /** The connect storms, before and after the shard tier (bench/connect-storm.ts). */
  storms: StormRow[];
  /** The shard's CPU per delivered message (bench/shard-cost.ts), read by bench/cost-model.ts. */
  shardCost: ShardCost | null;
  /** Notes written by the run itself (e.g. what saturated at the points that failed). */
  observations: string[];
  /** bench/analysis.md, included verbatim. */
  analysis: string;
}

/** CPU of the serving processes (everything but the benchmark client), in % of one core. */
export function serverCpu(p: { usage: ProcessUsage[] }): number {
  return p.usage.filter((u) => !u.label.startsWith("bench client")).reduce((a, u) => a + u.cpuPercent, 0);
}

function clientCpu(p: { usage: ProcessUsage[] }): number {
  return p.usage.find((u) => u.label.startsWith("bench client"))?.cpuPercent ?? 0;
}

/** CPU used by everything else on the machine (other people's work), in % of one core. */
function otherCpu(p: { usage: ProcessUsage[]; machineBusyPercent: number }, cpus: number): number {
  return Math.max(0, p.machineBusyPercent * cpus - serverCpu(p) - clientCpu(p));
}

function pointRows(points: PointResult[], cpus: number): string[][] {
  return points.map((p) => [
    p.system,
    n(p.rate),
    n(p.ingestedPerSecond),
    pair(p.ingest.ack),
    pair(p.endToEnd),
    pair(p.update),
    n(p.deliveredUpdatesPerSecond),
    n(p.messagesPerSecond),
    p.megabytesPerSecond.toFixed(1),
    p.bytesPerUpdate > 0 ? p.bytesPerUpdate.toFixed(0) : "–",
    serverCpu(p).toFixed(0),
    `${clientCpu(p).toFixed(0)} (${p.subscriberLoopUtilization.toFixed(2)})`,
    otherCpu(p, cpus).toFixed(0),
    p.cpuPressurePercent?.toFixed(0) ?? "–",
    p.sustained ? "yes" : `no: ${p.verdict}`,
  ]);
}

const POINT_HEADERS = [
  "system",
  "target ticks/s",
  "ingested ticks/s",
  "batch ack p50 / p99 ms",
  "**end-to-end** p50 / p99 ms",
  "update latency p50 / p99 ms",
  "delivered updates/s",
  "messages/s",
  "MB/s",
  "bytes per update",
  "server CPU %",
  "client CPU % (ELU)",
  "other work CPU %",
  "CPU wait %",
  `sustained (p99 ≤ ${SUSTAINED_P99_MS} ms)`,
];

function ingestRows(rows: IngestRow[], cpus: number): string[][] {
  return rows.map((r) => [
    r.system,
    n(r.rate),
    n(r.ingestedPerSecond),
    pair(r.ack),
    `${r.failed} / ${r.unsent}`,
    serverCpu(r).toFixed(0),
    otherCpu(r, cpus).toFixed(0),
    r.cpuPressurePercent?.toFixed(0) ?? "–",
  ]);
}

const INGEST_HEADERS = [
  "system",
  "target ticks/s",
  "acknowledged ticks/s",
  "batch ack p50 / p99 ms",
  "batches failed / never sent",
  "server CPU %",
  "other work CPU %",
  "CPU wait %",
];

function restBody(r: RestRow["result"]): string {
  const wire = `${(r.bytesPerResponse / 1024).toFixed(0)} KiB`;
  // Results written before the client asked for gzip have no decoded size.
  if (r.decodedBytesPerResponse === undefined) return wire;
  const gz = r.gzippedResponses === r.ok ? "gzip" : `${r.gzippedResponses} of ${r.ok} gzip`;
  return `${wire} ${gz} / ${(r.decodedBytesPerResponse / 1024).toFixed(0)} KiB`;
}

function restRows(rest: RestRow[]): string[][] {
  return rest.map((r) => [
    r.condition,
    String(r.coins),
    `${r.result.ok} / ${r.result.scheduled}`,
    r.result.achievedPerSecond.toFixed(0),
    ms(r.result.latency?.p50),
    ms(r.result.latency?.p95),
    ms(r.result.latency?.p99),
    ms(r.result.latency?.max),
    restBody(r.result),
    r.result.firstError ?? "",
  ]);
}

const REST_HEADERS = [
  "condition",
  "coins",
  "ok / scheduled",
  "answered/s",
  "p50 ms",
  "p95 ms",
  "p99 ms",
  "max ms",
  "body (wire / decoded)",
  "errors",
];

function sustainedRows(rows: SustainedRow[]): string[][] {
  const ours = rows.find((r) => r.system === "ours");
  const over = (other: string, digits: number) => {
    const o = rows.find((r) => r.system === other);
    return ours?.rate && o?.rate ? `${(ours.rate / o.rate).toFixed(digits)}x` : "";
  };
  return rows.map((r) => [
    r.system,
    r.rate === null ? `none (failed even at ${n(r.lowestTried)})` : n(r.rate),
    r.failedAt === null ? "–" : n(r.failedAt),
    r.system === "ours" ? over("baseline", 1) : "",
    r.system === "ours" ? over("peer", 2) : "",
  ]);
}

function resourceRows(points: PointResult[]): string[][] {
  return points.flatMap((p) =>
    p.usage.map((u) => [
      `${p.system} ${p.case} ${n(p.rate)}/s`,
      u.label,
      u.cpuPercent.toFixed(0),
      u.maxRssMb.toFixed(0),
    ]),
  );
}

/** The headline: end-to-end latency at the goals' points, every system. */
function headlineRows(points: PointResult[]): string[][] {
  const wanted = (p: PointResult) =>
    (p.case === "dashboard" && (p.rate === 2000 || p.rate === 5000)) || p.case === MANY_CASE;
  return points
    .filter(wanted)
    .sort((a, b) => a.subscribers - b.subscribers || a.rate - b.rate || a.system.localeCompare(b.system))
    .map((p) => [
      n(p.subscribers),
      n(p.rate),
      p.system,
      ms(p.endToEnd?.p50),
      ms(p.endToEnd?.p95),
      ms(p.endToEnd?.p99),
      p.sustained ? "yes" : `no: ${p.verdict}`,
    ]);
}

/** The whole of bench/RESULTS.md. */
export function resultsMarkdown(report: Report): string {
  const m = report.machine;
  const dashboard = report.points.filter((p) => p.case === "dashboard");
  const many = report.points.filter((p) => p.case === MANY_CASE);
  const diagnostic = report.points.filter((p) => p.case === DIAGNOSTIC_CASE);
  const watchlist = report.points.filter((p) => p.case.startsWith("watchlist"));
  return `# Benchmark results: market-data fan-out

Generated by \`npm run bench\` (bench/run.ts) on ${m.date}. Figures, not tests: they depend on the
machine and on whatever else ran on it at the time (see the "other work CPU" and "CPU wait" columns).

## Machine

${machineTable(m).join("\n")}

${report.settings.map((s) => `- ${s}`).join("\n")}

## Goals

${markdownTable(
  ["goal", "measured", "met"],
  report.goals.map((g) => [g.goal, g.measured, g.met === null ? "not measured" : g.met ? "**met**" : "**not met**"]),
)}

## End-to-end latency: tick created → subscriber has read it

The figure that counts: for each tick and each sampled subscriber of its coin, from the moment the tick
was created (\`Date.now()\` just before its batch was written and posted) until that subscriber had read
a message carrying it (or a newer state of its coin). All subscribers on every coin, 200 coins.

${markdownTable(["subscribers", "ticks/s", "system", "p50 ms", "p95 ms", "p99 ms", `kept up (p99 ≤ ${SUSTAINED_P99_MS} ms, all acknowledged)`], headlineRows(report.points))}

## Highest sustained ingest rate (1,000 subscribers, all coins)

A rate is sustained when the end-to-end p99 is at most ${SUSTAINED_P99_MS} ms, every batch is
acknowledged (none failed or left unsent), and at least 99% of (tick, sampled subscriber) pairs became
visible before the end of recording. Found by a bounded search over rates (doubling or quartering,
then geometric bisection), starting from the fixed points below.

${markdownTable(["system", "highest sustained ticks/s", "lowest failing ticks/s above it", "ours / baseline", "ours / peer"], sustainedRows(report.sustained))}

## Ingest alone (no subscribers connected)

What each system acknowledges when nothing is subscribed: the ceiling of its ingest path.

${markdownTable(INGEST_HEADERS, ingestRows(report.ingest, m.cpus))}

One batch at a time (sequential, no subscribers), by how many ticks and coins it carries:

${markdownTable(
  ["system", "ticks in batch", "coins touched", "ack median ms", "ack min ms"],
  report.batchCost.map((r) => [r.system, String(r.ticks), String(r.coins), r.medianMs.toFixed(0), r.minMs.toFixed(0)]),
)}

## Fan-out: 1,000 subscribers to all coins (the dashboard), 200 coins

${markdownTable(POINT_HEADERS, pointRows(dashboard, m.cpus))}

${
  many.length > 0
    ? `## Fan-out: 5,000 subscribers to all coins, 200 coins

${markdownTable(POINT_HEADERS, pointRows(many, m.cpus))}
`
    : ""
}
${
  watchlist.length > 0
    ? `## Fan-out: 1,000 subscribers with a watchlist of 5 coins each

${markdownTable(POINT_HEADERS, pointRows(watchlist, m.cpus))}
`
    : ""
}
${
  diagnostic.length > 0
    ? `## Diagnostic: ours, the same dashboard with ASCII coin names

Not a goal figure. The board's coins carry Korean names, so every rendered update is a UTF-16 string
that workerd encodes to UTF-8 again on each \`ws.send\`; here the names are replaced by ASCII ones
(same load, same subscribers) to show what that encoding costs.

${markdownTable(POINT_HEADERS, pointRows(diagnostic, m.cpus))}
`
    : ""
}
${stormMarkdown(report.storms ?? [])}
${shardCostMarkdown(report.shardCost ?? null)}
## \`GET /api/coins/latest\`, ours, open loop at 500 requests/s

${markdownTable(REST_HEADERS, restRows(report.rest))}

## Resources per point (during the measurement window)

${markdownTable(["point", "process", "CPU % of one core", "max RSS MB"], resourceRows(report.points))}

## Measurement caveats noted by the run

${report.observations.map((o) => `- ${o}`).join("\n") || "- nothing beyond the tables"}

${methodMarkdown(report)}

${report.analysis}
`;
}
