import type { Source } from "../../protocol/common";
import type { IngestEvent } from "../../protocol/ingest";
import { isBoardMarket } from "../../protocol/venues";
import { SIMULATOR_LIMIT_SCALE } from "../candles/candle-tuning";
import type { CliOptions } from "../cli-options";
import { type Endpoints, simulatedEndpoints } from "../core/feed";
import { runFeed } from "../core/feed-runner";
import type { Logger } from "../core/log";
import { MarketDirectory } from "../core/market-directory";
import { MetricsRegistry } from "../core/metrics";
import { probeFeed } from "../core/probe";
import { FrameRecorder } from "../core/recorder";
import { startOpsServer } from "../ops-server";
import { HistoryLane } from "../pusher/history-lane";
import { Pusher } from "../pusher/pusher";
import { VenueSimulator } from "../simulator/server";
import { SIM_VENUES } from "../simulator/venues";
import { selectFeeds } from "./select-feeds";

/** Tickers of markets the board does not show (BTC-quoted, USDC...) are not pushed. */
export function boardFilter(event: IngestEvent): boolean {
  return event.kind !== "ticker" || isBoardMarket(event.venue, event.quote);
}

/** A running collectors process (for `main.ts` and tests). */
export interface RunningCollectors {
  source: Source;
  metrics: MetricsRegistry;
  pusher?: Pusher;
  /** The lane of candles and forex history (when pushing with `--candles on`). */
  history?: HistoryLane;
  /** The markets the ticker feeds have seen. */
  markets: MarketDirectory;
  simulator?: VenueSimulator;
  opsPort?: number;
  stop(): Promise<void>;
}

/**
 * `run` and `record`: picks live venues or the simulator (`--simulate on|off|auto`), starts every
 * selected feed, the pusher (source `live` or `simulated`), the recorder and the ops server.
 */
export async function runCollectors(opts: CliOptions, log: Logger): Promise<RunningCollectors> {
  const feeds = selectFeeds(opts.venues);
  let simulate = opts.simulate === "on";
  if (opts.simulate === "auto") {
    const reachable = await Promise.all(feeds.map((f) => probeFeed(f)));
    const up = feeds.filter((_, i) => reachable[i]).map((f) => f.venue);
    simulate = up.length === 0;
    if (simulate) {
      log.warn("no venue is reachable (no internet?): running against the local venue simulator; data is SIMULATED", {
        tried: feeds.map((f) => f.venue).join(","),
      });
    } else {
      log.info("venues reachable: running live", { reachable: up.join(","), total: feeds.length });
    }
  }
  const source: Source = simulate ? "simulated" : "live";
  let simulator: VenueSimulator | undefined;
  if (simulate) {
    simulator = await VenueSimulator.start({ port: opts.simulatorPort, log });
    const simulated = new Set(SIM_VENUES.map((v) => v.venue));
    const missing = feeds.filter((f) => !simulated.has(f.simulatedBy ?? f.venue)).map((f) => f.venue);
    if (missing.length > 0)
      log.warn("no simulator module for some feeds; they will keep retrying", { feeds: missing.join(",") });
    log.info("local venue simulator running", { url: simulator.url, coins: simulator.market.coins.length });
  }

  const metrics = new MetricsRegistry();
  const pushing = opts.command === "run" || opts.workerUrlGiven;
  const pusher = pushing
    ? new Pusher({
        workerUrl: opts.workerUrl,
        token: opts.token,
        source,
        log,
        flushIntervalMs: opts.flushIntervalMs,
        maxBatchEvents: opts.maxBatchEvents,
        spoolDirectory: opts.spoolDirectory,
      })
    : undefined;
  if (pusher) {
    metrics.setPusher(() => pusher.stats());
    pusher.start();
    log.info("pushing to the Worker", { url: opts.workerUrl, source });
  }
  const history =
    pushing && opts.candles
      ? new HistoryLane({ workerUrl: opts.workerUrl, token: opts.token, source, log })
      : undefined;
  if (history) {
    metrics.setHistoryLane(() => history.stats());
    history.start();
  }
  const markets = new MarketDirectory();
  const recorder = opts.command === "record" && opts.file ? new FrameRecorder(opts.file) : undefined;
  if (recorder) log.info("recording raw frames", { file: recorder.path });

  const startedAt = Date.now();
  const ops = opts.port >= 0 ? await startOpsServer(metrics, { source, startedAt }, opts.port) : undefined;
  if (ops) log.info("health and metrics", { url: `http://127.0.0.1:${ops.port}/health`, metrics: "/metrics" });

  const controller = new AbortController();
  const runs = feeds.map((feed) => {
    const endpoints: Endpoints = simulator ? simulatedEndpoints(feed, simulator.url) : feed.endpoints;
    log.info("starting feed", { venue: feed.venue, what: feed.description });
    return runFeed(feed, {
      endpoints,
      signal: controller.signal,
      log,
      metrics,
      filter: boardFilter,
      history,
      markets,
      // The simulator is not the venue: a demo backfills faster than a venue's limit would allow.
      tuning: { candles: simulate ? { limitScale: SIMULATOR_LIMIT_SCALE, ...opts.candleTuning } : opts.candleTuning },
      sink: {
        events: (events) => pusher?.push(events),
        frame: recorder ? (f) => recorder.write(f) : undefined,
      },
    });
  });

  return {
    source,
    metrics,
    pusher,
    history,
    markets,
    simulator,
    opsPort: ops?.port,
    stop: async () => {
      controller.abort();
      await Promise.all(runs);
      await history?.stop();
      await pusher?.stop(3000);
      await recorder?.close();
      await ops?.close();
      await simulator?.stop();
    },
  };
}
