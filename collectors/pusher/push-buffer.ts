import type { IngestEvent, TickerEvent } from "../../protocol/ingest";
import { DiskSpool, recoverSpoolFiles, writeShutdownSpool } from "./disk-spool";

/** Options of {@link PushBuffer}. */
export interface PushBufferOptions {
  /** Ordered events (liquidations, FX, names, index) kept in memory before spilling to disk. Default 10 000. */
  memoryLimit?: number;
  /** Distinct markets kept at most; a ticker of a new market beyond this is dropped and counted. Default 20 000. */
  maxMarkets?: number;
  /** Where the spool file goes. */
  spoolDirectory: string;
}

function marketKey(t: TickerEvent): string {
  return `${t.venue}:${t.base}-${t.quote}`;
}

/**
 * What waits to be pushed, with bounded memory however long the Worker is away:
 * - tickers are conflated: one per market, the latest wins (older or repeated ones are not sent at all);
 * - every other event (liquidations, FX, coin names, Fear & Greed) is kept, in order: in memory up to
 *   `memoryLimit`, then in a disk spool; once anything is spooled, newer events queue behind it on disk,
 *   so they still leave in arrival order.
 */
export class PushBuffer {
  private readonly tickers = new Map<string, TickerEvent>();
  private readonly lastTaken = new Map<string, number>();
  private ordered: IngestEvent[] = [];
  private orderedHead = 0;
  private spool: DiskSpool | undefined;
  private readonly memoryLimit: number;
  private readonly maxMarkets: number;
  /** Tickers replaced by a newer one, or not newer than the last one sent. */
  conflated = 0;
  /** Tickers dropped because `maxMarkets` was reached. */
  droppedMarkets = 0;

  private readonly startedAt = Date.now();
  /** Events recovered from an earlier run's spool files. */
  readonly recovered: number;

  constructor(private readonly options: PushBufferOptions) {
    this.memoryLimit = options.memoryLimit ?? 10_000;
    this.maxMarkets = options.maxMarkets ?? 20_000;
    // What an earlier run could not deliver goes first.
    const leftovers = recoverSpoolFiles(options.spoolDirectory);
    for (const e of leftovers) this.add(e);
    this.recovered = leftovers.length;
  }

  /** Adds one event. */
  add(event: IngestEvent): void {
    if (event.kind === "ticker") {
      const key = marketKey(event);
      const taken = this.lastTaken.get(key);
      if (taken !== undefined && event.timestamp <= taken) {
        this.conflated++;
        return;
      }
      const current = this.tickers.get(key);
      if (current) {
        this.conflated++;
        if (current.timestamp > event.timestamp) return;
      } else if (this.tickers.size >= this.maxMarkets) {
        this.droppedMarkets++;
        return;
      }
      this.tickers.set(key, event);
      return;
    }
    const inMemory = this.ordered.length - this.orderedHead;
    if ((this.spool?.events ?? 0) === 0 && inMemory < this.memoryLimit) {
      this.ordered.push(event);
      return;
    }
    this.spool ??= new DiskSpool(this.options.spoolDirectory, this.startedAt);
    this.spool.append(event);
  }

  /** Tickers waiting (at most one per market). */
  get bufferedTickers(): number {
    return this.tickers.size;
  }

  /** Ordered events waiting in memory. */
  get bufferedOrdered(): number {
    return this.ordered.length - this.orderedHead;
  }

  get spooledEvents(): number {
    return this.spool?.events ?? 0;
  }

  get spooledBytes(): number {
    return this.spool?.bytes ?? 0;
  }

  /** Everything waiting. */
  get size(): number {
    return this.bufferedTickers + this.bufferedOrdered + this.spooledEvents;
  }

  /**
   * Takes up to `max` events for one batch: ordered events first (memory, then spool, oldest first),
   * then tickers. They leave the buffer now; the caller retries the batch until it is acknowledged.
   */
  take(max: number): IngestEvent[] {
    const out: IngestEvent[] = [];
    const fromMemory = Math.min(max, this.ordered.length - this.orderedHead);
    for (let i = 0; i < fromMemory; i++) out.push(this.ordered[this.orderedHead + i] as IngestEvent);
    this.orderedHead += fromMemory;
    if (this.orderedHead > 4096 && this.orderedHead * 2 > this.ordered.length) {
      this.ordered = this.ordered.slice(this.orderedHead);
      this.orderedHead = 0;
    }
    if (out.length < max && this.spool && this.spool.events > 0 && this.bufferedOrdered === 0) {
      out.push(...this.spool.read(max - out.length));
    }
    if (out.length < max) {
      for (const [key, t] of this.tickers) {
        if (out.length >= max) break;
        out.push(t);
        this.tickers.delete(key);
        this.lastTaken.set(key, t.timestamp);
      }
    }
    return out;
  }

  /**
   * Stops: ordered events not yet acknowledged (`unacknowledged`, the batch in flight, then those in
   * memory) are written to a spool file read back first by the next run, behind which the main spool
   * file stays if it still holds events. Tickers are dropped (the next run has fresher ones).
   */
  close(unacknowledged: readonly IngestEvent[] = []): void {
    const memory = this.ordered.slice(this.orderedHead);
    const keep = [...unacknowledged.filter((e) => e.kind !== "ticker"), ...memory];
    writeShutdownSpool(this.options.spoolDirectory, this.startedAt, keep);
    this.ordered = [];
    this.orderedHead = 0;
    this.spool?.close();
    this.spool = undefined;
  }
}
