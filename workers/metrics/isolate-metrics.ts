/**
 * This isolate's share of the gateway's counters: counted in memory on the request path (no I/O),
 * flushed to the `MetricsCollector` object in the background. See `durable-objects/metrics-collector.ts`
 * for why the totals live in an object rather than in isolates.
 */
import { metricsCollector } from "../../durable-objects/addresses";
import {
  emptyDelta,
  emptyHistogram,
  LATENCY_BUCKETS_MS,
  type MetricDelta,
} from "../../durable-objects/metrics/metric-delta";

/** An isolate flushes after this many records (a request makes two: its count and its duration)... */
export const FLUSH_EVERY_RECORDS = 100;
/** ...or when its oldest unflushed record is this old (checked on each record: an idle isolate waits). */
export const FLUSH_EVERY_MS = 5_000;

/** Increments not yet handed to the collector. */
export class MetricBuffer {
  private delta: MetricDelta = emptyDelta();
  private records = 0;
  /** When the oldest unflushed record was made (null: none). Not set at startup: the clock reads 0 there. */
  private since: number | null = null;

  /** Adds `n` to a counter series. */
  count(series: string, n = 1): void {
    this.delta.counters[series] = (this.delta.counters[series] ?? 0) + n;
    this.touch();
  }

  /** Observes a duration (ms) in a histogram series (kept in seconds, as Prometheus expects). */
  observe(series: string, ms: number): void {
    let h = this.delta.histograms[series];
    if (!h) {
      h = emptyHistogram();
      this.delta.histograms[series] = h;
    }
    const i = LATENCY_BUCKETS_MS.findIndex((bound) => ms <= bound);
    h.buckets[i < 0 ? LATENCY_BUCKETS_MS.length : i]++;
    h.sum += ms / 1000;
    h.count++;
    this.touch();
  }

  /** Whether the buffer should be flushed now. */
  due(now = Date.now()): boolean {
    return this.since !== null && (this.records >= FLUSH_EVERY_RECORDS || now - this.since >= FLUSH_EVERY_MS);
  }

  /** Takes everything counted so far, leaving the buffer empty. */
  take(): MetricDelta {
    const delta = this.delta;
    this.delta = emptyDelta();
    this.records = 0;
    this.since = null;
    return delta;
  }

  private touch(): void {
    this.records++;
    this.since ??= Date.now();
  }
}

/** The buffer of this isolate (module state: one per isolate, shared by its requests). */
export const isolateMetrics = new MetricBuffer();

/**
 * Hands this isolate's increments to the collector in the background when they are due; never
 * awaited by the request. A failed flush is logged and its increments dropped (counts are a floor,
 * never doubled by a retry of a flush that did land).
 */
export function flushWhenDue(env: Env, waitUntil: ((promise: Promise<unknown>) => void) | null): void {
  if (waitUntil === null || !isolateMetrics.due()) return;
  const delta = isolateMetrics.take();
  waitUntil(
    metricsCollector(env)
      .add(delta)
      .catch((error) => console.warn(JSON.stringify({ msg: "metrics not flushed", error: String(error) }))),
  );
}

/** For `/metrics`: adds this isolate's unflushed increments to the collector and reads every total. */
export function scrapeTotals(env: Env): Promise<MetricDelta> {
  return metricsCollector(env).scrape(isolateMetrics.take());
}
