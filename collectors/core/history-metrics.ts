import { CANDLE_RESOLUTIONS, type CandleResolution } from "../../protocol/venues";
import type { HistoryLaneStats } from "../pusher/history-lane";

/** How far one resolution's backfill has got across a feed's markets. */
export interface BackfillProgress {
  /** Markets being backfilled. */
  markets: number;
  /** Markets whose wanted window is fully covered (acknowledged by the Worker). */
  complete: number;
  /** The share of all markets' wanted windows covered, 0 to 1. */
  coveredShare: number;
}

/** Counters of one history feed (a venue's candles, or the forex history), for `/metrics`. */
export class HistoryFeedMetrics {
  /** Requests sent to the venue's history API. */
  requests = 0;
  /** Candles (or forex days) the venue's answers held, closed and within the asked range. */
  fetched = 0;
  /** Candles (or forex days) the Worker acknowledged. */
  acknowledged = 0;
  /** Pages the Worker refused. */
  refusedPages = 0;
  /** The backfill's progress per resolution (candle feeds). */
  progress: () => Partial<Record<CandleResolution, BackfillProgress>> = () => ({});

  constructor(
    /** The feed id (`upbit-candles`, `fx-history`). */
    readonly feed: string,
    /** What it collects: `candle` or `fx_history`. */
    readonly kind: "candle" | "fx_history",
    /** The venue (`upbit`, `frankfurter`). */
    readonly venue: string,
  ) {}
}

type Family = (name: string, type: string, help: string, rows: [string, number][]) => void;

/** Adds the history feeds' and the history lane's families to a Prometheus exposition. */
export function renderHistoryMetrics(
  family: Family,
  feeds: readonly HistoryFeedMetrics[],
  lane: HistoryLaneStats | undefined,
): void {
  const per = (pick: (f: HistoryFeedMetrics) => number): [string, number][] =>
    feeds.map((f) => [`{feed="${f.feed}",venue="${f.venue}",kind="${f.kind}"}`, pick(f)]);
  family(
    "collectors_history_requests_total",
    "counter",
    "Requests to the venues' candle and history APIs",
    per((f) => f.requests),
  );
  family(
    "collectors_history_fetched_total",
    "counter",
    "Closed candles (or forex days) fetched",
    per((f) => f.fetched),
  );
  family(
    "collectors_history_acknowledged_total",
    "counter",
    "Candles (or forex days) the Worker acknowledged",
    per((f) => f.acknowledged),
  );
  family(
    "collectors_history_refused_pages_total",
    "counter",
    "Pages of candles the Worker refused",
    per((f) => f.refusedPages),
  );
  const progress = feeds.flatMap((f) => {
    const p = f.progress();
    return CANDLE_RESOLUTIONS.flatMap((r) => {
      const row = p[r];
      return row ? [{ labels: `{venue="${f.venue}",interval="${r}"}`, row }] : [];
    });
  });
  family(
    "collectors_candle_backfill_markets",
    "gauge",
    "Markets being backfilled, per venue and resolution",
    progress.map(({ labels, row }) => [labels, row.markets]),
  );
  family(
    "collectors_candle_backfill_complete_markets",
    "gauge",
    "Markets whose wanted window is fully covered, per venue and resolution",
    progress.map(({ labels, row }) => [labels, row.complete]),
  );
  family(
    "collectors_candle_backfill_covered_ratio",
    "gauge",
    "Share of the wanted windows covered, per venue and resolution",
    progress.map(({ labels, row }) => [labels, row.coveredShare]),
  );
  if (!lane) return;
  family("collectors_history_batches_total", "counter", "History batches acknowledged by the Worker, by result", [
    ['{result="applied"}', lane.batchesOk],
    ['{result="duplicate"}', lane.batchesDuplicate],
    ['{result="rejected"}', lane.batchesRejected],
  ]);
  family("collectors_history_failed_attempts_total", "counter", "History posts that failed and will be retried", [
    ["", lane.failedAttempts],
  ]);
  family("collectors_history_queued_events", "gauge", "History events admitted and not yet acknowledged", [
    ["", lane.queuedEvents],
  ]);
  family("collectors_history_worker_reachable", "gauge", "1 when the last history post reached the Worker", [
    ["", +lane.workerReachable],
  ]);
}
