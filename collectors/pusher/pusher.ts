import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Source } from "../../protocol/common";
import type { IngestEvent } from "../../protocol/ingest";
import { sleep } from "../core/abortable-sleep";
import { Backoff, type BackoffOptions } from "../core/backoff";
import type { Logger } from "../core/log";
import { LatencyHistogram, type PusherStats } from "../core/metrics";
import { encodeBatch, postBatch } from "./ingest-post";
import { PushBuffer } from "./push-buffer";

/** Options of {@link Pusher}. */
export interface PusherOptions {
  /** The Worker's base URL (`http://127.0.0.1:8787`). */
  workerUrl: string;
  /** `COLLECTOR_TOKEN`. */
  token: string;
  /** Stamped on every batch: `live`, `replay` or `simulated`. */
  source: Source;
  log: Logger;
  /** Send at least this often while events wait (ms). Default 100. */
  flushIntervalMs?: number;
  /** Send at once when this many events wait; also the largest batch. Default 500. */
  maxBatchEvents?: number;
  /** Ordered events kept in memory before spooling to disk. Default 10 000. */
  memoryLimit?: number;
  /** Spool directory. Default `<tmp>/kimchi-collectors-spool`. */
  spoolDirectory?: string;
  /** Retry backoff. Default 250 ms doubling up to 10 s, with jitter. */
  backoff?: BackoffOptions;
  /** Per-request timeout (ms). Default 10 000. */
  requestTimeoutMs?: number;
}

interface InFlight {
  batchId: string;
  body: string;
  events: number;
  attempts: number;
  /** The events themselves, kept to spool the ordered ones if the process stops before the ack. */
  payload: IngestEvent[];
}

/**
 * Pushes events to `POST /internal/ingest` in batches (every `flushIntervalMs` or `maxBatchEvents`),
 * one batch in flight at a time so order is kept. Each batch has a `batch_id` (uuid) and an identical
 * body on every retry, so a batch the Worker applied but whose answer was lost is acknowledged as a
 * duplicate instead of applied twice. Failures (network, 5xx, 429 with Retry-After, 401) are retried
 * with exponential backoff and jitter, forever; while waiting, the {@link PushBuffer} keeps memory
 * bounded (latest ticker per market, ordered events spilling to disk). Only a 400 (a batch the Worker
 * will never accept) is dropped, loudly.
 */
export class Pusher {
  private readonly buffer: PushBuffer;
  private readonly log: Logger;
  private readonly flushIntervalMs: number;
  private readonly maxBatch: number;
  private readonly backoff: Backoff;
  private readonly controller = new AbortController();
  private inflight: InFlight | undefined;
  private wake: (() => void) | undefined;
  private loop: Promise<void> | undefined;
  private readonly counters = {
    batchesOk: 0,
    batchesDuplicate: 0,
    batchesRejected: 0,
    failedAttempts: 0,
    eventsPushed: 0,
    lastSuccessAt: 0,
    workerReachable: false,
  };
  private readonly latency = new LatencyHistogram();
  /** Events recovered from an earlier run's spool files at start. */
  get recovered(): number {
    return this.buffer.recovered;
  }
  private idleWaiters: (() => void)[] = [];
  /** Called after each acknowledged batch (tests, replay progress). */
  onAck: ((ack: { batch_id: string; events: number; duplicate: boolean }) => void) | undefined;

  constructor(private readonly options: PusherOptions) {
    this.log = options.log.child("pusher");
    this.flushIntervalMs = options.flushIntervalMs ?? 100;
    this.maxBatch = Math.min(options.maxBatchEvents ?? 500, 5000);
    this.backoff = new Backoff({ initialMs: 250, maxMs: 10_000, ...options.backoff });
    this.buffer = new PushBuffer({
      memoryLimit: options.memoryLimit,
      spoolDirectory: options.spoolDirectory ?? join(tmpdir(), "kimchi-collectors-spool"),
    });
    if (this.buffer.recovered > 0) {
      this.log.warn("found undelivered events of an earlier run in the spool; sending them first", {
        events: this.buffer.recovered,
      });
    }
  }

  /** Queues events (never blocks, never throws). */
  push(events: readonly IngestEvent[]): void {
    for (const e of events) this.buffer.add(e);
    if (this.buffer.size >= this.maxBatch) this.wake?.();
  }

  /** Starts the send loop. */
  start(): void {
    this.loop ??= this.run();
  }

  /**
   * Stops sending; with `drainMs`, first waits up to that long for everything to be acknowledged.
   * Liquidations and FX updates still unacknowledged are left in the spool directory, and the next
   * run sends them first.
   */
  async stop(drainMs = 0): Promise<void> {
    if (drainMs > 0) await Promise.race([this.idle(), sleep(drainMs)]);
    this.controller.abort();
    this.wake?.();
    await this.loop;
    const left = this.inflight?.payload ?? [];
    this.inflight = undefined;
    const kept =
      left.filter((e) => e.kind !== "ticker").length + this.buffer.bufferedOrdered + this.buffer.spooledEvents;
    this.buffer.close(left);
    if (kept > 0) this.log.warn("stopped with undelivered events; the next run sends them first", { events: kept });
  }

  /** Resolves when nothing waits and nothing is in flight. */
  idle(): Promise<void> {
    if (!this.inflight && this.buffer.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  /** Figures for `/metrics` and tests. */
  stats(): PusherStats {
    return {
      ...this.counters,
      bufferedTickers: this.buffer.bufferedTickers,
      bufferedOrdered: this.buffer.bufferedOrdered,
      spooledEvents: this.buffer.spooledEvents,
      spooledBytes: this.buffer.spooledBytes,
      conflatedTickers: this.buffer.conflated,
      inFlightEvents: this.inflight?.events ?? 0,
      latency: this.latency,
    };
  }

  private async run(): Promise<void> {
    const signal = this.controller.signal;
    let lastTake = 0;
    while (!signal.aborted) {
      if (!this.inflight) {
        const waiting = this.buffer.size;
        if (waiting === 0) {
          for (const resolve of this.idleWaiters.splice(0)) resolve();
          await this.sleepUntilWoken(this.flushIntervalMs);
          continue;
        }
        const since = Date.now() - lastTake;
        if (waiting < this.maxBatch && since < this.flushIntervalMs) {
          await this.sleepUntilWoken(this.flushIntervalMs - since);
          continue;
        }
        lastTake = Date.now();
        this.inflight = this.batchOf(this.buffer.take(this.maxBatch));
      }
      const delay = await this.send(this.inflight);
      if (delay > 0) await sleep(delay, signal);
    }
  }

  /** A new batch around some events: a fresh id, and the body every retry of it sends unchanged. */
  private batchOf(events: IngestEvent[]): InFlight {
    const { batchId, body } = encodeBatch(this.options.source, [JSON.stringify(events).slice(1, -1)]);
    return { batchId, body, events: events.length, attempts: 0, payload: events };
  }

  private sleepUntilWoken(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = () => {
        this.wake = undefined;
        done();
      };
    });
  }

  /** One attempt; returns how long to wait before the next step (0: go on). */
  private async send(batch: InFlight): Promise<number> {
    batch.attempts++;
    const outcome = await postBatch(this.options, batch, this.controller.signal);
    if (outcome.kind === "acknowledged") {
      const { duplicate } = outcome;
      this.latency.observe(outcome.latencySeconds);
      if (!this.counters.workerReachable) this.log.info("the Worker accepts batches", { url: this.options.workerUrl });
      this.counters.workerReachable = true;
      this.counters.lastSuccessAt = Date.now();
      this.counters.eventsPushed += batch.events;
      if (duplicate) this.counters.batchesDuplicate++;
      else this.counters.batchesOk++;
      if (duplicate || batch.attempts > 1) {
        this.log.info("batch acknowledged after a retry", {
          batch_id: batch.batchId,
          attempts: batch.attempts,
          duplicate,
        });
      }
      this.backoff.reset();
      this.inflight = undefined;
      this.onAck?.({ batch_id: batch.batchId, events: batch.events, duplicate });
      return 0;
    }
    if (outcome.kind === "failed" && outcome.unreachable) {
      if (this.controller.signal.aborted) return 0;
      return this.failed(batch, outcome.reason, undefined);
    }
    this.counters.workerReachable = true;
    if (outcome.kind === "rejected") {
      this.counters.batchesRejected++;
      this.log.error("the Worker rejected a batch; it is dropped", {
        batch_id: batch.batchId,
        status: outcome.status,
        events: batch.events,
        detail: outcome.detail.slice(0, 500),
      });
      this.inflight = undefined;
      return 0;
    }
    if (outcome.kind === "conflict") {
      // This id was applied before with another body (it cannot be ours; a copied spool, say). The
      // Worker applied nothing of this batch, so its events go again under a new id.
      this.counters.batchesRejected++;
      this.log.warn("the Worker knows this batch id with another body; sending the events under a new id", {
        batch_id: batch.batchId,
      });
      this.inflight = this.batchOf(batch.payload);
      return 0;
    }
    return this.failed(batch, outcome.reason, outcome.retryAfterMs, outcome.refused ? "error" : "warn");
  }

  private failed(
    batch: InFlight,
    reason: string,
    retryAfterMs: number | undefined,
    level: "warn" | "error" = "warn",
  ): number {
    this.counters.failedAttempts++;
    if (reason.includes("unreachable")) this.counters.workerReachable = false;
    const delay = Math.max(this.backoff.next(), retryAfterMs ?? 0);
    if (batch.attempts === 1 || batch.attempts % 10 === 0) {
      this.log[level](`${reason}; retrying the batch`, {
        batch_id: batch.batchId,
        attempt: batch.attempts,
        in_ms: delay,
        buffered: this.buffer.size,
        spooled: this.buffer.spooledEvents,
      });
    }
    return delay;
  }
}
