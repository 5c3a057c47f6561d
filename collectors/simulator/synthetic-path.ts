import { gaussian, mixSeed, seededRandom } from "./random";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** A small least-recently-used memo. */
class Memo<V> {
  private readonly map = new Map<number, V>();
  constructor(private readonly size: number) {}
  get(key: number, make: () => V): V {
    const hit = this.map.get(key);
    if (hit !== undefined) {
      this.map.delete(key);
      this.map.set(key, hit);
      return hit;
    }
    const value = make();
    this.map.set(key, value);
    if (this.map.size > this.size) this.map.delete(this.map.keys().next().value as number);
    return value;
  }
}

/**
 * Values at the knots of a Brownian bridge from `a` to `b`: random steps of `sigma` x sqrt(weight)
 * (weights are the steps' lengths in grid units; the last may be partial), shifted so the path ends
 * exactly at `b`. The same seed gives the same path.
 */
export function bridge(a: number, b: number, weights: readonly number[], sigma: number, seed: number): Float64Array {
  const random = seededRandom(seed);
  const sums = new Float64Array(weights.length + 1);
  const cumulative = new Float64Array(weights.length + 1);
  for (let i = 0; i < weights.length; i++) {
    const w = weights[i] as number;
    sums[i + 1] = (sums[i] as number) + gaussian(random) * sigma * Math.sqrt(w);
    cumulative[i + 1] = (cumulative[i] as number) + w;
  }
  const total = cumulative[weights.length] as number;
  const drift = (sums[weights.length] as number) - (b - a);
  const out = new Float64Array(weights.length + 1);
  for (let i = 0; i <= weights.length; i++) {
    out[i] = a + (sums[i] as number) - (total > 0 ? ((cumulative[i] as number) / total) * drift : 0);
  }
  out[weights.length] = b;
  return out;
}

/** The step weights of a grid of `step` from `from` to `to` (the last step partial when `to` is off the grid). */
function gridWeights(from: number, to: number, step: number): number[] {
  const weights: number[] = [];
  for (let t = from; t < to; t += step) weights.push((Math.min(t + step, to) - t) / step);
  return weights;
}

/**
 * A coin's synthetic USD price before the simulator started, as the log price at any minute boundary:
 * a random walk of daily knots going back from the price at the start (`anchorAt`, a minute
 * boundary), hourly knots bridged between the days, minute knots bridged between the hours. Pure and
 * deterministic: the same coin and start give the same history, whichever part is asked for first.
 */
export class SyntheticPricePath {
  private readonly anchorLog: number;
  private readonly firstMidnight: number;
  private readonly dayKnots: number[] = [];
  private readonly hours = new Memo<Float64Array>(64);
  private readonly minutes = new Memo<Float64Array>(512);

  constructor(
    private readonly seed: number,
    /** The start (a minute boundary): the path ends here at `anchorPrice`. */
    readonly anchorAt: number,
    anchorPrice: number,
    /** Daily volatility of the log price. */
    readonly dailySigma: number,
  ) {
    this.anchorLog = Math.log(anchorPrice);
    this.firstMidnight = Math.floor(anchorAt / DAY_MS) * DAY_MS;
  }

  /** The price at a minute boundary `t` at or before the anchor. */
  priceAt(t: number): number {
    return Math.exp(this.logAt(t));
  }

  private logAt(t: number): number {
    if (t >= this.anchorAt) return this.anchorLog;
    const k = Math.floor((t - this.firstMidnight) / DAY_MS);
    const dayStart = this.firstMidnight + k * DAY_MS;
    if (t === dayStart) return this.dayKnot(k);
    const hours = this.hourKnots(k);
    const j = Math.floor((t - dayStart) / HOUR_MS);
    const hourStart = dayStart + j * HOUR_MS;
    if (t === hourStart) return hours[j] as number;
    const hourEnd = Math.min(hourStart + HOUR_MS, this.dayEnd(k));
    const minutes = this.minutes.get(hourStart / HOUR_MS, () =>
      bridge(
        hours[j] as number,
        hours[j + 1] as number,
        gridWeights(hourStart, hourEnd, MINUTE_MS),
        this.dailySigma / Math.sqrt(1440),
        mixSeed(this.seed, 2, hourStart / HOUR_MS),
      ),
    );
    return minutes[Math.round((t - hourStart) / MINUTE_MS)] as number;
  }

  /** The end of day `k`: the next midnight, or the anchor for the day it falls in. */
  private dayEnd(k: number): number {
    return k === 0 ? this.anchorAt : this.firstMidnight + (k + 1) * DAY_MS;
  }

  /** The log price at midnight `k` days from the anchor's day (k <= 0). */
  private dayKnot(k: number): number {
    if (this.dayKnots.length === 0) {
      const fraction = (this.anchorAt - this.firstMidnight) / DAY_MS;
      const step = gaussian(seededRandom(mixSeed(this.seed, 0, 0))) * this.dailySigma * Math.sqrt(fraction);
      this.dayKnots.push(this.anchorLog - step);
    }
    while (this.dayKnots.length <= -k) {
      const i = this.dayKnots.length;
      const step = gaussian(seededRandom(mixSeed(this.seed, 0, i))) * this.dailySigma;
      this.dayKnots.push((this.dayKnots[i - 1] as number) - step);
    }
    return this.dayKnots[-k] as number;
  }

  /** The hourly knots of day `k`, from its midnight to its end (the anchor on the last day). */
  private hourKnots(k: number): Float64Array {
    return this.hours.get(k, () => {
      const start = this.firstMidnight + k * DAY_MS;
      const end = this.dayEnd(k);
      return bridge(
        this.dayKnot(k),
        k === 0 ? this.anchorLog : this.dayKnot(k + 1),
        gridWeights(start, end, HOUR_MS),
        this.dailySigma / Math.sqrt(24),
        mixSeed(this.seed, 1, k + 1_000_000),
      );
    });
  }
}
