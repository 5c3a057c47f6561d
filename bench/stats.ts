/** Percentiles over latency samples (ms), optionally weighted (a sample standing for several ticks). */

/** A summary of a latency distribution; `count` is the total weight. */
export interface LatencySummary {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

/** Collects samples in growable typed arrays, so millions of them stay cheap. */
export class LatencyRecorder {
  private values = new Float64Array(1024);
  private weights = new Float64Array(1024);
  private length = 0;

  /** Adds one sample standing for `weight` events. */
  add(value: number, weight = 1): void {
    if (this.length === this.values.length) {
      const values = new Float64Array(this.length * 2);
      values.set(this.values);
      this.values = values;
      const weights = new Float64Array(this.length * 2);
      weights.set(this.weights);
      this.weights = weights;
    }
    this.values[this.length] = value;
    this.weights[this.length] = weight;
    this.length++;
  }

  /** Weighted nearest-rank percentiles; `null` when there is no sample. */
  summary(): LatencySummary | null {
    if (this.length === 0) return null;
    const order = new Uint32Array(this.length);
    for (let i = 0; i < this.length; i++) order[i] = i;
    const values = this.values;
    order.sort((a, b) => values[a] - values[b]);
    let total = 0;
    for (let i = 0; i < this.length; i++) total += this.weights[i];
    const at = (q: number): number => {
      const rank = q * total;
      let seen = 0;
      for (let i = 0; i < order.length; i++) {
        seen += this.weights[order[i]];
        if (seen >= rank) return values[order[i]];
      }
      return values[order[order.length - 1]];
    };
    return { count: total, p50: at(0.5), p95: at(0.95), p99: at(0.99), max: values[order[order.length - 1]] };
  }
}
