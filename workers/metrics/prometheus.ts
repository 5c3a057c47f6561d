/**
 * The Prometheus text exposition format, as much of it as `/metrics` needs: series names with escaped
 * labels, and counters and histograms rendered from the `MetricsCollector`'s totals.
 * https://prometheus.io/docs/instrumenting/exposition_formats/#text-based-format
 */
import {
  type HistogramFigures,
  LATENCY_BUCKETS_MS,
  type MetricDelta,
} from "../../durable-objects/metrics/metric-delta";

/** What a metric is, for its `# HELP` and `# TYPE` lines. */
export interface MetricInfo {
  type: "counter" | "gauge" | "histogram";
  help: string;
}

/** A label value as the format wants it: backslash, double quote and newline escaped. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** A series: `name{a="x",b="y"}` (just `name` without labels). */
export function series(name: string, labels: Record<string, string | number> = {}): string {
  const parts = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(String(v))}"`);
  return parts.length > 0 ? `${name}{${parts.join(",")}}` : name;
}

/** The `# HELP` and `# TYPE` lines of a metric. */
export function header(name: string, info: MetricInfo): string[] {
  return [`# HELP ${name} ${info.help}`, `# TYPE ${name} ${info.type}`];
}

/**
 * The collected totals as exposition lines, grouped by metric (each group under its `# HELP` and
 * `# TYPE` from `infos`; a metric missing there is rendered untyped). Histograms are in seconds, with
 * cumulative `_bucket{le=...}` lines, `_sum` and `_count`.
 */
export function renderTotals(totals: MetricDelta, infos: Record<string, MetricInfo>): string[] {
  const groups = new Map<string, string[]>();
  const group = (name: string) => {
    let lines = groups.get(name);
    if (!lines) {
      lines = [];
      groups.set(name, lines);
    }
    return lines;
  };
  for (const key of Object.keys(totals.counters).sort()) {
    group(nameOf(key)).push(`${key} ${totals.counters[key]}`);
  }
  for (const key of Object.keys(totals.histograms).sort()) {
    group(nameOf(key)).push(...histogramLines(key, totals.histograms[key] as HistogramFigures));
  }
  const out: string[] = [];
  for (const name of [...groups.keys()].sort()) {
    const info = infos[name];
    if (info) out.push(...header(name, info));
    out.push(...(groups.get(name) ?? []));
  }
  return out;
}

function histogramLines(key: string, h: HistogramFigures): string[] {
  const name = nameOf(key);
  const labels = key.slice(name.length + 1, -1); // inside the braces ("" without labels)
  const withLe = (le: string) => `${name}_bucket{${labels ? `${labels},` : ""}le="${le}"}`;
  const lines: string[] = [];
  let cumulative = 0;
  LATENCY_BUCKETS_MS.forEach((bound, i) => {
    cumulative += h.buckets[i] ?? 0;
    lines.push(`${withLe(String(bound / 1000))} ${cumulative}`);
  });
  lines.push(`${withLe("+Inf")} ${h.count}`);
  const suffix = labels ? `{${labels}}` : "";
  lines.push(`${name}_sum${suffix} ${round(h.sum)}`, `${name}_count${suffix} ${h.count}`);
  return lines;
}

function nameOf(key: string): string {
  const brace = key.indexOf("{");
  return brace < 0 ? key : key.slice(0, brace);
}

/** Sums of float seconds, without the float noise (`0.30000000000000004`). */
function round(value: number): number {
  return Math.round(value * 1e6) / 1e6;
}
