import type { CandleResolution } from "../../protocol/venues";
import type { ListedMarket } from "../core/market-directory";
import type { TimeRange } from "../core/time-ranges";
import { Waiters } from "../core/waiters";

/** A gap of one market and resolution still to fetch, page by page from its newest end. */
export interface BackfillJob {
  readonly market: ListedMarket;
  /** `venue:BASE-QUOTE`. */
  readonly key: string;
  readonly interval: CandleResolution;
  from: number;
  to: number;
  /** No page of it has been fetched yet. */
  firstPage: boolean;
  /** The market a coin's chart shows by default (see `MarketDirectory.charted`). */
  readonly charted: boolean;
  /** Taken by a fetcher: not merged with, not taken again until put back. */
  taken: boolean;
}

interface HeapEntry {
  job: BackfillJob;
  version: number;
  tier: number;
  to: number;
  seq: number;
}

/**
 * The order of a backfill: the 1-day candles of the markets the charts show and the newest page of
 * 1-day candles of every other market first (a year of daily candles on every chart within the first
 * minute, though a venue's page may hold only days' worth of hours, as Bithumb's), then the rest of
 * the days, then hours, then minutes; within each, newest first across markets. Newly closed
 * intervals are newest, so in steady state they go first within their resolution.
 */
function tierOf(job: BackfillJob): number {
  if (job.interval === "1d") return job.firstPage || job.charted ? 0 : 1;
  return job.interval === "1h" ? 2 : 3;
}

function before(a: HeapEntry, b: HeapEntry): boolean {
  if (a.tier !== b.tier) return a.tier < b.tier;
  if (a.to !== b.to) return a.to > b.to;
  return a.seq < b.seq;
}

/**
 * The gaps waiting to be fetched, in backfill order. A new gap that continues a waiting job of the
 * same market and resolution is merged into it (after an outage, one job covers the whole gap and is
 * fetched in full pages rather than a minute at a time).
 */
export class BackfillQueue {
  private heap: HeapEntry[] = [];
  private readonly versions = new Map<BackfillJob, number>();
  private readonly waiting = new Map<string, Set<BackfillJob>>();
  private seq = 0;
  private readonly waiters = new Waiters();

  /** Jobs waiting (not taken). */
  get size(): number {
    return this.versions.size;
  }

  /** Queues a gap (or extends a waiting job it continues). */
  add(market: ListedMarket, key: string, interval: CandleResolution, gap: TimeRange, charted = false): void {
    const group = `${key}|${interval}`;
    for (const job of this.waiting.get(group) ?? []) {
      if (job.to === gap[0]) {
        job.to = gap[1];
        this.push(job);
        return;
      }
      if (job.from === gap[1]) {
        job.from = gap[0];
        return;
      }
    }
    const job: BackfillJob = {
      market,
      key,
      interval,
      from: gap[0],
      to: gap[1],
      firstPage: true,
      charted,
      taken: false,
    };
    this.wait(job);
  }

  /** Puts a taken job back (its `from`/`to` updated by the caller), to be taken again in order. */
  putBack(job: BackfillJob): void {
    job.taken = false;
    this.wait(job);
  }

  /** Makes a job wait in its market's and resolution's group and in the heap. */
  private wait(job: BackfillJob): void {
    const group = `${job.key}|${job.interval}`;
    let set = this.waiting.get(group);
    if (!set) {
      set = new Set();
      this.waiting.set(group, set);
    }
    set.add(job);
    this.push(job);
  }

  /** The first job in backfill order, taken; waits for one; undefined when `signal` aborts. */
  async take(signal: AbortSignal): Promise<BackfillJob | undefined> {
    while (!signal.aborted) {
      const job = this.pop();
      if (job) return job;
      await this.waiters.wait(signal);
    }
    return undefined;
  }

  private push(job: BackfillJob): void {
    const version = (this.versions.get(job) ?? 0) + 1;
    this.versions.set(job, version);
    this.heap.push({ job, version, tier: tierOf(job), to: job.to, seq: this.seq++ });
    this.siftUp(this.heap.length - 1);
    this.waiters.wakeOne();
  }

  private pop(): BackfillJob | undefined {
    while (this.heap.length > 0) {
      const top = this.heap[0] as HeapEntry;
      const last = this.heap.pop() as HeapEntry;
      if (this.heap.length > 0) {
        this.heap[0] = last;
        this.siftDown(0);
      }
      if (this.versions.get(top.job) !== top.version) continue; // superseded by a later push
      this.versions.delete(top.job);
      this.waiting.get(`${top.job.key}|${top.job.interval}`)?.delete(top.job);
      top.job.taken = true;
      return top.job;
    }
    return undefined;
  }

  private siftUp(i: number): void {
    const h = this.heap;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(h[i] as HeapEntry, h[parent] as HeapEntry)) break;
      [h[i], h[parent]] = [h[parent] as HeapEntry, h[i] as HeapEntry];
      i = parent;
    }
  }

  private siftDown(i: number): void {
    const h = this.heap;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < h.length && before(h[l] as HeapEntry, h[best] as HeapEntry)) best = l;
      if (r < h.length && before(h[r] as HeapEntry, h[best] as HeapEntry)) best = r;
      if (best === i) return;
      [h[i], h[best]] = [h[best] as HeapEntry, h[i] as HeapEntry];
      i = best;
    }
  }
}
