import type { HistoryLaneStats } from "../pusher/history-lane";
import { HistoryFeedMetrics, renderHistoryMetrics } from "./history-metrics";

/** Counters and gauges of one feed (venue), shown at `/metrics` and `/health`. */
export class VenueMetrics {
  /** WebSocket open (or, for REST feeds, the last poll succeeded). */
  connected = false;
  /** When the last frame arrived (ms), 0 before the first. */
  lastMessageAt = 0;
  /** When the last frame that carried market data arrived (ms). */
  lastDataAt = 0;
  /** Raw frames received (data and control). */
  messages = 0;
  /** Frames the normaliser could not understand (garbage, unknown shapes). */
  parseErrors = 0;
  /** Events the normaliser produced that failed the ingest schema, dropped before the push. */
  invalidEvents = 0;
  /** Valid events handed to the pusher. */
  events = 0;
  /** Reconnects (WebSocket) or failed polls followed by a retry (REST). */
  reconnects = 0;
  /** Times a venue answered 429/418 (rate limited). */
  rateLimited = 0;

  constructor(readonly venue: string) {}
}

/** What the pusher reports for `/metrics`. */
export interface PusherStats {
  batchesOk: number;
  batchesDuplicate: number;
  batchesRejected: number;
  failedAttempts: number;
  eventsPushed: number;
  /** Tickers waiting, conflated: at most one per market. */
  bufferedTickers: number;
  /** Ordered events (liquidations, FX, ...) waiting in memory. */
  bufferedOrdered: number;
  /** Ordered events waiting in the disk spool. */
  spooledEvents: number;
  spooledBytes: number;
  /** Tickers replaced by a newer one of the same market before they were sent. */
  conflatedTickers: number;
  /** Events of the batch being sent (or retried). */
  inFlightEvents: number;
  /** Whether the last push attempt reached the Worker. */
  workerReachable: boolean;
  lastSuccessAt: number;
  latency: LatencyHistogram;
}

/** Push latency buckets (seconds), a Prometheus histogram. */
export class LatencyHistogram {
  static readonly BOUNDS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
  readonly counts = new Array<number>(LatencyHistogram.BOUNDS.length).fill(0);
  count = 0;
  sum = 0;

  observe(seconds: number): void {
    this.count++;
    this.sum += seconds;
    LatencyHistogram.BOUNDS.forEach((bound, i) => {
      if (seconds <= bound) this.counts[i]++;
    });
  }
}

/** Every venue's metrics plus the pusher's, rendered as Prometheus text or a health summary. */
export class MetricsRegistry {
  private readonly venues = new Map<string, VenueMetrics>();
  private readonly historyFeeds = new Map<string, HistoryFeedMetrics>();
  private pusher: (() => PusherStats) | undefined;
  private historyLane: (() => HistoryLaneStats) | undefined;

  /** The metrics of one venue, created on first use. */
  venue(name: string): VenueMetrics {
    let m = this.venues.get(name);
    if (!m) {
      m = new VenueMetrics(name);
      this.venues.set(name, m);
    }
    return m;
  }

  /** The history counters of one feed, created on first use. */
  history(feed: string, kind: HistoryFeedMetrics["kind"], venue: string): HistoryFeedMetrics {
    let m = this.historyFeeds.get(feed);
    if (!m) {
      m = new HistoryFeedMetrics(feed, kind, venue);
      this.historyFeeds.set(feed, m);
    }
    return m;
  }

  /** Every history feed seen so far. */
  allHistoryFeeds(): HistoryFeedMetrics[] {
    return [...this.historyFeeds.values()];
  }

  /** Registers where the history lane's figures come from. */
  setHistoryLane(stats: () => HistoryLaneStats): void {
    this.historyLane = stats;
  }

  /** Every venue seen so far. */
  allVenues(): VenueMetrics[] {
    return [...this.venues.values()];
  }

  /** Registers where the pusher's figures come from. */
  setPusher(stats: () => PusherStats): void {
    this.pusher = stats;
  }

  pusherStats(): PusherStats | undefined {
    return this.pusher?.();
  }

  /** The Prometheus text exposition format (version 0.0.4). */
  render(now = Date.now()): string {
    const lines: string[] = [];
    const family = (name: string, type: string, help: string, rows: [string, number][]) => {
      lines.push(`# HELP ${name} ${help}`, `# TYPE ${name} ${type}`);
      for (const [labels, value] of rows) lines.push(`${name}${labels} ${Number.isFinite(value) ? value : 0}`);
    };
    const venues = this.allVenues();
    const per = (pick: (v: VenueMetrics) => number): [string, number][] =>
      venues.map((v) => [`{venue="${v.venue}"}`, pick(v)]);
    family(
      "collectors_venue_connected",
      "gauge",
      "1 when the venue's connection is up",
      per((v) => +v.connected),
    );
    family(
      "collectors_venue_last_message_age_seconds",
      "gauge",
      "Seconds since the venue's last frame (-1 before the first)",
      per((v) => (v.lastMessageAt ? (now - v.lastMessageAt) / 1000 : -1)),
    );
    family(
      "collectors_venue_messages_total",
      "counter",
      "Raw frames received",
      per((v) => v.messages),
    );
    family(
      "collectors_venue_parse_errors_total",
      "counter",
      "Frames not understood",
      per((v) => v.parseErrors),
    );
    family(
      "collectors_venue_invalid_events_total",
      "counter",
      "Normalised events failing the ingest schema",
      per((v) => v.invalidEvents),
    );
    family(
      "collectors_venue_events_total",
      "counter",
      "Events handed to the pusher",
      per((v) => v.events),
    );
    family(
      "collectors_venue_reconnects_total",
      "counter",
      "Reconnects or retried polls",
      per((v) => v.reconnects),
    );
    family(
      "collectors_venue_rate_limited_total",
      "counter",
      "429/418 answers",
      per((v) => v.rateLimited),
    );
    renderHistoryMetrics(family, this.allHistoryFeeds(), this.historyLane?.());
    const p = this.pusher?.();
    if (p) {
      family("collectors_pusher_batches_total", "counter", "Batches acknowledged by the Worker, by result", [
        ['{result="applied"}', p.batchesOk],
        ['{result="duplicate"}', p.batchesDuplicate],
        ['{result="rejected"}', p.batchesRejected],
      ]);
      family("collectors_pusher_failed_attempts_total", "counter", "Push attempts that failed and will be retried", [
        ["", p.failedAttempts],
      ]);
      family("collectors_pusher_events_total", "counter", "Events acknowledged by the Worker", [["", p.eventsPushed]]);
      family("collectors_pusher_buffered_events", "gauge", "Events waiting in memory, by kind", [
        ['{kind="ticker"}', p.bufferedTickers],
        ['{kind="ordered"}', p.bufferedOrdered],
        ['{kind="in_flight"}', p.inFlightEvents],
      ]);
      family("collectors_pusher_spooled_events", "gauge", "Ordered events waiting in the disk spool", [
        ["", p.spooledEvents],
      ]);
      family("collectors_pusher_spooled_bytes", "gauge", "Size of the unsent part of the spool", [
        ["", p.spooledBytes],
      ]);
      family("collectors_pusher_conflated_tickers_total", "counter", "Tickers replaced by a newer one before sending", [
        ["", p.conflatedTickers],
      ]);
      family("collectors_pusher_worker_reachable", "gauge", "1 when the last push reached the Worker", [
        ["", +p.workerReachable],
      ]);
      const h = p.latency;
      lines.push(
        "# HELP collectors_pusher_latency_seconds Time from sending a batch to its acknowledgement",
        "# TYPE collectors_pusher_latency_seconds histogram",
      );
      LatencyHistogram.BOUNDS.forEach((bound, i) => {
        lines.push(`collectors_pusher_latency_seconds_bucket{le="${bound}"} ${h.counts[i]}`);
      });
      lines.push(
        `collectors_pusher_latency_seconds_bucket{le="+Inf"} ${h.count}`,
        `collectors_pusher_latency_seconds_sum ${h.sum}`,
        `collectors_pusher_latency_seconds_count ${h.count}`,
      );
    }
    return `${lines.join("\n")}\n`;
  }
}
