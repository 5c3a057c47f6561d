/**
 * Runs one real feed against the local venue simulator over real sockets and collects what it
 * produced: the raw frames, the validated events and the venue's metrics.
 */

import type { Feed, FeedTuning } from "../../../collectors/core/feed";
import { simulatedEndpoints } from "../../../collectors/core/feed";
import { runFeed } from "../../../collectors/core/feed-runner";
import type { RawFrame } from "../../../collectors/core/frames";
import { silentLogger } from "../../../collectors/core/log";
import { MetricsRegistry, type VenueMetrics } from "../../../collectors/core/metrics";
import type { VenueSimulator } from "../../../collectors/simulator/server";
import type { IngestEvent } from "../../../protocol/ingest";

/** A feed running against the simulator. */
export interface RunningFeed {
  readonly events: IngestEvent[];
  readonly frames: RawFrame[];
  readonly metrics: VenueMetrics;
  /** Resolves once `predicate` holds (polled), rejects after `timeoutMs`. */
  waitFor(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** Polls `predicate` until it holds or `timeoutMs` passes. */
export async function waitUntil(predicate: () => boolean, what: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Starts `feed` pointed at `sim` with short test timings (override with `tuning`). */
export function runAgainstSimulator(feed: Feed, sim: VenueSimulator, tuning: FeedTuning = {}): RunningFeed {
  const controller = new AbortController();
  const registry = new MetricsRegistry();
  const events: IngestEvent[] = [];
  const frames: RawFrame[] = [];
  const done = runFeed(feed, {
    endpoints: simulatedEndpoints(feed, sim.url),
    signal: controller.signal,
    sink: { events: (e) => events.push(...e), frame: (f) => frames.push(f) },
    log: silentLogger,
    metrics: registry,
    tuning: { backoff: { initialMs: 50, maxMs: 200 }, ...tuning },
  });
  return {
    events,
    frames,
    metrics: registry.venue(feed.venue),
    // A timeout says how the feed stood (connected, reconnects, frames), so a failure under load is legible.
    waitFor: (predicate, what, timeoutMs) =>
      waitUntil(predicate, what, timeoutMs).catch((error: Error) => {
        throw new Error(`${error.message}; the feed: ${JSON.stringify(registry.venue(feed.venue))}`);
      }),
    stop: async () => {
      controller.abort();
      await done;
    },
  };
}
