/** The console summary of `npm run bench`: the main figures only (RESULTS.md has them all). */
import { n, pair } from "./format";
import { type Report, serverCpu } from "./report";

const withUnit = (v: number | undefined) =>
  v === undefined ? "–" : v >= 10_000 ? `${(v / 1000).toFixed(0)} s` : `${Math.round(v)} ms`;

const STORM_LINE = "2,000 sockets within 1 s, per-socket time to snapshot";

/** The console version: the main figures only. */
export function consoleTable(report: Report): string {
  const rows = [
    [
      "case",
      "system",
      "ticks/s",
      "ingested/s",
      "subs",
      "e2e p50/p99",
      "update p50/p99",
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
      n(p.subscribers),
      pair(p.endToEnd),
      pair(p.update),
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
  const storms = report.storms.map(
    (s) =>
      `  ${s.label} (${s.commit.slice(0, 7)}), ${s.condition}: snapshot p50/p99 ${withUnit(s.snapshot?.p50)} / ${withUnit(s.snapshot?.p99)}, all after ${withUnit(s.allSnapshotsMs ?? undefined)}, ${s.missing} missing`,
  );
  const cost = report.shardCost;
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
    `connect storm (${STORM_LINE}):`,
    ...storms,
    "",
    cost
      ? `shard cost: ${cost.cpuMicrosPerDeliveredMessage ?? "–"} µs of CPU per delivered message, ${cost.boardCpuMillisPerSecondAt2k ?? "–"} ms/s ingest + board at 2,000 ticks/s, ${cost.cpuMicrosPerPublish ?? "–"} µs per publish, ${cost.bytesPerMessage ?? "–"} bytes/message`
      : "shard cost: not measured",
    "",
    "goals:",
    ...goals,
  ].join("\n");
}
