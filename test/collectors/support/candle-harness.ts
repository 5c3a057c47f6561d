/**
 * Runs candle feeds in this process against the local venue simulator and a candle receiver (the
 * Worker's stand-in), the way `run` wires them: a shared market directory, a history lane to the
 * receiver, the venues' endpoints swapped for the simulator's.
 */
import type { CandleTuning } from "../../../collectors/candles/candle-tuning";
import { type Feed, simulatedEndpoints } from "../../../collectors/core/feed";
import { runFeed } from "../../../collectors/core/feed-runner";
import { silentLogger } from "../../../collectors/core/log";
import { type ListedMarket, MarketDirectory } from "../../../collectors/core/market-directory";
import { MetricsRegistry } from "../../../collectors/core/metrics";
import { resolveBase } from "../../../collectors/core/symbols";
import { HistoryLane } from "../../../collectors/pusher/history-lane";
import type { SimMarketVenue } from "../../../collectors/simulator/coin-catalog";
import type { VenueSimulator } from "../../../collectors/simulator/server";
import type { IngestEvent } from "../../../protocol/ingest";
import type { CandleReceiver } from "./candle-receiver";

/** Candle feeds running against the simulator and a receiver. */
export interface CandleRun {
  readonly lane: HistoryLane;
  readonly registry: MetricsRegistry;
  readonly markets: MarketDirectory;
  /** Events the feeds handed to the live pusher's sink (none expected from history feeds). */
  readonly liveEvents: IngestEvent[];
  stop(): Promise<void>;
}

/** The simulator's markets of a venue as its ticker feed would list them (`KRW-BTC`, `1000SATSUSDT`). */
export function simulatedMarkets(sim: VenueSimulator, venue: SimMarketVenue, bases: readonly string[]): ListedMarket[] {
  return bases.map((base) => {
    const coin = sim.market.coin(base);
    const ticker = coin?.listings[venue]?.ticker;
    if (!ticker) throw new Error(`${base} is not listed on ${venue}`);
    const krw = venue === "upbit" || venue === "bithumb";
    const asset = resolveBase(venue, ticker);
    return {
      venue,
      base: asset?.base ?? base,
      quote: krw ? "KRW" : "USDT",
      venueSymbol: krw ? `KRW-${ticker}` : `${ticker}USDT`,
    };
  });
}

/**
 * Starts `feeds` with `markets` already listed, pushing history to `receiver` (the stand-in, or the real
 * Worker or a proxy in front of it: anything with the Worker's URL and the collector token).
 */
export function runCandleFeeds(
  feeds: readonly Feed[],
  sim: VenueSimulator,
  receiver: Pick<CandleReceiver, "url" | "token">,
  options: { markets: readonly ListedMarket[]; candles?: CandleTuning; maxQueuedEvents?: number },
): CandleRun {
  const controller = new AbortController();
  const registry = new MetricsRegistry();
  const markets = new MarketDirectory();
  for (const m of options.markets) markets.add(m);
  const lane = new HistoryLane({
    workerUrl: receiver.url,
    token: receiver.token,
    source: "simulated",
    log: silentLogger,
    maxQueuedEvents: options.maxQueuedEvents,
    backoff: { initialMs: 50, maxMs: 200 },
  });
  registry.setHistoryLane(() => lane.stats());
  lane.start();
  const liveEvents: IngestEvent[] = [];
  const runs = feeds.map((feed) =>
    runFeed(feed, {
      endpoints: simulatedEndpoints(feed, sim.url),
      signal: controller.signal,
      sink: { events: (e) => liveEvents.push(...e) },
      log: silentLogger,
      metrics: registry,
      history: lane,
      markets,
      tuning: { backoff: { initialMs: 50, maxMs: 200 }, candles: options.candles },
    }),
  );
  return {
    lane,
    registry,
    markets,
    liveEvents,
    stop: async () => {
      controller.abort();
      await Promise.all(runs);
      await lane.stop();
    },
  };
}
