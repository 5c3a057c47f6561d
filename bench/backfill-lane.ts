/**
 * The collectors' history lane, unchanged, noting what the Worker acknowledged and when: each page's
 * coverage statement and its candles. A page counts once the batch carrying it was acknowledged, as it
 * does for the candle collector.
 */
import { HistoryLane } from "../collectors/pusher/history-lane";
import type { IngestEvent } from "../protocol/ingest";
import { type CandleResolution, INTERVAL_MS, marketKey } from "../protocol/venues";

/** One page the Worker acknowledged. */
export interface AckedPage {
  venue: string;
  interval: CandleResolution;
  /** Only newly closed intervals (the live upkeep, not the backfill). */
  live: boolean;
  at: number;
}

export class RecordingLane extends HistoryLane {
  /** Pages acknowledged, in order. */
  readonly pages: AckedPage[] = [];
  /** Candles acknowledged, per venue. */
  readonly candles = new Map<string, number>();
  /** Per market (`venue:BASE-QUOTE`), when its first page of 1-day candles was acknowledged. */
  readonly firstDaily = new Map<string, number>();
  /** Candles acknowledged per second since `since` (index = whole seconds). */
  readonly perSecond: number[] = [];
  /** Intervals that closed at or after this time are the live upkeep's. */
  since = Date.now();

  override async admit(
    events: readonly IngestEvent[],
    signal?: AbortSignal,
    priority?: number,
  ): Promise<{ acknowledged: Promise<void> }> {
    const admitted = await super.admit(events, signal, priority);
    admitted.acknowledged.then(
      () => this.record(events, Date.now()),
      () => undefined,
    );
    return admitted;
  }

  private record(events: readonly IngestEvent[], at: number): void {
    let candles = 0;
    for (const e of events) {
      if (e.kind === "candle") {
        this.candles.set(e.venue, (this.candles.get(e.venue) ?? 0) + 1);
        candles++;
      } else if (e.kind === "candle_coverage") {
        const live = e.from >= Math.floor(this.since / INTERVAL_MS[e.interval]) * INTERVAL_MS[e.interval];
        this.pages.push({ venue: e.venue, interval: e.interval, live, at });
        const key = marketKey(e.venue, e.base, e.quote);
        if (e.interval === "1d" && !this.firstDaily.has(key)) this.firstDaily.set(key, at);
      }
    }
    const second = Math.max(0, Math.floor((at - this.since) / 1000));
    while (this.perSecond.length <= second) this.perSecond.push(0);
    this.perSecond[second] += candles;
  }
}
