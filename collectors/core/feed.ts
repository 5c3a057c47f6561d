import type { IngestEvent } from "../../protocol/ingest";
import type { CandleTuning } from "../candles/candle-tuning";
import type { HistoryLane } from "../pusher/history-lane";
import type { BackoffOptions } from "./backoff";
import type { NormalizeResult, Normalizer, RawFrame } from "./frames";
import type { Logger } from "./log";
import type { MarketDirectory } from "./market-directory";
import type { MetricsRegistry, VenueMetrics } from "./metrics";

/**
 * Base URLs of a feed by name. Keys that start with `ws` are WebSocket endpoints (`wss://...`); the
 * others are HTTP(S). A feed appends its paths to these, so the simulator (or a proxy) can stand in
 * for the venue by swapping base URLs only: see {@link simulatedEndpoints}.
 */
export type Endpoints = Readonly<Record<string, string>>;

/** Timing knobs a feed reads from its context, with the feed's own defaults when unset (tests shorten them). */
export interface FeedTuning {
  /** Reconnect when no market data arrived for this long (ms). */
  silenceMs?: number;
  /** Keep-alive send interval (ms). */
  keepAliveMs?: number;
  /** REST polling interval (ms). */
  pollIntervalMs?: number;
  /** Refresh interval of reference data such as market lists (ms). */
  refreshMs?: number;
  /** Reconnect a WebSocket proactively after this long (ms), before the venue's own cut-off. */
  maxConnectionMs?: number;
  /** Reconnect / retry backoff. */
  backoff?: BackoffOptions;
  /** The candle feeds' spans, rate-limit share and pacing. */
  candles?: CandleTuning;
}

/** What one frame became in the pipeline: the normaliser's verdict and the events that passed. */
export interface CollectedFrame {
  result: NormalizeResult;
  /** Valid events that passed the feed's filter, in order. */
  events: IngestEvent[];
}

/** What a running feed gets from the process. */
export interface FeedContext {
  /** The feed's id (`upbit`, `binance-futures`). */
  readonly venue: string;
  /** Resolved base URLs (live, simulator or test overrides). */
  readonly endpoints: Endpoints;
  /** Aborted when the process stops: `run` must then return. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  readonly metrics: VenueMetrics;
  /** Every feed's metrics (history feeds register their own counters there). */
  readonly registry: MetricsRegistry;
  readonly tuning: FeedTuning;
  /**
   * Hands one raw frame to the pipeline: recorded when recording, normalised, validated against the
   * ingest schema, pushed. Returns what the normaliser made of it (so a feed can react, e.g. reconnect
   * on a shutdown notice). Never throws.
   */
  emit(frame: RawFrame): NormalizeResult;
  /** Shorthand: emits `{venue, stream, received_at: now, frame: text}`. */
  emitText(stream: string, text: string): NormalizeResult;
  /**
   * Like `emit` (recorded, normalised, validated, counted), but the valid events come back to the feed
   * instead of going to the pusher: for history the feed delivers itself, through `history`.
   */
  collect(frame: RawFrame): CollectedFrame;
  /**
   * The lane for history (closed candles, their coverage, forex history), apart from the live
   * pusher; undefined when this process pushes no history (replay, record without a Worker, tests of
   * the live feeds): history feeds then stay idle.
   */
  readonly history?: HistoryLane;
  /** The markets the ticker feeds of this process have seen (shared by every feed). */
  readonly markets: MarketDirectory;
}

/**
 * One venue's collector. To add a venue: write `collectors/exchanges/<venue>.ts` exporting a `Feed`
 * (see collectors/README.md), add it to `collectors/exchanges/index.ts`, and a simulator module to
 * `collectors/simulator/venues/index.ts`.
 */
export interface Feed {
  /** The feed id, also `RawFrame.venue` (`upbit`, `binance`, `binance-futures`, `fx`). */
  readonly venue: string;
  /** One line for logs and the README: the streams and endpoints used. */
  readonly description: string;
  /** Live base URLs (see {@link Endpoints}). */
  readonly endpoints: Endpoints;
  /**
   * The simulator module that stands in for this feed's venue, when it is not `venue` (the candle
   * feeds are answered by their venue's module: `upbit-candles` by `upbit`).
   */
  readonly simulatedBy?: string;
  /** A cheap GET (endpoint key + path) that answers when the venue is reachable, for `--simulate auto`. */
  readonly probe?: { endpoint: string; path: string };
  /** A fresh normaliser (one per run, or per replayed file). */
  createNormalizer(): Normalizer;
  /**
   * Connects or polls until `ctx.signal` aborts, handing every frame to `ctx.emit`. It should recover
   * from venue errors itself (reconnect, back off); if it throws, the runner logs and restarts it.
   */
  run(ctx: FeedContext): Promise<void>;
}

/** The base URLs that point a feed at the local venue simulator: `<sim>/<venue>/<key>`. */
export function simulatedEndpoints(feed: Feed, simulatorUrl: string): Endpoints {
  const http = simulatorUrl.replace(/\/+$/, "");
  const ws = http.replace(/^http/, "ws");
  const venue = feed.simulatedBy ?? feed.venue;
  return Object.fromEntries(
    Object.keys(feed.endpoints).map((key) => [key, `${key.startsWith("ws") ? ws : http}/${venue}/${key}`]),
  );
}
