import type { LiquidationVenue, Source } from "../protocol/common";
import type { LiquidationEvent } from "../protocol/ingest";
import {
  type LiquidationAggregate,
  LiquidationClientMessage,
  type LiquidationDebug,
  type LiquidationFilter,
  LiquidationQuery,
  type LiquidationRecord,
  type LiquidationSummary,
  type LiquidationWindow,
  LiquidationWindow as LiquidationWindowSchema,
  matchesFilter,
  type RecentLiquidations,
  VENUE_COMPLETENESS,
  type VenueFeedState,
  type WindowTotals,
  withKrw,
} from "../protocol/liquidations";
import { LIQUIDATION_VENUES } from "../protocol/venues";
import { marketBoard } from "./addresses";
import { AlertBook } from "./alerts/alert-book";
import { loadLiquidationRules } from "./alerts/alert-rows";
import { evaluateLiquidationAlerts } from "./alerts/liquidation-alerts";
import { LiquidationFanout, type LiquidationSocketState } from "./liquidations/liquidation-fanout";
import { type FeedApplyResult, LIQUIDATION_RETENTION_MS, LiquidationStore } from "./liquidations/liquidation-store";
import { floorMinute, windowStart, windowTotals } from "./liquidations/liquidation-windows";
import { UsdKrwRate } from "./liquidations/usd-krw-rate";
import { HibernatingObject } from "./sockets/hibernating-object";
import { readFanoutInterval } from "./support/settings";

export { type FeedApplyResult, LIQUIDATION_RETENTION_MS } from "./liquidations/liquidation-store";

const LARGEST_IN_AGGREGATE = 10;
/** The newest liquidations an aggregate lists (the seed's `liquidations`). */
const RECENT_IN_AGGREGATE = 100;
const LARGEST_IN_SUMMARY = 5;
/** Snapshot size of `/ws/liquidations` unless the socket asks for another `limit`. */
const DEFAULT_SNAPSHOT = 100;

const WINDOWS = LiquidationWindowSchema.options;
/** Fired alerts the queue did not take are sent again after this long. */
const ALERT_RETRY_MS = 2_000;

/** Options of the read methods: `now` is the clock (tests pass one; the gateway leaves it out). */
export interface ReadOptions {
  now?: number;
}

/**
 * LiquidationFeed: the one object that holds liquidations from every venue. It counts each
 * liquidation once (by venue and venue id) in its SQLite store, serves windowed statistics (1h, 4h,
 * 12h, 24h sums of minute buckets), the newest liquidations and the feed's state, streams new ones to
 * `/ws/liquidations`, and relays each newly counted one, once, to the MarketBoard for `/ws/prices`.
 * It evaluates the liquidation alerts (rules from D1) on each newly counted liquidation and sends
 * what fires to the `notifications` queue.
 *
 * KRW figures use the MarketBoard's current USD/KRW rate. Every method takes its clock from `now`
 * (default `Date.now()`), so tests can move time without sleeping.
 */
export class LiquidationFeed extends HibernatingObject<LiquidationSocketState, LiquidationClientMessage> {
  protected readonly clientMessages = LiquidationClientMessage;
  private readonly store: LiquidationStore;
  private readonly fanout: LiquidationFanout;
  private readonly rate: UsdKrwRate;
  private readonly alerts: AlertBook;
  /** Relays to the board, chained so they arrive in the order they were counted. */
  private relayChain: Promise<void> = Promise.resolve();
  /** Bumped on every applied change, so a cached summary is reused only while nothing changed. */
  private version = 0;
  private summaryCache: { key: string; value: LiquidationSummary; json: string } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.fanout = new LiquidationFanout(this.sockets, this, readFanoutInterval(env));
    this.rate = new UsdKrwRate(async () => (await marketBoard(env).exchangeRate()).exchange_rate);
    this.store = new LiquidationStore(ctx.storage);
    this.alerts = new AlertBook(ctx.storage.sql, env.NOTIFICATIONS, () => loadLiquidationRules(env.DB));
    // Fired alerts a previous instance stored and did not queue.
    if (this.alerts.outbox.size() > 0) void ctx.storage.setAlarm(Date.now() + 100);
  }

  // --- writing ---------------------------------------------------------------------------------

  /**
   * Counts a batch of liquidations, each (venue, id) once however often it is sent; see
   * `LiquidationStore.apply`. Every write lands in storage before this returns; the newly counted
   * ones then go to `/ws/liquidations` and, through the board, to `/ws/prices`.
   */
  async apply(events: LiquidationEvent[], source: Source, now = Date.now()): Promise<FeedApplyResult> {
    await this.alerts.ready();
    const { result, accepted } = this.store.apply(events, source, now);
    if (accepted.length > 0) {
      if (evaluateLiquidationAlerts(this.alerts, accepted, Date.now()) > 0) void this.sendAlerts();
      this.version++;
      this.fanout.push(accepted);
      this.relay(accepted);
      // Have a fresh rate ready for the flush (which can't wait for one).
      if (this.sockets.count() > 0) void this.rate.current();
    }
    return result;
  }

  /** The gateway changed liquidation alerts in D1: re-reads them. Answers how many are active. */
  async reloadAlerts(): Promise<number> {
    return this.alerts.reload();
  }

  /**
   * Liquidation alerts and fired events not yet queued, and rule evaluations and firings since this
   * instance started (for tests, operators and `/metrics`).
   */
  alertStatus(): { alerts: number; unsent: number; evaluations: number; fired: number } {
    return { alerts: this.alerts.size(), unsent: this.alerts.outbox.size(), ...this.alerts.counts };
  }

  /** Sends fired alerts the queue did not take. */
  override async alarm(): Promise<void> {
    await this.sendAlerts();
  }

  private async sendAlerts(): Promise<void> {
    if (await this.alerts.outbox.flush()) await this.ctx.storage.setAlarm(Date.now() + ALERT_RETRY_MS);
  }

  /** Hands newly counted liquidations to the board's `/ws/prices` stream (best effort, in order). */
  private relay(accepted: LiquidationRecord[]): void {
    this.relayChain = this.relayChain
      .then(() => marketBoard(this.env).relayLiquidations(accepted))
      .catch((err) =>
        console.warn(JSON.stringify({ msg: "liquidations not relayed to /ws/prices", error: String(err) })),
      );
  }

  // --- reading ---------------------------------------------------------------------------------

  /** `GET /api/liquidations/aggregated`: totals per venue and overall, and the largest, over one window. */
  async aggregated(window: LiquidationWindow, options: ReadOptions = {}): Promise<LiquidationAggregate> {
    const now = options.now ?? Date.now();
    const rate = await this.rate.current();
    const from = windowStart(window, now);
    const [sums] = this.store.sumsSince([from]);
    const totals = windowTotals(sums, from, rate);
    return {
      window,
      from,
      to: now,
      exchange_rate: rate,
      venues: totals.venues,
      total: totals.total,
      largest: this.store.largestSince(from, LARGEST_IN_AGGREGATE).map((l) => withKrw(l, rate)),
      liquidations: this.store
        .recent()
        .filter((l) => l.timestamp >= from)
        .slice(0, RECENT_IN_AGGREGATE)
        .map((l) => withKrw(l, rate)),
      timestamp: now,
    };
  }

  /**
   * Totals for every window, the largest of the last 24 h and the newest liquidation. The
   * MarketBoard passes its own USD/KRW rate (it has it at hand); other callers leave it out.
   */
  async summary(options: ReadOptions & { exchangeRate?: number | null } = {}): Promise<LiquidationSummary> {
    const rate = options.exchangeRate !== undefined ? options.exchangeRate : await this.rate.current();
    if (options.exchangeRate !== undefined) this.rate.set(options.exchangeRate);
    return this.summaryAt(options.now ?? Date.now(), rate).value;
  }

  /** The summary at a time and rate, reused while nothing changed within the same minute. */
  private summaryAt(now: number, rate: number | null): { value: LiquidationSummary; json: string } {
    const key = `${this.version}|${floorMinute(now)}|${rate}`;
    if (this.summaryCache?.key === key) return this.summaryCache;
    const starts = WINDOWS.map((w) => windowStart(w, now));
    const sums = this.store.sumsSince(starts);
    const windows = {} as Record<LiquidationWindow, WindowTotals>;
    WINDOWS.forEach((w, i) => {
      windows[w] = windowTotals(sums[i], starts[i], rate);
    });
    const latest = this.store.recent()[0];
    const value: LiquidationSummary = {
      exchange_rate: rate,
      windows,
      largest_24h: this.store.largestSince(windowStart("24h", now), LARGEST_IN_SUMMARY).map((l) => withKrw(l, rate)),
      latest: latest ? withKrw(latest, rate) : null,
      completeness: VENUE_COMPLETENESS,
      timestamp: now,
    };
    this.summaryCache = { key, value, json: JSON.stringify(value) };
    return this.summaryCache;
  }

  /** The newest liquidations passing a filter, newest first (`GET /api/liquidations/recent`). */
  async recent(filter: LiquidationFilter, limit: number): Promise<RecentLiquidations> {
    const rate = await this.rate.current();
    return {
      liquidations: this.recentMatching(filter, limit).map((l) => withKrw(l, rate)),
      exchange_rate: rate,
      timestamp: Date.now(),
    };
  }

  private recentMatching(filter: LiquidationFilter, limit: number): LiquidationRecord[] {
    const out: LiquidationRecord[] = [];
    for (const l of this.store.recent()) {
      if (out.length >= limit) break;
      if (matchesFilter(l, filter)) out.push(l);
    }
    return out;
  }

  /** Per-venue feed state and storage figures, for operators. */
  async debug(options: ReadOptions = {}): Promise<LiquidationDebug> {
    const now = options.now ?? Date.now();
    const [hour, day] = this.store.sumsSince([windowStart("1h", now), windowStart("24h", now)]);
    const venues = {} as Record<LiquidationVenue, VenueFeedState>;
    for (const venue of LIQUIDATION_VENUES) {
      const h = hour.get(venue);
      const d = day.get(venue);
      venues[venue] = {
        completeness: VENUE_COMPLETENESS[venue].completeness,
        ...this.store.countersOf(venue),
        count_1h: h ? h.long_count + h.short_count : 0,
        count_24h: d ? d.long_count + d.short_count : 0,
      };
    }
    return {
      venues,
      storage: { ...this.store.storageFigures(), retention_ms: LIQUIDATION_RETENTION_MS },
      exchange_rate: this.rate.state(),
      subscribers: this.sockets.count(),
      timestamp: now,
    };
  }

  // --- WebSockets ------------------------------------------------------------------------------

  /**
   * Accepts a `/ws/liquidations` upgrade forwarded by the gateway (which has validated the query
   * string already; it is parsed again here because only the URL crosses over).
   */
  override async fetch(request: Request): Promise<Response> {
    const query = LiquidationQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) return new Response("Bad filter", { status: 400 });
    await this.rate.current();
    const state: LiquidationSocketState = {
      filter: filterFrom(query.data.venue, query.data.symbol, query.data.min_usd),
      limit: query.data.limit ?? DEFAULT_SNAPSHOT,
      seq: 0,
      heard_at: Date.now(),
    };
    return this.acceptUpgrade(request, ["liquidations"], state);
  }

  protected override sendSnapshot(ws: WebSocket): void {
    const state = this.sockets.stateOf(ws);
    if (!state) return;
    const rate = this.rate.cached();
    const liquidations = this.recentMatching(state.filter, state.limit).map((l) => withKrw(l, rate));
    const summary = this.summaryAt(Date.now(), rate).json;
    this.sendFrame(ws, "snapshot", `"data":{"liquidations":${JSON.stringify(liquidations)},"summary":${summary}}`);
  }

  protected override async onClientMessage(
    ws: WebSocket,
    message: LiquidationClientMessage,
    state: LiquidationSocketState,
  ): Promise<void> {
    if (message.op === "filter") {
      state.filter = filterFrom(
        message.venue,
        message.symbol?.map((s) => s.toUpperCase()),
        message.min_usd,
      );
      this.sockets.save(ws, state);
    }
    await this.rate.current();
    this.requestSnapshot(ws);
  }

  // --- LiquidationFanoutSource -----------------------------------------------------------------

  renderLiquidation(l: LiquidationRecord): string {
    return JSON.stringify(withKrw(l, this.rate.cached()));
  }

  renderSummary(): string {
    return this.summaryAt(Date.now(), this.rate.cached()).json;
  }
}

/** A socket's filter from its query or `filter` message (absent fields match everything). */
function filterFrom(venues?: LiquidationVenue[], symbols?: string[], minUsd?: number): LiquidationFilter {
  return {
    venues: venues ? [...new Set(venues)] : null,
    symbols: symbols ? [...new Set(symbols)] : null,
    min_usd: minUsd ?? 0,
  };
}
