/** A rate's points over time ([open_time, rate], oldest first), with a coarser series to fall back on. */
export type RatePoints = [time: number, rate: number][];

/**
 * The rate at a time: the latest point at or before it at this resolution, else the coarser series'
 * (a minute before the system kept minute rates is priced at that day's reference rate).
 */
export class RateSeries {
  constructor(
    private readonly points: RatePoints,
    private readonly fallback: RateSeries | null = null,
  ) {}

  at(time: number): number | null {
    let lo = 0;
    let hi = this.points.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.points[mid][0] <= time) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found >= 0 ? this.points[found][1] : (this.fallback?.at(time) ?? null);
  }
}

/** A rate at one resolution with its daily series as the fallback, as objects pass them to each other. */
export interface RateHistory {
  points: RatePoints;
  daily: RatePoints;
}

export function rateSeries(history: RateHistory | undefined): RateSeries | null {
  return history ? new RateSeries(history.points, new RateSeries(history.daily)) : null;
}
