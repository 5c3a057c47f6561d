/** How the benchmarks' reports print figures. */
import type { LatencySummary } from "./stats";

/** Milliseconds, switching to seconds from 10 s; "–" when there is no figure. */
export const ms = (v: number | null | undefined) =>
  v === null || v === undefined ? "–" : v >= 10_000 ? `${(v / 1000).toFixed(1)} s` : `${Math.round(v)}`;

/** "p50 / p99" of a latency summary, in ms. */
export const pair = (s: LatencySummary | null) => (s ? `${ms(s.p50)} / ${ms(s.p99)}` : "–");

/** A rate or count, shortened (k, M); one decimal only below 100 and only when it is not whole. */
export const n = (v: number) =>
  v >= 1e6
    ? `${(v / 1e6).toFixed(2)} M`
    : v >= 1e4
      ? `${(v / 1e3).toFixed(0)} k`
      : v >= 1e3
        ? `${(v / 1e3).toFixed(1)} k`
        : v >= 100 || Number.isInteger(v)
          ? v.toFixed(0)
          : v.toFixed(1);

/** A Markdown table. */
export function markdownTable(headers: string[], rows: string[][]): string {
  return [
    `| ${headers.join(" | ")} |`,
    `|${headers.map(() => "---").join("|")}|`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

/** A plain-text table for the console: columns padded to their widest cell, a rule under the header. */
export function columns(rows: string[][]): string[] {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => (r[c] ?? "").length)));
  const lines = rows.map((r) => r.map((cell, c) => (cell ?? "").padEnd(widths[c])).join("  "));
  lines.splice(1, 0, widths.map((w) => "-".repeat(w)).join("  "));
  return lines;
}
