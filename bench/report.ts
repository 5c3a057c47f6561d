/** Turns the benchmark's results into the console table and bench/RESULTS.md. */

import type { PointResult } from "./fanout-point";
import { DIAGNOSTIC_CASE, SUSTAINED_P99_MS } from "./fanout-point";
import { ms, n, pair, table } from "./format";
import { machineTable } from "./machine";
import type { ProcessUsage } from "./process-usage";
import type { RestLoadResult } from "./rest-load";
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

const withUnit = (v: number | undefined) =>
  v === undefined ? "–" : v >= 10_000 ? `${(v / 1000).toFixed(0)} s` : `${Math.round(v)} ms`;

function pointRows(points: PointResult[], cpus: number): string[][] {
  return points.map((p) => [
    p.system,
    n(p.rate),
    n(p.ingestedPerSecond),
    pair(p.ingest.ack),
    pair(p.update),
    pair(p.tickVisible),
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
  "update latency p50 / p99 ms",
  "tick-visible p50 / p99 ms",
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
  const base = rows.find((r) => r.system === "baseline");
  return rows.map((r) => [
    r.system,
    r.rate === null ? `none (failed even at ${n(r.lowestTried)})` : n(r.rate),
    r.failedAt === null ? "–" : n(r.failedAt),
    r.system === "ours" && ours?.rate && base?.rate ? `${(ours.rate / base.rate).toFixed(1)}x` : "",
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

/** The console version: the main figures only. */
export function consoleTable(report: Report): string {
  const rows = [
    [
      "case",
      "system",
      "ticks/s",
      "ingested/s",
      "update p50/p99",
      "visible p50/p99",
      "updates/s",
      "MB/s",
      "srv CPU%",
      "ok",
    ],
    ...report.points.map((p) => [
      p.case,
      p.system,
      n(p.rate),
      n(p.ingestedPerSecond),
      pair(p.update),
      pair(p.tickVisible),
      n(p.deliveredUpdatesPerSecond),
      p.megabytesPerSecond.toFixed(1),
      serverCpu(p).toFixed(0),
      p.sustained ? "yes" : "no",
    ]),
  ];
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  const lines = rows.map((r) => r.map((cell, c) => cell.padEnd(widths[c])).join("  "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  const sustained = report.sustained.map(
    (s) => `  ${s.system}: ${s.rate === null ? `none (failed at ${n(s.lowestTried)})` : `${n(s.rate)} ticks/s`}`,
  );
  const rest = report.rest.map(
    (r) =>
      `  ${r.condition}: p50 ${withUnit(r.result.latency?.p50)}, p95 ${withUnit(r.result.latency?.p95)}, p99 ${withUnit(r.result.latency?.p99)}, ${r.result.ok}/${r.result.scheduled} ok`,
  );
  const ingest = report.ingest.map(
    (r) =>
      `  ${r.system} at ${n(r.rate)}/s: ${n(r.ingestedPerSecond)}/s acknowledged, ack p50 ${withUnit(r.ack?.p50)}, p99 ${withUnit(r.ack?.p99)}`,
  );
  const goals = report.goals.map(
    (g) => `  [${g.met === null ? "?" : g.met ? "met" : "NOT met"}] ${g.goal}: ${g.measured}`,
  );
  return [
    "ingest alone (no subscribers):",
    ...ingest,
    "",
    ...lines,
    "",
    "highest sustained ingest rate:",
    ...sustained,
    "",
    "/api/coins/latest at 500 req/s (open loop):",
    ...rest,
    "",
    "goals:",
    ...goals,
  ].join("\n");
}

/** The whole of bench/RESULTS.md. */
export function resultsMarkdown(report: Report): string {
  const m = report.machine;
  const dashboard = report.points.filter((p) => p.case === "dashboard");
  const diagnostic = report.points.filter((p) => p.case === DIAGNOSTIC_CASE);
  const watchlist = report.points.filter((p) => p.case !== "dashboard" && p.case !== DIAGNOSTIC_CASE);
  return `# Benchmark results: market-data fan-out

Generated by \`npm run bench\` (bench/run.ts) on ${m.date}. Figures, not tests: they depend on the
machine and on whatever else ran on it at the time (see the "other work CPU" and "CPU wait" columns).

## Machine

${machineTable(m).join("\n")}

${report.settings.map((s) => `- ${s}`).join("\n")}

## Goals

${table(
  ["goal", "measured", "met"],
  report.goals.map((g) => [g.goal, g.measured, g.met === null ? "not measured" : g.met ? "**met**" : "**not met**"]),
)}

## Highest sustained ingest rate (1,000 subscribers, all coins)

A rate is sustained when the update latency p99 is at most ${SUSTAINED_P99_MS} ms, every batch is
acknowledged (none failed or left unsent), and at least 99% of (tick, sampled subscriber) pairs became
visible before the end of recording. Found by a bounded search over rates (doubling or quartering,
then geometric bisection), starting from the fixed points below.

${table(["system", "highest sustained ticks/s", "lowest failing ticks/s above it", "ours / baseline"], sustainedRows(report.sustained))}

## Ingest alone (no subscribers connected)

What each system acknowledges when nothing is subscribed: the ceiling of its ingest path.

${table(INGEST_HEADERS, ingestRows(report.ingest, m.cpus))}

One batch at a time (sequential, no subscribers), by how many ticks and coins it carries:

${table(
  ["system", "ticks in batch", "coins touched", "ack median ms", "ack min ms"],
  report.batchCost.map((r) => [r.system, String(r.ticks), String(r.coins), r.medianMs.toFixed(0), r.minMs.toFixed(0)]),
)}

## Fan-out: 1,000 subscribers to all coins (the dashboard), 200 coins

${table(POINT_HEADERS, pointRows(dashboard, m.cpus))}

${
  watchlist.length > 0
    ? `## Fan-out: 1,000 subscribers with a watchlist of 5 coins each

${table(POINT_HEADERS, pointRows(watchlist, m.cpus))}
`
    : ""
}
${
  diagnostic.length > 0
    ? `## Diagnostic: ours, the same dashboard with ASCII coin names

Not a goal figure. The board's coins carry Korean names, so every rendered update is a UTF-16 string
that workerd encodes to UTF-8 again on each \`ws.send\`; here the names are replaced by ASCII ones
(same load, same subscribers) to show what that encoding costs.

${table(POINT_HEADERS, pointRows(diagnostic, m.cpus))}
`
    : ""
}
## \`GET /api/coins/latest\`, ours, open loop at 500 requests/s

${table(REST_HEADERS, restRows(report.rest))}

## Resources per point (during the measurement window)

${table(["point", "process", "CPU % of one core", "max RSS MB"], resourceRows(report.points))}

## Measurement caveats noted by the run

${report.observations.map((o) => `- ${o}`).join("\n") || "- nothing beyond the tables"}

## Method

- **Systems.** *Ours*: the real Worker (gateway, MarketBoard, MarketSymbol) under \`wrangler dev\`
  (local workerd, local SQLite-backed Durable Objects) started by test/support/worker-process.ts.
  \`wrangler dev\` watches every file it bundled (node_modules included) and restarts the Worker,
  closing every socket, when one changes. Others edit and test in this checkout, so the run uses
  a copy of the committed tree (\`git archive\`), bundled once with \`wrangler deploy --dry-run\` and
  served with \`no_bundle\`. \`wrangler dev\` puts a proxy workerd in front of the Worker's; both are in
  the path and both count as server CPU.
  *Baseline*: bench/baseline-server.ts, a Node \`ws\` server in its own process that validates the same
  ingest batch with the same zod schema and forwards every ticker event, as it comes, to every
  subscriber (no conflation, no backpressure).
- **Load.** Ticks spread uniformly over 200 coins and the four venues, posted to \`/internal/ingest\`
  like the collectors flush: a batch every 100 ms, or every 500 ticks when faster (so 20k ticks/s is
  40 batches/s of 500). Batches are scheduled on a fixed clock, at most 8 outstanding; a tick's
  \`timestamp\` is its batch's *scheduled* send time, so time spent waiting to be sent counts
  (no coordinated omission). Before a run, each coin gets names, a price on every venue, USD/KRW and
  USDT/KRW (not ticked again, so only the load's ticks move the timestamps).
- **Subscribers.** 1,000 WebSockets on \`/ws/market\` in worker threads of the benchmark process, speaking
  raw RFC 6455 (bench/frame-reader.ts): every socket counts messages and bytes; every 50th socket
  (20 sockets, spread over connection order) also reads each message for the coins it carries and
  their newest \`"timestamp"\` (bench/update-scanner.ts, no JSON.parse). Like the dashboard, each
  socket sends a text \`ping\` every 20 s (the server closes silent sockets after 90 s); the
  runtime's \`pong\` replies are not counted. After connecting, the run waits until every socket has
  its snapshot and traffic has stopped. Dashboard case: every
  subscriber receives all coins. Watchlist case: each subscribes to 5 coins (\`?symbols=\`, honoured by both).
- **Update latency** (the brief's definition): for each coin update a sampled subscriber received,
  receive time minus the newest tick timestamp it reflects. Ours: one coin entry of an \`update\`
  message (its newest venue/premium \`timestamp\`); baseline: one tick message. Counted for updates
  reflecting ticks scheduled inside the window.
- **Tick-visible latency**: for each acknowledged tick in the window and each sampled subscriber of its
  coin, the time until that subscriber first received a state of the coin at least as new. Includes
  the wait for the next conflated flush; a tick never made visible counts as (end of recording − its
  timestamp), so an overloaded system cannot look fast by dropping work.
- **Delivered updates/s**: coin updates received by all 1,000 subscribers during the window, per
  second = messages received (counted on every socket) × mean coin entries per message (read on the
  sampled sockets). Baseline: one message is one tick, so it is simply messages/s. Ours: one message
  carries every subscribed coin that changed since the socket's last message.
- **Windows.** Per point: ${report.settings.find((s) => s.startsWith("timing"))?.replace("timing: ", "") ?? ""}.
  Points run in sequence on one running system; after a point the run waits for the subscribers'
  traffic and the ingest path to go quiet, and restarts the system if they do not.
- **REST.** \`GET /api/coins/latest\` with 300 coins on the board, requests due every 2 ms for 10 s
  (5,000 requests), asking for gzip, each condition twice: on the public port, through the proxy workerd
  that \`wrangler dev\` puts in front of the Worker (as \`npm start\` serves it), and directly on the
  Worker's own workerd socket (found by the benchmark; a deployed Worker has no dev proxy; the goal is
  judged there); latency from each request's due time to its last byte on the
  wire, up to 64 connections; one response in 50 is also decoded and parsed as JSON to check it (a
  bad one counts as failed; decoding all would put ~180 MB/s of gunzip on the client's share of this
  2-core machine); once with no other load, once while ticks are ingested at 2,000/s (no subscribers
  connected).
- **CPU** is read from /proc for each process during the window (% of one core; this machine has
  ${m.cpus}). "other work CPU" is what the rest of the machine used meanwhile (other sessions' builds and
  tests); "CPU wait" is Linux PSI: the share of the window in which some runnable task waited for a CPU.

${report.analysis}
`;
}
