/**
 * The open-loop ingest load: ticks spread uniformly over the coins and the four venues, posted as
 * ingest batches the way the collectors flush (every 100 ms, or every 500 events when faster).
 * Batches are scheduled on a fixed clock; at most `maxInFlight` are outstanding, and a batch due
 * while that many are waits for one to be answered. Each tick's `timestamp` is the moment it is
 * created, `Date.now()` just before its batch body is written and posted: the start of the
 * end-to-end latency (tick created -> subscriber has it). The batch acknowledgement is timed from
 * the batch's scheduled time, so a batch held back by a slow server counts there in full (no
 * coordinated omission), and `sendLag` says how long batches waited to be written after their
 * scheduled time. `stamp: "scheduled"` stamps ticks with the scheduled time instead (how the
 * benchmark measured before; BENCH_STAMP=scheduled).
 */
import { Agent, request } from "node:http";
import { batchBody, type TickWriter, VENUES } from "./market-fixture";
import { type UsageReport, UsageSampler, type WatchedProcess } from "./process-usage";
import { LatencyRecorder, type LatencySummary } from "./stats";

/** How the collectors flush (see MAX_EVENTS_PER_BATCH's note in protocol/ingest.ts). */
export const FLUSH_INTERVAL_MS = 100;
export const FLUSH_MAX_EVENTS = 500;

export interface IngestLoadOptions {
  /** Where to post, e.g. `http://127.0.0.1:8787/internal/ingest`. */
  url: string;
  token: string;
  writer: TickWriter;
  /** Ticks per second. */
  rate: number;
  /** Epoch ms of the first batch; ticks scheduled in [startAt + warmupMs, + measureMs) are measured. */
  startAt: number;
  warmupMs: number;
  measureMs: number;
  maxInFlight: number;
  /** How long to wait after the last scheduled batch for outstanding ones. */
  graceMs: number;
  /** What a tick's `timestamp` is: when it was created or its batch's scheduled time (default: `STAMP`). */
  stamp?: TickStamp;
}

/** See the module's comment. */
export type TickStamp = "created" | "scheduled";

/** BENCH_STAMP=scheduled stamps ticks with their batch's scheduled time (the benchmark's old method). */
export const STAMP: TickStamp = process.env.BENCH_STAMP === "scheduled" ? "scheduled" : "created";

/** Ticks of acknowledged batches scheduled in the window: the ground truth subscribers are checked against. */
export interface SentTicks {
  timestamps: Float64Array;
  coins: Uint16Array;
}

export interface IngestLoadResult {
  scheduledBatches: number;
  ackedBatches: number;
  /** Batches answered with an error or not at all within the grace period. */
  failedBatches: number;
  /** Batches never sent because too many were outstanding when the run ended. */
  unsentBatches: number;
  firstError: string | null;
  /** Ticks scheduled in the measurement window, and those of them acknowledged. */
  windowTicks: number;
  windowAckedTicks: number;
  /** From a batch's scheduled time to its acknowledgement. */
  ack: LatencySummary | null;
  /** From a batch's scheduled time to when its ticks were created and it was posted. */
  sendLag: LatencySummary | null;
  sent: SentTicks;
}

/** Runs the load; resolves after the last batch is answered or the grace period ends. */
export async function runIngestLoad(o: IngestLoadOptions): Promise<IngestLoadResult> {
  const period = Math.min(FLUSH_INTERVAL_MS, (FLUSH_MAX_EVENTS * 1000) / o.rate);
  const endAt = o.startAt + o.warmupMs + o.measureMs;
  const windowStart = o.startAt + o.warmupMs;
  const agent = new Agent({ keepAlive: true, maxSockets: o.maxInFlight });
  const url = new URL(o.url);
  const ack = new LatencyRecorder();
  const sendLag = new LatencyRecorder();
  const coinCount = o.writer.coins.length;

  let timestamps = new Float64Array(65536);
  let coins = new Uint16Array(65536);
  let sentLength = 0;
  const pushSent = (ts: number, coin: number) => {
    if (sentLength === timestamps.length) {
      const t = new Float64Array(sentLength * 2);
      t.set(timestamps);
      timestamps = t;
      const c = new Uint16Array(sentLength * 2);
      c.set(coins);
      coins = c;
    }
    timestamps[sentLength] = ts;
    coins[sentLength++] = coin;
  };

  let scheduled = 0;
  let acked = 0;
  let failed = 0;
  let windowTicks = 0;
  let windowAckedTicks = 0;
  let inFlight = 0;
  let carry = 0;
  let firstError: string | null = null;
  const queue: { at: number; ticks: number }[] = [];
  let settle: () => void = () => {};
  const settled = new Promise<void>((r) => {
    settle = r;
  });
  let ended = false;

  const send = (at: number, count: number) => {
    inFlight++;
    const created = Date.now();
    const ts = (o.stamp ?? STAMP) === "scheduled" ? Math.floor(at) : created;
    sendLag.add(Math.max(0, created - at));
    const events: string[] = new Array(count);
    const picked = new Uint16Array(count);
    for (let i = 0; i < count; i++) {
      const coin = Math.floor(Math.random() * coinCount);
      picked[i] = coin;
      events[i] = o.writer.tick(coin, Math.floor(Math.random() * VENUES.length), ts);
    }
    const body = batchBody(events, ts);
    const inWindow = at >= windowStart && at < endAt;
    let done = false;
    const finish = (ok: boolean, error?: string) => {
      if (done) return;
      done = true;
      inFlight--;
      if (ok) {
        acked++;
        ack.add(Date.now() - at);
        if (inWindow) {
          windowAckedTicks += count;
          for (let i = 0; i < count; i++) pushSent(ts, picked[i]);
        }
      } else {
        failed++;
        firstError ??= error ?? "failed";
      }
      const next = queue.shift();
      if (next && !ended) send(next.at, next.ticks);
      if (ended && inFlight === 0) settle();
    };
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname,
        method: "POST",
        agent,
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${o.token}`,
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () =>
          finish(
            res.statusCode === 200,
            `HTTP ${res.statusCode}: ${Buffer.concat(chunks).toString("utf8").slice(0, 300)}`,
          ),
        );
        res.on("error", (e) => finish(false, e.message));
      },
    );
    req.on("error", (e) => finish(false, e.message));
    req.end(body);
  };

  await new Promise<void>((resolve) => {
    const tickLoop = () => {
      const now = Date.now();
      while (o.startAt + scheduled * period <= now) {
        const at = o.startAt + scheduled * period;
        if (at >= endAt) {
          resolve();
          return;
        }
        scheduled++;
        carry += (o.rate * period) / 1000;
        const count = Math.floor(carry);
        carry -= count;
        if (count === 0) continue;
        if (at >= windowStart) windowTicks += count;
        if (inFlight < o.maxInFlight) send(at, count);
        else queue.push({ at, ticks: count });
      }
      setTimeout(tickLoop, Math.max(0, o.startAt + scheduled * period - Date.now()));
    };
    setTimeout(tickLoop, Math.max(0, o.startAt - Date.now()));
  });

  ended = true;
  const unsentBatches = queue.length;
  queue.length = 0;
  if (inFlight > 0) {
    await Promise.race([settled, new Promise((r) => setTimeout(r, o.graceMs))]);
  }
  failed += inFlight; // still unanswered after the grace period
  agent.destroy();
  return {
    scheduledBatches: scheduled,
    ackedBatches: acked,
    failedBatches: failed,
    unsentBatches,
    firstError,
    windowTicks,
    windowAckedTicks,
    ack: ack.summary(),
    sendLag: sendLag.summary(),
    sent: { timestamps: timestamps.slice(0, sentLength), coins: coins.slice(0, sentLength) },
  };
}

/** Runs the load and reads the CPU of `processes` over its measurement window (from its start to the last answer). */
export async function runSampledIngestLoad(
  o: IngestLoadOptions,
  processes: WatchedProcess[],
): Promise<{ load: IngestLoadResult; usage: UsageReport }> {
  const sampler = new UsageSampler(processes);
  const timer = setTimeout(() => sampler.start(), Math.max(0, o.startAt + o.warmupMs - Date.now()));
  const load = await runIngestLoad(o);
  clearTimeout(timer);
  return { load, usage: sampler.stop() };
}
