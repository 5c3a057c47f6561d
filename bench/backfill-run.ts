/**
 * One measured backfill: the collectors' four candle feeds, as `collectors run` wires them (one market
 * directory, one history lane, the feed runner), against the simulator process and into a Worker, from
 * an empty Worker until a time limit or until every venue's backfill is complete.
 */
import { setMaxListeners } from "node:events";
import { type CandleTuning, resolveCandleTuning } from "../collectors/candles/candle-tuning";
import { simulatedEndpoints } from "../collectors/core/feed";
import { runFeed } from "../collectors/core/feed-runner";
import { createLogger } from "../collectors/core/log";
import { type ListedMarket, MarketDirectory } from "../collectors/core/market-directory";
import { MetricsRegistry } from "../collectors/core/metrics";
import type { HistoryLaneStats } from "../collectors/pusher/history-lane";
import { meanRate, peakInWindow } from "../collectors/simulator/request-rates";
import type { MarketVenue } from "../protocol/common";
import { CANDLE_RESOLUTIONS, type CandleResolution } from "../protocol/venues";
import { RecordingLane } from "./backfill-lane";
import { BENCH_VENUES } from "./backfill-plan";
import { SendTimes } from "./backfill-send-times";
import type { SimulatorProcess } from "./backfill-simulator";
import { type UsageReport, UsageSampler, type WatchedProcess } from "./process-usage";

/** What a run is asked to do. */
export interface RunSpec {
  /** Short name (`A`). */
  name: string;
  /** One line: what the run is. */
  title: string;
  tuning: CandleTuning;
  /** Stop after this long (ms) whatever the progress... */
  limitMs: number;
  /** ...but go on up to this much longer (ms) until every market's first 1-day page is acknowledged. */
  graceForFirstDailyMs?: number;
  /** Stop as soon as every venue's backfill is complete. */
  untilComplete: boolean;
}

/** One venue's figures in a run. */
export interface VenueRun {
  venue: MarketVenue;
  markets: number;
  /** Requests to the venue's candle API, as the venue (the simulator) received them. */
  requests: number;
  /** Requests the collector counted (its `/metrics`). */
  collectorRequests: number;
  /** Pages the Worker acknowledged, per resolution. */
  pages: Record<CandleResolution, number>;
  /** Of those, pages of newly closed intervals only (the live upkeep). */
  livePages: number;
  /** Candles the Worker acknowledged. */
  candles: number;
  /** Markets whose first page of 1-day candles was acknowledged. */
  firstDailyMarkets: number;
  /** When (ms from the start) every market had its first page of 1-day candles acknowledged. */
  firstDailyMs: number | null;
  /** When (ms from the start) every market's wanted windows were covered (acknowledged). */
  completeMs: number | null;
  /** At the end: the covered share of the wanted windows, per resolution. */
  coveredShare: Record<CandleResolution, number>;
  /** Most requests in any 1 s, as the venue received them. */
  peakPerSecond: number;
  /** Most requests (Binance: weight) in any window of the published limit's length, as the venue received them. */
  peakPublishedWindow: number;
  /** The same, as the collector sent them (its `fetch` calls). */
  peakPublishedWindowSent: number;
  /** Requests per second from the first to the last. */
  meanPerSecond: number;
  /** Requests per second in the busiest 60 s (the allowance, when the venue was the bottleneck). */
  busiest60sPerSecond: number;
  /** Requests per second until every market's first 1-day page was acknowledged (or the end). */
  perSecondUntilFirstDaily: number;
}

/** A run's figures. */
export interface RunResult {
  spec: RunSpec;
  durationMs: number;
  venues: VenueRun[];
  /** Candles the Worker acknowledged per second: over the run, and the best 10 s. */
  candlesPerSecond: { mean: number; best10s: number };
  lane: HistoryLaneStats;
  /** Share of the run during which the history lane was backlogged (19,000 or more events waiting for the Worker). */
  laneFullShare: number;
  /** The same, until every market's first 1-day page was acknowledged (or the end). */
  laneFullShareUntilFirstDaily: number;
  usage: UsageReport;
  /** The collectors' warnings and errors (first of each kind, with counts). */
  warnings: string[];
}

/** The collectors' warnings, each kind printed once and counted. */
function warningLog(log: (line: string) => void) {
  const seen = new Map<string, number>();
  const logger = createLogger({
    level: "warn",
    write: (line) => {
      const kind = line.replace(/^\S+ /, "").replace(/ \w+=.*$/, "");
      const count = (seen.get(kind) ?? 0) + 1;
      seen.set(kind, count);
      if (count === 1) log(`collectors: ${line.slice(25)}`);
    },
  });
  return { logger, summary: () => [...seen].map(([kind, count]) => `${kind} (${count}x)`) };
}

/** When each market of a venue had its first 1-day page acknowledged. */
function firstDailyOf(lane: RecordingLane, venue: string): number[] {
  return [...lane.firstDaily].filter(([key]) => key.startsWith(`${venue}:`)).map(([, at]) => at);
}

/** The history lane lets each priority queue up to 20,000 events: from 19,000 waiting it is backlogged. */
const LANE_FULL = 19_000;

const share = (flags: boolean[]) => (flags.length === 0 ? 0 : flags.filter(Boolean).length / flags.length);

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Runs the candle feeds of `markets` into `target` until `spec`'s end; reports what happened. */
export async function runBackfill(
  spec: RunSpec,
  sim: SimulatorProcess,
  target: { url: string; token: string },
  markets: readonly ListedMarket[],
  processes: WatchedProcess[],
  log: (line: string) => void,
): Promise<RunResult> {
  const tuning = resolveCandleTuning(spec.tuning);
  const wanted = CANDLE_RESOLUTIONS.filter((r) => tuning.spansMs[r] > 0);
  const warnings = warningLog(log);
  const controller = new AbortController();
  setMaxListeners(0, controller.signal); // every fetcher of every feed waits on it
  const registry = new MetricsRegistry();
  const directory = new MarketDirectory();
  for (const m of markets) directory.add(m);
  const lane = new RecordingLane({
    workerUrl: target.url,
    token: target.token,
    source: "simulated",
    log: warnings.logger,
  });
  registry.setHistoryLane(() => lane.stats());
  const sampler = new UsageSampler(processes);
  const sent = new SendTimes();
  sent.start(new Map(BENCH_VENUES.map((v) => [v.venue, `${sim.url}/${v.venue}/rest${v.pathPrefix}`])));
  const started = Date.now();
  lane.since = started;
  lane.start();
  sampler.start();
  const runs = BENCH_VENUES.map((v) =>
    runFeed(v.feed, {
      endpoints: simulatedEndpoints(v.feed, sim.url),
      signal: controller.signal,
      sink: { events: () => undefined }, // candle feeds deliver through the history lane only
      log: warnings.logger,
      metrics: registry,
      history: lane,
      markets: directory,
      tuning: { candles: spec.tuning },
    }),
  );

  const count = (venue: string) => markets.filter((m) => m.venue === venue).length;
  const firstDailyMs = new Map<string, number>();
  const completeMs = new Map<string, number>();
  const feedOf = (venue: string) => registry.allHistoryFeeds().find((f) => f.kind === "candle" && f.venue === venue);
  let lastLog = started;
  /** Every 500 ms: whether the history lane was full. */
  const laneFull: boolean[] = [];
  for (;;) {
    await new Promise((r) => setTimeout(r, 500));
    const now = Date.now();
    laneFull.push(lane.stats().queuedEvents >= LANE_FULL);
    for (const { venue } of BENCH_VENUES) {
      const first = firstDailyOf(lane, venue);
      if (!firstDailyMs.has(venue) && first.length >= count(venue)) {
        const at = Math.max(...first) - started;
        firstDailyMs.set(venue, at);
        log(
          `${spec.name}: ${venue}: first 1-day page of all ${count(venue)} markets acknowledged after ${seconds(at)}`,
        );
      }
      const progress = feedOf(venue)?.progress();
      if (!completeMs.has(venue) && progress && wanted.every((r) => (progress[r]?.complete ?? 0) >= count(venue))) {
        completeMs.set(venue, now - started);
        log(`${spec.name}: ${venue}: backfill complete after ${seconds(now - started)}`);
      }
    }
    if (now - lastLog >= 15_000) {
      lastLog = now;
      const stats = lane.stats();
      const parts = BENCH_VENUES.map(({ venue }) => `${venue} ${feedOf(venue)?.requests ?? 0} req`);
      log(
        `${spec.name} ${((now - started) / 1000).toFixed(0)} s: ${parts.join(", ")}; ${stats.eventsAcknowledged} events acknowledged, ${stats.queuedEvents} queued for the Worker`,
      );
    }
    if (spec.untilComplete && completeMs.size === BENCH_VENUES.length) break;
    const firstDailyDone = firstDailyMs.size === BENCH_VENUES.length;
    if (now - started >= spec.limitMs + (firstDailyDone ? 0 : (spec.graceForFirstDailyMs ?? 0))) break;
  }
  const ended = Date.now();
  const usage = sampler.stop();
  controller.abort();
  await Promise.all(runs);
  sent.stop();
  const laneStats = lane.stats();
  await lane.stop();

  const venues: VenueRun[] = [];
  for (const bench of BENCH_VENUES) {
    const { venue, candles } = bench;
    const times = (await sim.timeline(venue, bench.pathPrefix)).filter((t) => t >= started && t <= ended);
    const pages = Object.fromEntries(CANDLE_RESOLUTIONS.map((r) => [r, 0])) as Record<CandleResolution, number>;
    let livePages = 0;
    for (const p of lane.pages) {
      if (p.venue !== venue) continue;
      pages[p.interval]++;
      if (p.live) livePages++;
    }
    const progress = feedOf(venue)?.progress() ?? {};
    const cost = candles.limit.unit === "weight" ? candles.requestCost : 1;
    const firstDailyAt = started + Math.max(1000, firstDailyMs.get(venue) ?? ended - started);
    venues.push({
      venue,
      markets: count(venue),
      requests: times.length,
      collectorRequests: feedOf(venue)?.requests ?? 0,
      pages,
      livePages,
      candles: lane.candles.get(venue) ?? 0,
      firstDailyMarkets: firstDailyOf(lane, venue).length,
      firstDailyMs: firstDailyMs.get(venue) ?? null,
      completeMs: completeMs.get(venue) ?? null,
      coveredShare: Object.fromEntries(
        CANDLE_RESOLUTIONS.map((r) => [r, tuning.spansMs[r] > 0 ? (progress[r]?.coveredShare ?? 0) : 1]),
      ) as Record<CandleResolution, number>,
      peakPerSecond: peakInWindow(times, 1000),
      peakPublishedWindow: peakInWindow(times, candles.limit.perMs, cost),
      peakPublishedWindowSent: peakInWindow(
        sent.of(venue).filter((t) => t >= started && t <= ended),
        candles.limit.perMs,
        cost,
      ),
      meanPerSecond: meanRate(times),
      busiest60sPerSecond: peakInWindow(times, 60_000) / Math.min(60, (ended - started) / 1000),
      perSecondUntilFirstDaily: times.filter((t) => t <= firstDailyAt).length / ((firstDailyAt - started) / 1000),
    });
  }
  const perSecond = lane.perSecond;
  let best10s = 0;
  for (let i = 0; i + 10 <= perSecond.length; i++) {
    best10s = Math.max(best10s, perSecond.slice(i, i + 10).reduce((a, b) => a + b, 0) / 10);
  }
  const acknowledged = perSecond.reduce((a, b) => a + b, 0);
  const allFirstDailyMs =
    firstDailyMs.size === BENCH_VENUES.length ? Math.max(...firstDailyMs.values()) : ended - started;
  return {
    spec,
    durationMs: ended - started,
    venues,
    candlesPerSecond: { mean: acknowledged / ((ended - started) / 1000), best10s },
    lane: laneStats,
    laneFullShare: share(laneFull),
    laneFullShareUntilFirstDaily: share(laneFull.slice(0, Math.ceil(allFirstDailyMs / 500))),
    usage,
    warnings: warnings.summary(),
  };
}
