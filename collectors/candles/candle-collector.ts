import type { CandleCoverageEvent, CandleEvent, IngestEvent } from "../../protocol/ingest";
import { CANDLE_RESOLUTIONS, type CandleResolution, INTERVAL_MS, marketKey } from "../../protocol/venues";
import { sleep } from "../core/abortable-sleep";
import { Backoff } from "../core/backoff";
import { validateEvent } from "../core/event-validation";
import type { FeedContext } from "../core/feed";
import type { HistoryFeedMetrics } from "../core/history-metrics";
import { HttpStatusError, RateLimitedError, rateLimitedWait } from "../core/http-errors";
import { errorMessage } from "../core/log";
import type { ListedMarket } from "../core/market-directory";
import { parseJson } from "../core/parse";
import { restGet } from "../core/rest-client";
import type { TimeRange } from "../core/time-ranges";
import type { TokenBucket } from "../core/token-bucket";
import { Waiters } from "../core/waiters";
import { type HistoryLane, HistoryLaneStoppedError, HistoryRejectedError } from "../pusher/history-lane";
import { CoverageUnsupportedError, fetchCoverage } from "../pusher/worker-coverage";
import { type BackfillJob, BackfillQueue } from "./backfill-queue";
import { candleBucket, type ResolvedCandleTuning, resolveCandleTuning, wantedWindow } from "./candle-tuning";
import type { CandleRequest, CandleVenue } from "./candle-venue";
import { CoverageBook } from "./coverage-book";
import { upkeepEveryMs } from "./upkeep-pace";

/** The history lane's priority of each resolution's pages (see `HistoryLane.admit`). */
const LANE_PRIORITY: Record<CandleResolution, number> = { "1d": 0, "1h": 1, "1m": 2 };

/** How long to wait before asking an older Worker (no coverage route) again. */
const UNSUPPORTED_RETRY_MS = 5 * 60_000;
/** How long a market the venue does not know (404, invalid symbol) is left alone. */
const UNKNOWN_MARKET_MS = 60 * 60_000;
const COVERAGE_QUERIES = 4; // coverage queries to the Worker at once

/**
 * Runs one venue's candles until `ctx.signal` aborts (see {@link CandleCollector}); idle, waiting for
 * the stop, when the process has no history lane.
 */
export async function collectCandles(ctx: FeedContext, venue: CandleVenue): Promise<void> {
  if (!ctx.history) {
    ctx.log.info("no history lane in this process: candles are not collected");
    await sleep(Number.MAX_SAFE_INTEGER / 2, ctx.signal);
    return;
  }
  await new CandleCollector(ctx, venue, ctx.history).run();
}

/**
 * One venue's candles: for every market its ticker feed has seen, it asks the Worker what is covered,
 * fetches what is missing of each resolution's wanted window (newest first, in the order of
 * {@link BackfillQueue}), and sends each page with a coverage statement through the history lane; a
 * range counts as covered once the Worker acknowledged it. Each minute (a few seconds after the
 * boundary) it looks for newly closed intervals the same way, so steady state, a restart and an
 * outage (of the venue, the Worker or this process) all come down to filling gaps. Requests are paced
 * by a token bucket at a share of the venue's published limit; 429/418 (and the venue's own ban
 * status) with `Retry-After` pause the venue.
 */
export class CandleCollector {
  private readonly tuning: ResolvedCandleTuning;
  private readonly book = new CoverageBook();
  private readonly queue = new BackfillQueue();
  private readonly markets = new Map<string, ListedMarket>();
  private readonly unknownUntil = new Map<string, number>();
  private readonly toLoad: ListedMarket[] = [];
  /** When each market was last planned (its gaps queued). */
  private readonly plannedAt = new Map<string, number>();
  private readonly bucket: TokenBucket;
  private readonly metrics: HistoryFeedMetrics;
  private readonly failures: Backoff;
  private readonly refusals = new Backoff({ initialMs: 30_000, maxMs: 10 * 60_000 });
  private rateLimitedInARow = 0;
  private unacknowledged = 0;
  private readonly acknowledgements = new Waiters();
  private readonly loads = new Waiters();

  constructor(
    private readonly ctx: FeedContext,
    private readonly venue: CandleVenue,
    private readonly lane: HistoryLane,
  ) {
    this.tuning = resolveCandleTuning(ctx.tuning.candles);
    this.bucket = candleBucket(venue, this.tuning);
    this.failures = new Backoff({ initialMs: 500, maxMs: 30_000, ...ctx.tuning.backoff });
    this.metrics = ctx.registry.history(ctx.venue, "candle", venue.venue);
    this.metrics.progress = () => this.progress();
  }

  /** Runs until the feed stops. */
  async run(): Promise<void> {
    const { signal } = this.ctx;
    const unsubscribe = this.ctx.markets.onMarket((m) => this.discover(m));
    const unrecovered = this.lane.onRecovered(() => this.reloadCoverage());
    for (const m of this.ctx.markets.markets(this.venue.venue)) this.discover(m);
    const requestsPerSecond = this.bucket.ratePerSecond / Math.max(1, this.bucket.capacity);
    // A second's worth of requests in flight (at least 4, at most 32): a venue a few hundred ms away,
    // or a Worker slow to take a page, must not keep the pace under the bucket's.
    const fetchers = this.tuning.concurrency ?? Math.min(32, Math.max(4, Math.ceil(requestsPerSecond)));
    this.ctx.log.info("candles: following the ticker feed's markets", {
      markets: this.markets.size,
      requests_per_s: Math.round(requestsPerSecond * 100) / 100,
      fetchers,
    });
    try {
      await Promise.all([
        this.ticks(),
        ...Array.from({ length: COVERAGE_QUERIES }, () => this.loadCoverage()),
        ...Array.from({ length: fetchers }, () => this.fetch()),
      ]);
    } finally {
      unsubscribe();
      unrecovered();
    }
    if (!signal.aborted) throw new Error("the candle collector stopped by itself");
  }

  /** A market of this venue seen for the first time: its coverage is asked for, then it is planned. */
  private discover(market: ListedMarket): void {
    if (market.venue !== this.venue.venue) return;
    const key = marketKey(market.venue, market.base, market.quote);
    if (this.markets.has(key)) return;
    this.markets.set(key, market);
    this.toLoad.push(market);
    this.loads.wakeOne();
  }

  /** After an outage of the Worker: learn again what it holds (a union with what was acknowledged here). */
  private reloadCoverage(): void {
    this.toLoad.push(...this.markets.values());
    this.loads.wakeAll();
  }

  /** One of the workers asking the Worker for coverage, then planning the market. */
  private async loadCoverage(): Promise<void> {
    const { signal } = this.ctx;
    const backoff = new Backoff({ initialMs: 1000, maxMs: 30_000, ...this.ctx.tuning.backoff });
    let warnedUnsupported = false;
    while (!signal.aborted) {
      const market = this.toLoad.shift();
      if (!market) {
        await this.loads.wait(signal);
        continue;
      }
      try {
        const coverage = await fetchCoverage(this.lane.target, market, signal);
        const key = marketKey(market.venue, market.base, market.quote);
        for (const r of CANDLE_RESOLUTIONS) this.book.learn(key, r, coverage[r]);
        backoff.reset();
        this.plan(market, Date.now());
      } catch (error) {
        if (signal.aborted) return;
        this.toLoad.unshift(market);
        if (error instanceof CoverageUnsupportedError) {
          if (!warnedUnsupported) {
            this.ctx.log.warn("the Worker does not keep candle coverage yet; candles wait for it", {
              retry_in_s: UNSUPPORTED_RETRY_MS / 1000,
            });
            warnedUnsupported = true;
          }
          await sleep(UNSUPPORTED_RETRY_MS, signal);
        } else {
          const wait = backoff.next();
          if (backoff.failures <= 3 || backoff.failures % 20 === 0) {
            this.ctx.log.warn("could not read candle coverage from the Worker; retrying", {
              error: errorMessage(error),
              in_ms: wait,
            });
          }
          await sleep(wait, signal);
        }
      }
    }
  }

  /** Queues what is missing of each resolution's wanted window for one market. */
  private plan(market: ListedMarket, now: number): void {
    const key = marketKey(market.venue, market.base, market.quote);
    this.plannedAt.set(key, now);
    if ((this.unknownUntil.get(key) ?? 0) > now) return;
    const charted = this.ctx.markets.charted(market);
    for (const interval of CANDLE_RESOLUTIONS) {
      for (const gap of this.book.gaps(key, interval, wantedWindow(interval, now, this.tuning))) {
        this.book.pend(key, interval, gap);
        this.queue.add(market, key, interval, gap, charted);
      }
    }
  }

  /**
   * Each tick (a little after every minute boundary), newly closed intervals of the loaded markets
   * due for it: every market every tick when the venue's pace allows, else each market every few
   * ticks (see `upkeepEveryMs`).
   */
  private async ticks(): Promise<void> {
    const { signal } = this.ctx;
    const { tickMs, settleMs } = this.tuning;
    while (!signal.aborted) {
      const now = Date.now();
      // The next boundary's settle point (this minute's if still ahead), with a little jitter.
      const next = Math.floor((now - settleMs) / tickMs) * tickMs + tickMs + settleMs;
      await sleep(next - now + Math.floor(Math.random() * 250), signal);
      if (signal.aborted) return;
      const at = Date.now();
      const every = this.upkeepEveryMs();
      // Settled intervals, not ms: a market planned late in the last minute is due now.
      const settledTicks = (t: number) => Math.floor((t - settleMs) / tickMs);
      const loading = new Set(this.toLoad);
      for (const [key, market] of this.markets) {
        if (loading.has(market)) continue;
        if (settledTicks(at) - settledTicks(this.plannedAt.get(key) ?? 0) < every / tickMs) continue;
        this.plan(market, at);
      }
    }
  }

  /** How often each market is looked at in steady state (see {@link upkeepEveryMs}). */
  private upkeepEveryMs(): number {
    const requestsPerSecond = this.bucket.ratePerSecond / this.bucket.capacity;
    return upkeepEveryMs(this.markets.size, requestsPerSecond, this.tuning.tickMs);
  }

  /** One fetcher: takes the next gap in order, fetches its newest page, sends it, puts the rest back. */
  private async fetch(): Promise<void> {
    const { signal } = this.ctx;
    while (!signal.aborted) {
      while (this.unacknowledged >= this.tuning.maxUnacknowledgedPages && !signal.aborted) {
        await this.acknowledgements.wait(signal);
      }
      const job = await this.queue.take(signal);
      if (!job) return;
      const request = this.venue.request(job.market, job.interval, [job.from, job.to]);
      if (!(await this.bucket.acquire(this.venue.requestCost, signal))) {
        this.queue.putBack(job);
        return;
      }
      await this.fetchPage(job, request);
    }
  }

  private async fetchPage(job: BackfillJob, request: CandleRequest): Promise<void> {
    const { ctx } = this;
    this.metrics.requests++;
    let text: string;
    let headers: Headers;
    try {
      ({ text, headers } = await restGet(ctx, this.venue.endpoint, request.path, { emit: false }));
    } catch (error) {
      this.failed(job, error);
      return;
    }
    const hold = this.venue.holdOff?.(headers);
    if (hold !== undefined) this.bucket.pause(hold);
    const receivedAt = Date.now();
    const { result, events } = ctx.collect({
      venue: ctx.venue,
      stream: request.stream,
      received_at: receivedAt,
      frame: text,
    });
    if (result.kind !== "data") {
      this.failed(job, new Error(result.kind === "error" ? result.error : "a control frame in place of candles"));
      return;
    }
    const fetched = events.filter(
      (e): e is CandleEvent =>
        e.kind === "candle" &&
        e.interval === request.fetched &&
        e.base === job.market.base &&
        e.quote === job.market.quote,
    );
    const coveredFrom = this.coveredFrom(job, request, text, fetched);
    if (coveredFrom === undefined) {
      this.failed(job, new Error("a full page without one readable candle"));
      return;
    }
    this.failures.reset();
    this.rateLimitedInARow = 0;
    const covered: TimeRange = [coveredFrom, job.to];
    const size = INTERVAL_MS[job.interval];
    const build = this.venue.built?.[job.interval];
    const candles = (build ? this.validated(build(fetched)) : fetched).filter(
      (c) =>
        c.interval === job.interval &&
        c.open_time >= covered[0] &&
        c.open_time < covered[1] &&
        c.open_time + size <= receivedAt,
    );
    if (coveredFrom > job.from) {
      job.to = coveredFrom;
      job.firstPage = false;
      this.queue.putBack(job);
    }
    this.metrics.fetched += candles.length;
    const coverage: CandleCoverageEvent = {
      kind: "candle_coverage",
      venue: job.market.venue,
      base: job.market.base,
      quote: job.market.quote,
      interval: job.interval,
      from: covered[0],
      to: covered[1],
      timestamp: receivedAt,
    };
    await this.send(job.key, job.interval, covered, [...candles, ...this.validated([coverage])], candles.length);
  }

  /**
   * Where the answer's coverage starts (interval-aligned, never before the job's start), or
   * undefined when a full `newest-before` answer held no readable candle.
   */
  private coveredFrom(
    job: BackfillJob,
    request: CandleRequest,
    text: string,
    fetched: readonly CandleEvent[],
  ): number | undefined {
    const size = INTERVAL_MS[job.interval];
    let from: number;
    if (this.venue.paging === "window") {
      from = request.window[0];
    } else {
      const rows = this.venue.answerRows?.(parseJson(text)) ?? fetched.length;
      if (rows < request.limit) from = job.from;
      else if (fetched.length === 0) return undefined;
      else from = Math.min(...fetched.map((c) => c.open_time));
    }
    return Math.min(job.to, Math.max(job.from, Math.ceil(from / size) * size));
  }

  /** Sends a page; the range counts as covered once the Worker acknowledged it. */
  private async send(
    key: string,
    interval: CandleResolution,
    covered: TimeRange,
    events: IngestEvent[],
    candles: number,
  ): Promise<void> {
    this.unacknowledged++;
    let acknowledged: Promise<void>;
    try {
      // Days first (few, and every chart starts with them), then hours (the premium's context), then minutes.
      ({ acknowledged } = await this.lane.admit(events, this.ctx.signal, LANE_PRIORITY[interval]));
    } catch {
      this.settled();
      this.book.release(key, interval, covered);
      return;
    }
    acknowledged.then(
      () => {
        this.book.acknowledge(key, interval, covered);
        this.metrics.acknowledged += candles;
        this.refusals.reset();
        this.settled();
      },
      (error: unknown) => {
        this.book.release(key, interval, covered);
        this.settled();
        if (error instanceof HistoryRejectedError) {
          this.metrics.refusedPages++;
          const wait = this.refusals.next();
          this.bucket.pause(wait);
          this.ctx.log.error("the Worker refused a page of candles; pausing this venue's candles", {
            interval,
            market: key,
            pause_ms: wait,
          });
        } else if (!(error instanceof HistoryLaneStoppedError)) {
          this.ctx.log.warn("a page of candles was not delivered", { error: errorMessage(error) });
        }
      },
    );
  }

  private settled(): void {
    this.unacknowledged--;
    this.acknowledgements.wakeOne();
  }

  /** Events the collector built itself go through the same schema check (and count) as the venue's. */
  private validated<E extends IngestEvent>(events: readonly E[]): E[] {
    const out: E[] = [];
    for (const e of events) {
      const checked = validateEvent(e);
      if (checked.ok) out.push(e);
      else {
        this.ctx.metrics.invalidEvents++;
        this.ctx.log.warn("event failed the ingest schema, dropped", { error: checked.error });
      }
    }
    return out;
  }

  /** A page that failed: the venue is paused (rate limits, bans, errors) and the gap is tried again. */
  private failed(job: BackfillJob, error: unknown): void {
    const { ctx } = this;
    if (ctx.signal.aborted) {
      this.queue.putBack(job);
      return;
    }
    if (error instanceof RateLimitedError) {
      this.rateLimitedInARow++;
      const wait = rateLimitedWait(error, 1000 * 2 ** Math.min(6, this.rateLimitedInARow - 1));
      this.bucket.pause(wait);
      ctx.log.warn("candles: the venue said slow down; pausing", { status: error.status, wait_ms: wait });
      this.queue.putBack(job);
      return;
    }
    if (error instanceof HttpStatusError && error.status === this.venue.ban?.status) {
      ctx.metrics.rateLimited++;
      this.bucket.pause(this.venue.ban.waitMs);
      ctx.log.warn("candles: the venue banned this IP for a while; pausing", {
        status: error.status,
        wait_ms: this.venue.ban.waitMs,
      });
      this.queue.putBack(job);
      return;
    }
    if (error instanceof HttpStatusError && error.status >= 400 && error.status < 500) {
      // The venue does not know this market (delisted, renamed): leave it alone for a while.
      this.unknownUntil.set(job.key, Date.now() + UNKNOWN_MARKET_MS);
      this.book.release(job.key, job.interval, [job.from, job.to]);
      ctx.log.warn("candles: the venue refused this market; skipping it for an hour", {
        market: job.market.venueSymbol,
        interval: job.interval,
        status: error.status,
        error: errorMessage(error).slice(0, 200),
      });
      return;
    }
    const wait = this.failures.next();
    this.bucket.pause(wait);
    if (this.failures.failures <= 3 || this.failures.failures % 20 === 0) {
      ctx.log.warn("candles: a request failed; retrying after a pause", {
        market: job.market.venueSymbol,
        interval: job.interval,
        error: errorMessage(error).slice(0, 200),
        wait_ms: wait,
      });
    }
    this.queue.putBack(job);
  }

  /** Per resolution: markets, markets complete, and the covered share of the wanted windows. */
  private progress() {
    const now = Date.now();
    const every = this.upkeepEveryMs();
    return this.book.progress([...this.markets.keys()], (interval) => {
      const wanted = wantedWindow(interval, now, this.tuning);
      // An interval that closed since the market was last due is not missing yet.
      return [wanted[0], Math.max(wanted[0], wanted[1] - Math.max(INTERVAL_MS[interval], every))];
    });
  }
}
