/**
 * What Worker isolates report to the `MetricsCollector`: increments of counters and histograms,
 * each keyed by its Prometheus series (`name{label="value",...}`, labels already escaped), so the
 * collector adds numbers without knowing what they mean.
 */

/** Upper bounds of the latency histograms' buckets (ms); a last, unbounded bucket follows (`+Inf`). */
export const LATENCY_BUCKETS_MS = [5, 10, 25, 50, 100, 250, 500, 1000, 2500] as const;

/** One histogram: observations per bucket (not cumulative; one more than the bounds, for `+Inf`), their sum and count. */
export interface HistogramFigures {
  buckets: number[];
  sum: number;
  count: number;
}

/** Counters and histograms by series: as increments (a flush) or as totals (a scrape). */
export interface MetricDelta {
  counters: Record<string, number>;
  histograms: Record<string, HistogramFigures>;
}

/** A delta with nothing in it. */
export function emptyDelta(): MetricDelta {
  return { counters: {}, histograms: {} };
}

/** An empty histogram (every bucket zero). */
export function emptyHistogram(): HistogramFigures {
  return { buckets: new Array<number>(LATENCY_BUCKETS_MS.length + 1).fill(0), sum: 0, count: 0 };
}

/** Adds `from` into `into` (same bucket layout). */
export function addHistogram(into: HistogramFigures, from: HistogramFigures): void {
  for (let i = 0; i < into.buckets.length; i++) into.buckets[i] += from.buckets[i] ?? 0;
  into.sum += from.sum;
  into.count += from.count;
}

/** Whether a reported histogram has the bucket layout of this build (an older isolate's may not). */
export function isHistogram(value: HistogramFigures): boolean {
  return (
    Array.isArray(value.buckets) &&
    value.buckets.length === LATENCY_BUCKETS_MS.length + 1 &&
    value.buckets.every(Number.isFinite) &&
    Number.isFinite(value.sum) &&
    Number.isFinite(value.count)
  );
}
