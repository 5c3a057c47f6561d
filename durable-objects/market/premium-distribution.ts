/** A premium's distribution over a window: 101 quantiles (0th to 100th percentile), mean and spread. */
export interface PremiumDistribution {
  samples: number;
  /** `quantiles[k]` is the k-th percentile. */
  quantiles: number[];
  mean: number;
  std: number;
  from: number;
  to: number;
}

/** Fewer samples than this (a day of hourly premiums) make no distribution worth comparing against. */
export const MIN_SAMPLES = 24;

/** The distribution of timed values, or null with fewer than {@link MIN_SAMPLES}. */
export function distributionOf(points: readonly [time: number, value: number][]): PremiumDistribution | null {
  if (points.length < MIN_SAMPLES) return null;
  const values = points.map((p) => p[1]).sort((a, b) => a - b);
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / n);
  const quantiles = Array.from({ length: 101 }, (_, k) => {
    const rank = (k / 100) * (n - 1);
    const lo = Math.floor(rank);
    const hi = Math.min(n - 1, lo + 1);
    return values[lo] + (values[hi] - values[lo]) * (rank - lo);
  });
  const times = points.map((p) => p[0]);
  return { samples: n, quantiles, mean, std, from: Math.min(...times), to: Math.max(...times) };
}

/** Where a value sits in a distribution, 0 to 100 (interpolated between its percentiles). */
export function percentileOf(d: PremiumDistribution, value: number): number {
  const q = d.quantiles;
  if (value <= q[0]) return 0;
  if (value >= q[100]) return 100;
  let k = 0;
  while (k < 99 && q[k + 1] <= value) k++;
  const span = q[k + 1] - q[k];
  return span > 0 ? k + (value - q[k]) / span : k;
}

/** How many standard deviations a value lies from the mean; null when the premium never moved. */
export function zScoreOf(d: PremiumDistribution, value: number): number | null {
  return d.std > 0 ? (value - d.mean) / d.std : null;
}
