/**
 * Request rates as a venue sees them, from the arrival times the simulator recorded
 * (`VenueSimulator.requestTimeline`): the benchmark and the rate-limit tests count the same way.
 */

/**
 * The most requests (times `cost`: Binance's weight) that arrived within any window of `windowMs`
 * (a sliding window: every window [t, t + windowMs) starting at an arrival).
 */
export function peakInWindow(times: readonly number[], windowMs: number, cost = 1): number {
  const sorted = [...times].sort((a, b) => a - b);
  let peak = 0;
  let first = 0;
  for (let last = 0; last < sorted.length; last++) {
    while ((sorted[last] as number) - (sorted[first] as number) >= windowMs) first++;
    peak = Math.max(peak, last - first + 1);
  }
  return peak * cost;
}

/** Requests per second from the first arrival to the last (0 with fewer than two). */
export function meanRate(times: readonly number[]): number {
  if (times.length < 2) return 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const t of times) {
    min = Math.min(min, t);
    max = Math.max(max, t);
  }
  const span = (max - min) / 1000;
  return span > 0 ? (times.length - 1) / span : 0;
}
