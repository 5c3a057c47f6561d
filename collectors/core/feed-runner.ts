import { setMaxListeners } from "node:events";
import type { IngestEvent } from "../../protocol/ingest";
import type { HistoryLane } from "../pusher/history-lane";
import { sleep } from "./abortable-sleep";
import { Backoff } from "./backoff";
import type { CollectedFrame, Endpoints, Feed, FeedContext, FeedTuning } from "./feed";
import { excerpt, processFrame } from "./frame-processor";
import type { NormalizeResult, RawFrame } from "./frames";
import { errorMessage, type Logger } from "./log";
import { MarketDirectory } from "./market-directory";
import type { MetricsRegistry } from "./metrics";

/** Where a running feed's output goes. */
export interface FeedSink {
  /** Valid, normalised events, in arrival order. */
  events(events: IngestEvent[], venue: string): void;
  /** Every raw frame, before normalising (the recorder). */
  frame?(frame: RawFrame): void;
}

/** Options of {@link runFeed}. */
export interface RunFeedOptions {
  endpoints?: Endpoints;
  signal: AbortSignal;
  sink: FeedSink;
  log: Logger;
  metrics: MetricsRegistry;
  tuning?: FeedTuning;
  /** Which events to pass on (e.g. only board markets); default: all. */
  filter?: (event: IngestEvent) => boolean;
  /** The history lane (candles); none: history feeds stay idle. */
  history?: HistoryLane;
  /** The markets seen by the ticker feeds, shared across feeds; default: one of this feed's own. */
  markets?: MarketDirectory;
}

/** Logs the first few parse errors of a venue, then one in every 100, so garbage cannot flood the log. */
function shouldLog(count: number): boolean {
  return count <= 10 || count % 100 === 0;
}

/**
 * Runs one feed until `signal` aborts: builds its context (emit = record -> normalise -> validate ->
 * sink, with metrics), and restarts `feed.run` with backoff if it ever throws, so one venue failing
 * never stops the others.
 */
export async function runFeed(feed: Feed, options: RunFeedOptions): Promise<void> {
  const { signal, sink, metrics: registry } = options;
  // Every feed of the process stops on this one signal, and a candle feed waits on it from dozens of
  // fetchers at once: many listeners are expected, not a leak.
  setMaxListeners(1000, signal);
  const log = options.log.child(feed.venue);
  const metrics = registry.venue(feed.venue);
  const filter = options.filter ?? (() => true);
  const tuning = options.tuning ?? {};
  const backoff = new Backoff(tuning.backoff);
  const markets = options.markets ?? new MarketDirectory();

  while (!signal.aborted) {
    const normalizer = feed.createNormalizer();
    const collect = (frame: RawFrame): CollectedFrame => {
      metrics.messages++;
      metrics.lastMessageAt = frame.received_at;
      sink.frame?.(frame);
      const { result, events, invalid } = processFrame(normalizer, frame);
      if (result.kind === "error") {
        metrics.parseErrors++;
        if (shouldLog(metrics.parseErrors)) {
          log.warn("frame not understood, skipped", {
            stream: frame.stream,
            error: result.error,
            frame: excerpt(frame.frame),
            count: metrics.parseErrors,
          });
        }
        return { result, events: [] };
      }
      if (result.kind === "data") metrics.lastDataAt = frame.received_at;
      for (const error of invalid) {
        metrics.invalidEvents++;
        if (shouldLog(metrics.invalidEvents)) log.warn("event failed the ingest schema, dropped", { error });
      }
      const passed = events.filter(filter);
      metrics.events += passed.length;
      markets.observe(passed);
      return { result, events: passed };
    };
    const emit = (frame: RawFrame): NormalizeResult => {
      const { result, events } = collect(frame);
      if (events.length > 0) sink.events(events, feed.venue);
      return result;
    };
    const ctx: FeedContext = {
      venue: feed.venue,
      endpoints: options.endpoints ?? feed.endpoints,
      signal,
      log,
      metrics,
      registry,
      tuning,
      emit,
      emitText: (stream, text) => emit({ venue: feed.venue, stream, received_at: Date.now(), frame: text }),
      collect,
      history: options.history,
      markets,
    };
    try {
      await feed.run(ctx);
      if (signal.aborted) return;
      log.warn("feed returned before being stopped; restarting");
    } catch (error) {
      if (signal.aborted) return;
      log.error("feed failed; restarting", { error: errorMessage(error) });
    }
    metrics.connected = false;
    metrics.reconnects++;
    await sleep(backoff.next(), signal);
  }
}
