import { CANDLE_RESOLUTIONS, type CandleResolution } from "../../protocol/venues";
import type { BackfillProgress } from "../core/history-metrics";
import {
  coveredLength,
  gapsIn,
  rangesSince,
  type TimeRange,
  unionOf,
  withoutRange,
  withRange,
} from "../core/time-ranges";

interface Entry {
  /** What the Worker has acknowledged (or said it holds). */
  acknowledged: TimeRange[];
  /** What is queued, being fetched, or fetched and waiting for the Worker's acknowledgement. */
  pending: TimeRange[];
}

/**
 * Per market and resolution, which candle ranges are covered (acknowledged by the Worker) and which
 * are on their way (pending), so a range is never asked for twice: a gap is what is wanted minus both.
 * A range becomes covered only once the batch that carried its candles was acknowledged.
 */
export class CoverageBook {
  private readonly entries = new Map<string, Entry>();

  private entry(market: string, interval: CandleResolution): Entry {
    const key = `${market}|${interval}`;
    let e = this.entries.get(key);
    if (!e) {
      e = { acknowledged: [], pending: [] };
      this.entries.set(key, e);
    }
    return e;
  }

  /** Adds what the Worker says it holds (a union: what was acknowledged here stays). */
  learn(market: string, interval: CandleResolution, ranges: readonly TimeRange[]): void {
    const e = this.entry(market, interval);
    e.acknowledged = unionOf([...e.acknowledged, ...ranges]);
  }

  /** Marks a range as on its way. */
  pend(market: string, interval: CandleResolution, range: TimeRange): void {
    const e = this.entry(market, interval);
    e.pending = withRange(e.pending, range);
  }

  /** A pending range was acknowledged by the Worker: it is covered. */
  acknowledge(market: string, interval: CandleResolution, range: TimeRange): void {
    const e = this.entry(market, interval);
    e.pending = withoutRange(e.pending, range);
    e.acknowledged = withRange(e.acknowledged, range);
  }

  /** A pending range will not arrive (refused, or given up): it is a gap again. */
  release(market: string, interval: CandleResolution, range: TimeRange): void {
    const e = this.entry(market, interval);
    e.pending = withoutRange(e.pending, range);
  }

  /** The parts of `wanted` neither covered nor on their way, oldest first; forgets what is older than `wanted`. */
  gaps(market: string, interval: CandleResolution, wanted: TimeRange): TimeRange[] {
    const e = this.entry(market, interval);
    e.acknowledged = rangesSince(e.acknowledged, wanted[0]);
    return gapsIn(wanted, unionOf([...e.acknowledged, ...e.pending]));
  }

  /** How much of `wanted` is covered, from 0 to 1 (1 for an empty window). */
  coveredShare(market: string, interval: CandleResolution, wanted: TimeRange): number {
    const length = wanted[1] - wanted[0];
    if (length <= 0) return 1;
    return coveredLength(this.entry(market, interval).acknowledged, wanted) / length;
  }

  /**
   * Per resolution: how many of `markets` have `due(interval)` covered in full, and the mean covered
   * share (for `/metrics`).
   */
  progress(markets: readonly string[], due: (interval: CandleResolution) => TimeRange) {
    const out = {} as Record<CandleResolution, BackfillProgress>;
    for (const interval of CANDLE_RESOLUTIONS) {
      const shares = markets.map((m) => this.coveredShare(m, interval, due(interval)));
      const share = shares.reduce((n, s) => n + s, 0);
      out[interval] = {
        markets: markets.length,
        complete: shares.filter((s) => s >= 1).length,
        coveredShare: markets.length === 0 ? 0 : share / markets.length,
      };
    }
    return out;
  }

  /** The acknowledged ranges of one market and resolution (tests, logs). */
  covered(market: string, interval: CandleResolution): TimeRange[] {
    return [...this.entry(market, interval).acknowledged];
  }
}
