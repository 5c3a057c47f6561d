import type { Source } from "../../protocol/common";
import type { IngestEvent } from "../../protocol/ingest";
import { MAX_EVENTS_PER_BATCH, MAX_INGEST_BYTES } from "../../protocol/ingest";
import { sleep } from "../core/abortable-sleep";
import { Backoff, type BackoffOptions } from "../core/backoff";
import type { Logger } from "../core/log";
import { Waiters } from "../core/waiters";
import { type EncodedBatch, encodeBatch, type IngestTarget, postBatch } from "./ingest-post";

/** Options of {@link HistoryLane}. */
export interface HistoryLaneOptions extends IngestTarget {
  /** Stamped on every batch: `live`, `replay` or `simulated`. */
  source: Source;
  log: Logger;
  /** Events per batch at most. Default 2000. */
  maxBatchEvents?: number;
  /** Body bytes per batch at most. Default 1.5 MB (the Worker takes 2 MB). */
  maxBatchBytes?: number;
  /** Events waiting or in flight at most; `admit` waits for room beyond this. Default 20 000. */
  maxQueuedEvents?: number;
  /** Retry backoff. Default 250 ms doubling up to 10 s, with jitter. */
  backoff?: BackoffOptions;
}

/** The Worker refused a batch (400/413): the events it carried will not be applied. */
export class HistoryRejectedError extends Error {
  constructor(
    readonly status: number,
    readonly detail: string,
  ) {
    super(`the Worker rejected a history batch (HTTP ${status}): ${detail.slice(0, 200)}`);
    this.name = "HistoryRejectedError";
  }
}

/** The lane stopped before the events were acknowledged. */
export class HistoryLaneStoppedError extends Error {
  constructor() {
    super("the history lane stopped");
    this.name = "HistoryLaneStoppedError";
  }
}

/** What the history lane reports for `/metrics`. */
export interface HistoryLaneStats {
  batchesOk: number;
  batchesDuplicate: number;
  batchesRejected: number;
  failedAttempts: number;
  /** Events the Worker acknowledged. */
  eventsAcknowledged: number;
  /** Events admitted and not yet acknowledged (waiting or in flight). */
  queuedEvents: number;
  workerReachable: boolean;
  lastSuccessAt: number;
}

interface Delivery {
  settled: boolean;
  resolve(): void;
  reject(error: Error): void;
}

/** A slice of one delivery's events, serialised once; the last slice settles the delivery. */
interface Part {
  delivery: Delivery;
  fragment: string;
  events: number;
  last: boolean;
  /** Sent before every part of a larger number (see `admit`). */
  priority: number;
}

interface InFlight {
  batch: EncodedBatch;
  parts: Part[];
  attempts: number;
}

/**
 * The lane for history (closed candles, their coverage, forex history): a queue of its own beside the
 * live pusher, so a year of candles never delays a ticker or a liquidation, and never grows without
 * bound. `admit` waits until there is room (backpressure on the fetchers), and hands back a promise
 * that settles when the Worker acknowledged the batch that carried the events (or refused it); that
 * is when a collector may consider a fetched range covered. One batch is in flight at a time, with
 * the same id and body on every retry, so a batch the Worker applied but whose answer was lost is
 * acknowledged as a duplicate, never applied twice.
 */
export class HistoryLane {
  private readonly log: Logger;
  private readonly maxBatchEvents: number;
  private readonly maxBatchBytes: number;
  private readonly maxQueuedEvents: number;
  private readonly backoff: Backoff;
  private readonly controller = new AbortController();
  private parts: Part[] = [];
  private queuedEvents = 0;
  /** Events waiting or in flight per priority. */
  private readonly queuedByPriority = new Map<number, number>();
  private inflight: InFlight | undefined;
  private wake: (() => void) | undefined;
  private readonly room = new Waiters();
  private readonly recoveredListeners = new Set<() => void>();
  private loop: Promise<void> | undefined;
  private failing = false;
  private readonly counters = {
    batchesOk: 0,
    batchesDuplicate: 0,
    batchesRejected: 0,
    failedAttempts: 0,
    eventsAcknowledged: 0,
    lastSuccessAt: 0,
    workerReachable: false,
  };

  constructor(private readonly options: HistoryLaneOptions) {
    this.log = options.log.child("history");
    this.maxBatchEvents = Math.min(options.maxBatchEvents ?? 2000, MAX_EVENTS_PER_BATCH);
    this.maxBatchBytes = Math.min(options.maxBatchBytes ?? 1.5 * 1024 * 1024, MAX_INGEST_BYTES - 4096);
    this.maxQueuedEvents = options.maxQueuedEvents ?? 20_000;
    this.backoff = new Backoff({ initialMs: 250, maxMs: 10_000, ...options.backoff });
  }

  /** The Worker the lane posts to (for the coverage query). */
  get target(): IngestTarget {
    return this.options;
  }

  /** Starts the send loop. */
  start(): void {
    this.loop ??= this.run();
  }

  /** Stops: what is not acknowledged yet is refused with {@link HistoryLaneStoppedError}. */
  async stop(): Promise<void> {
    this.controller.abort();
    this.wake?.();
    this.room.wakeAll();
    await this.loop;
    const stopped = new HistoryLaneStoppedError();
    for (const part of [...(this.inflight?.parts ?? []), ...this.parts]) this.settle(part.delivery, stopped);
    this.inflight = undefined;
    this.parts = [];
    this.queuedEvents = 0;
    this.queuedByPriority.clear();
  }

  /**
   * Queues events (in order) once there is room for them, and returns `acknowledged`: resolved when
   * the Worker acknowledged every batch carrying them, rejected with {@link HistoryRejectedError} when
   * it refused one, or {@link HistoryLaneStoppedError}. Throws {@link HistoryLaneStoppedError} when the lane or `signal` stops first.
   * `priority` orders what waits: events of a smaller number go before every waiting event of a larger
   * one, and only those of the same or a smaller number take their room, so a backfill of minutes
   * (priority 2) never holds up hours (1), nor hours daily candles and forex days (0: few, and what
   * every chart starts with). Events of one priority keep their order.
   */
  async admit(
    events: readonly IngestEvent[],
    signal?: AbortSignal,
    priority = 0,
  ): Promise<{ acknowledged: Promise<void> }> {
    const held = () => {
      let n = 0;
      for (const [p, queued] of this.queuedByPriority) if (p <= priority) n += queued;
      return n;
    };
    while (held() > 0 && held() + events.length > this.maxQueuedEvents) {
      if (this.controller.signal.aborted || signal?.aborted) throw new HistoryLaneStoppedError();
      await this.room.wait(signal);
    }
    if (signal?.aborted) throw new HistoryLaneStoppedError();
    if (this.controller.signal.aborted) throw new HistoryLaneStoppedError();
    let delivery!: Delivery;
    const acknowledged = new Promise<void>((resolve, reject) => {
      delivery = { settled: false, resolve, reject };
    });
    acknowledged.catch(() => undefined); // settled for whoever listens; never an unhandled rejection
    if (events.length === 0) {
      delivery.resolve();
      return { acknowledged };
    }
    const parts: Part[] = [];
    for (let i = 0; i < events.length; i += this.maxBatchEvents) {
      const slice = events.slice(i, i + this.maxBatchEvents);
      parts.push({
        delivery,
        fragment: JSON.stringify(slice).slice(1, -1),
        events: slice.length,
        last: i + this.maxBatchEvents >= events.length,
        priority,
      });
    }
    const firstLater = this.parts.findIndex((p) => p.priority > priority);
    this.parts.splice(firstLater < 0 ? this.parts.length : firstLater, 0, ...parts);
    this.queuedByPriority.set(priority, (this.queuedByPriority.get(priority) ?? 0) + events.length);
    this.queuedEvents += events.length;
    this.wake?.();
    return { acknowledged };
  }

  /** Calls `listener` each time the Worker acknowledges again after failed attempts (an outage ended). */
  onRecovered(listener: () => void): () => void {
    this.recoveredListeners.add(listener);
    return () => this.recoveredListeners.delete(listener);
  }

  /** Figures for `/metrics` and tests. */
  stats(): HistoryLaneStats {
    return { ...this.counters, queuedEvents: this.queuedEvents };
  }

  /** Resolves when nothing waits and nothing is in flight. */
  async idle(): Promise<void> {
    while (this.queuedEvents > 0 && !this.controller.signal.aborted) await sleep(20);
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    while (!signal.aborted) {
      if (!this.inflight) {
        if (this.parts.length === 0) {
          await new Promise<void>((resolve) => {
            this.wake = () => {
              this.wake = undefined;
              resolve();
            };
          });
          continue;
        }
        this.inflight = this.nextBatch();
      }
      const delay = await this.send(this.inflight);
      if (delay > 0) await sleep(delay, signal);
    }
  }

  /** Takes whole parts, oldest first, up to the batch's event and byte bounds (at least one part). */
  private nextBatch(): InFlight {
    const parts: Part[] = [];
    let events = 0;
    let bytes = 0;
    for (const part of this.parts) {
      const size = Buffer.byteLength(part.fragment) + 1;
      if (parts.length > 0 && (events + part.events > this.maxBatchEvents || bytes + size > this.maxBatchBytes)) break;
      parts.push(part);
      events += part.events;
      bytes += size;
    }
    this.parts.splice(0, parts.length);
    const batch = encodeBatch(
      this.options.source,
      parts.map((p) => p.fragment),
    );
    return { batch, parts, attempts: 0 };
  }

  private async send(flight: InFlight): Promise<number> {
    flight.attempts++;
    const outcome = await postBatch(this.options, flight.batch, this.controller.signal);
    if (this.controller.signal.aborted) return 0;
    if (outcome.kind === "acknowledged") {
      this.counters.workerReachable = true;
      this.counters.lastSuccessAt = Date.now();
      if (outcome.duplicate) this.counters.batchesDuplicate++;
      else this.counters.batchesOk++;
      this.counters.eventsAcknowledged += flight.parts.reduce((n, p) => n + p.events, 0);
      this.backoff.reset();
      this.inflight = undefined;
      for (const part of flight.parts) if (part.last) this.settle(part.delivery);
      this.release(flight.parts);
      if (this.failing) {
        this.failing = false;
        this.log.info("the Worker acknowledges history batches again");
        for (const listener of this.recoveredListeners) listener();
      }
      return 0;
    }
    if (outcome.kind === "rejected") {
      this.counters.workerReachable = true;
      this.counters.batchesRejected++;
      this.log.error("the Worker rejected a history batch; its events are dropped", {
        batch_id: flight.batch.batchId,
        status: outcome.status,
        detail: outcome.detail.slice(0, 300),
      });
      const error = new HistoryRejectedError(outcome.status, outcome.detail);
      const refused = new Set(flight.parts.map((p) => p.delivery));
      const leftovers = this.parts.filter((p) => refused.has(p.delivery));
      this.parts = this.parts.filter((p) => !refused.has(p.delivery));
      for (const delivery of refused) this.settle(delivery, error);
      this.inflight = undefined;
      this.release([...flight.parts, ...leftovers]);
      return 0;
    }
    if (outcome.kind === "conflict") {
      // Nothing of this batch was applied: the same events go again under a new id.
      this.counters.batchesRejected++;
      flight.batch = encodeBatch(
        this.options.source,
        flight.parts.map((p) => p.fragment),
      );
      return 0;
    }
    this.counters.failedAttempts++;
    if (outcome.unreachable) this.counters.workerReachable = false;
    this.failing = true;
    const delay = Math.max(this.backoff.next(), outcome.retryAfterMs ?? 0);
    if (flight.attempts === 1 || flight.attempts % 10 === 0) {
      this.log[outcome.refused ? "error" : "warn"](`${outcome.reason}; retrying the history batch`, {
        batch_id: flight.batch.batchId,
        attempt: flight.attempts,
        in_ms: delay,
        queued: this.queuedEvents,
      });
    }
    return delay;
  }

  private settle(delivery: Delivery, error?: Error): void {
    if (delivery.settled) return;
    delivery.settled = true;
    if (error) delivery.reject(error);
    else delivery.resolve();
  }

  private release(parts: readonly Part[]): void {
    for (const part of parts) {
      this.queuedEvents = Math.max(0, this.queuedEvents - part.events);
      const queued = (this.queuedByPriority.get(part.priority) ?? 0) - part.events;
      this.queuedByPriority.set(part.priority, Math.max(0, queued));
    }
    this.room.wakeAll();
  }
}
