/**
 * The metrics the gateway's isolates count (and the `MetricsCollector` totals): what each is, and
 * the one function per metric that records it, so labels stay consistent and bounded.
 */
import type { IngestEvent } from "../../protocol/ingest";
import { isolateMetrics } from "./isolate-metrics";
import { type MetricInfo, series } from "./prometheus";

export const COLLECTED_METRICS: Record<string, MetricInfo> = {
  kimchi_http_requests_total: {
    type: "counter",
    help: "Requests answered by the gateway, by method, route pattern (`unmatched` when no route matched) and status.",
  },
  kimchi_http_request_duration_seconds: {
    type: "histogram",
    help: "Time from a request's arrival to its response (headers ready), by method and route pattern.",
  },
  kimchi_ingest_received_events_total: {
    type: "counter",
    help: "Events in ingest batches that passed validation, by kind (before de-duplication; candles included).",
  },
  kimchi_metrics_series_dropped_total: {
    type: "counter",
    help: "Increments of new series the collector dropped because it holds its maximum of series.",
  },
};

const METHODS = new Set(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"]);

/** Counts one answered request and observes its duration. */
export function recordRequest(method: string, route: string, status: number, ms: number): void {
  // Any token is a valid method; only the ones the API uses become labels.
  const m = METHODS.has(method) ? method : "OTHER";
  isolateMetrics.count(
    series("kimchi_http_requests_total", {
      method: m,
      route,
      status,
      status_class: `${Math.floor(status / 100)}xx`,
    }),
  );
  isolateMetrics.observe(series("kimchi_http_request_duration_seconds", { method: m, route }), ms);
}

/** Counts the events of a validated ingest batch by kind. */
export function recordIngestEvents(events: readonly IngestEvent[]): void {
  const byKind = new Map<string, number>();
  for (const e of events) byKind.set(e.kind, (byKind.get(e.kind) ?? 0) + 1);
  for (const [kind, n] of byKind) isolateMetrics.count(series("kimchi_ingest_received_events_total", { kind }), n);
}
