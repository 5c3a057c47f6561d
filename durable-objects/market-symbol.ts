import { type CandleCoverageEvent, type CandleEvent, FUTURE_ALLOWANCE_MS, keepsHeld } from "../protocol/ingest";
import type { CandleRow, Coin, PremiumHistoryPoint, PremiumStats } from "../protocol/market";
import {
  CANDLE_RETENTION_MS,
  type CandleInterval,
  type CandleResolution,
  INTERVAL_MS,
  isBoardMarket,
  KRW_VENUES,
} from "../protocol/venues";
import { fanoutShard, marketBoard, marketSymbol, userLedger } from "./addresses";
import { AlertBook } from "./alerts/alert-book";
import { loadCoinRules } from "./alerts/alert-rows";
import { evaluateCoinAlerts } from "./alerts/coin-alerts";
import { candleChart } from "./market/candle-chart";
import { DraftCandles } from "./market/draft-candles";
import { OrderMatcher } from "./market/order-matcher";
import { PremiumBackfill, type RatesOfRange } from "./market/premium-backfill";
import { distributionSummary, hasHistory, type PremiumWindows } from "./market/premium-context";
import { PremiumHistory } from "./market/premium-history";
import type { RateHistory } from "./market/rate-series";
import type { SymbolUpdateAnswer } from "./market/symbol-outbox";
import type { SymbolUpdate } from "./market/symbol-update";
import { type CandleCoverage, VenueCandles } from "./market/venue-candles";
import { toAsciiJson } from "./sockets/ascii-json";
import type { StreamPublisher, StreamSnapshot } from "./sockets/shard-protocol";
import { ShardedFanout, type ShardedFanoutSource } from "./sockets/sharded-fanout";
import { EvictableObject } from "./support/evictable-object";
import { readFanoutInterval, readShardCeiling } from "./support/settings";
import type { MatchMessage, RestingOrder } from "./trading/records";
import { readTradingConfig } from "./trading/trading-config";

/** How long after candles arrive their premium history is computed (one run for a burst of batches). */
const PREMIUM_WORK_DELAY_MS = 2_000;
/** The premium windows are summed up again at most this often from live premiums alone. */
const WINDOWS_EVERY_MS = 10 * 60_000;
/** Fired alerts the queue did not take are sent again after this long. */
const ALERT_RETRY_MS = 2_000;

/**
 * MarketSymbol: one object per coin (addressed by `idFromName(BASE)`). It keeps the coin's history in
 * SQLite: each venue's closed candles from the venues' own candle APIs (`VenueCandles`: 1m for 7 days,
 * 1h for a year, 1d for good), the provisional candle of minutes no venue candle has arrived for
 * (`DraftCandles`, from ticks), and the premium history computed from them (`PremiumHistory`,
 * `PremiumBackfill`), summed up into the windows the board rates today's premium against. It serves
 * `/ws/prices/{symbol}` with conflated updates, and it is where the coin's resting orders wait
 * (`OrderMatcher`): every tick the board delivers is matched against them, and what fills goes to the
 * users' ledgers. It evaluates the coin's alerts (`AlertBook`, rules from D1) on every update, sends
 * what fires to the `notifications` queue, and tells the board where its alerts would change state
 * (`AlertBands`). The MarketBoard delivers its updates (see `SymbolUpdate`): within one fan-out
 * interval while someone watches this coin's stream or an order rests on it, and for a tick that
 * reaches an alert band; about once a second otherwise.
 */
export class MarketSymbol extends EvictableObject implements ShardedFanoutSource, StreamPublisher {
  private coin: Coin | null = null;
  private readonly fanout: ShardedFanout;
  private readonly matcher: OrderMatcher;
  private readonly venueCandles: VenueCandles;
  private readonly drafts: DraftCandles;
  private readonly premiums: PremiumHistory;
  private readonly premiumBackfill: PremiumBackfill;
  private readonly alerts: AlertBook;
  /** This coin's symbol, once an update or an alert change has named it. */
  private symbol: string | null = null;
  /** The alert bands the board last accepted (JSON), and the sends in flight, one after another. */
  private bandsSent: string | null = null;
  private bandsChain: Promise<void> = Promise.resolve();
  /** The alerts' `changes()` when the bands were last looked at (-1: not since this instance started). */
  private bandsVersion = -1;
  private lastPrune = 0;
  private windowsAt = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.fanout = new ShardedFanout(ctx, this, readFanoutInterval(env), readShardCeiling(env), (name) =>
      fanoutShard(env, name),
    );
    const trading = readTradingConfig(env);
    this.matcher = new OrderMatcher(ctx.storage, trading.participation, trading.priceStaleMs, (userId, messages) =>
      userLedger(env, userId).applyMatches(messages),
    );
    // Matches a previous instance stored but did not deliver.
    if (this.matcher.pendingMessages() > 0) void ctx.storage.setAlarm(Date.now() + 100);
    const sql = ctx.storage.sql;
    this.venueCandles = new VenueCandles(sql);
    this.drafts = new DraftCandles(sql);
    this.premiums = new PremiumHistory(sql);
    this.premiumBackfill = new PremiumBackfill(sql, this.venueCandles, this.premiums, (r, from, to) =>
      this.ratesOf(r, from, to),
    );
    sql.exec("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, data TEXT NOT NULL)");
    const row = sql.exec<{ data: string }>("SELECT data FROM state WHERE name = 'coin'").toArray()[0];
    if (row) this.coin = JSON.parse(row.data) as Coin;
    this.symbol = this.coin?.symbol ?? null;
    this.bandsSent =
      sql.exec<{ data: string }>("SELECT data FROM state WHERE name = 'alert_bands_sent'").toArray()[0]?.data ?? null;
    this.alerts = new AlertBook(sql, env.NOTIFICATIONS, async () =>
      this.symbol ? loadCoinRules(env.DB, this.symbol) : [],
    );
    // Fired alerts a previous instance stored and did not queue.
    if (this.alerts.outbox.size() > 0) void this.scheduleAlarm(100);
    // Premium periods a previous instance marked and did not compute.
    if (this.premiumBackfill.hasWork()) void this.scheduleAlarm(PREMIUM_WORK_DELAY_MS);
  }

  /**
   * Applies an update from the board. Idempotent: candles merge by max/min and tick time, premium
   * points by their time, and the coin view only moves forward (unless the one held is dated beyond
   * any event's future allowance), so a retried delivery changes nothing; resting orders are matched
   * against the update's ticks (a tick seen twice fills nothing more: see `MatchingBook`). Answers
   * whether the board should deliver this coin promptly (sockets watch it, or orders rest on it), and
   * for the board's metrics: this stream's sockets and the alerts evaluated and fired by this update.
   */
  async applyUpdate(update: SymbolUpdate): Promise<SymbolUpdateAnswer> {
    this.symbol = update.coin.symbol;
    const evaluatedBefore = this.alerts.counts.evaluations;
    const firedBefore = this.alerts.counts.fired;
    await this.alerts.ready();
    for (const draft of update.candles) this.drafts.merge(draft);
    for (const point of update.premiums) this.premiums.recordLive(point);
    const previous = this.coin;
    if (!previous || !keepsHeld(newestPrice(previous), newestPrice(update.coin))) {
      this.coin = update.coin;
      this.ctx.storage.sql.exec(
        "INSERT INTO state (name, data) VALUES ('coin', ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
        JSON.stringify(update.coin),
      );
      this.fanout.markDirty(update.coin.symbol);
      if (evaluateCoinAlerts(this.alerts, update.coin, previous, Date.now()) > 0) void this.sendAlerts();
    }
    // Rules read (after a start, a change, the periodic re-read) or a state changed: the bands may have.
    if (this.alerts.changes() !== this.bandsVersion) void this.sendBands();
    const now = Date.now();
    if (this.matcher.onTicks(update.ticks ?? [], now) > 0) void this.deliverMatches();
    if (now - this.lastPrune > 60 * 60 * 1000) {
      this.lastPrune = now;
      this.prune(now);
    }
    if (update.premiums.length > 0 && now - this.windowsAt > WINDOWS_EVERY_MS) void this.scheduleAlarm(0);
    const subscribers = this.fanout.subscribers();
    return {
      watched: subscribers > 0 || this.matcher.size() > 0,
      subscribers,
      alert_evaluations: this.alerts.counts.evaluations - evaluatedBefore,
      alerts_fired: this.alerts.counts.fired - firedBefore,
    };
  }

  // --- alerts ----------------------------------------------------------------------------------

  /**
   * The gateway changed this coin's alerts in D1: re-reads them, evaluates them against the coin as
   * it stands (an alert whose condition already holds fires now), and tells the board the ticks that
   * must reach this coin promptly (its alert bands). Answers how many alerts are active here.
   */
  async reloadAlerts(symbol: string): Promise<number> {
    this.symbol = symbol;
    const count = await this.alerts.reload();
    if (count > 0 && this.coin && evaluateCoinAlerts(this.alerts, this.coin, this.coin, Date.now()) > 0) {
      void this.sendAlerts();
    }
    await this.sendBands();
    return count;
  }

  /**
   * Alerts evaluated here and fired events not yet queued, and rule evaluations and firings since this
   * instance started (for tests and operators).
   */
  alertStatus(): { alerts: number; unsent: number; evaluations: number; fired: number } {
    return { alerts: this.alerts.size(), unsent: this.alerts.outbox.size(), ...this.alerts.counts };
  }

  private async sendAlerts(): Promise<void> {
    if (await this.alerts.outbox.flush()) await this.scheduleAlarm(ALERT_RETRY_MS);
  }

  /**
   * Sends the board this coin's alert bands when they differ from those it last accepted (null: no
   * alerts), one send after another so an older one never lands last; a failure is retried by the alarm.
   */
  private sendBands(): Promise<void> {
    this.bandsVersion = this.alerts.changes();
    this.bandsChain = this.bandsChain.then(async () => {
      const symbol = this.symbol;
      if (!symbol) return;
      const now = Date.now();
      const bands = this.alerts.size() > 0 ? this.alerts.bands(now) : null;
      // A fired alert's re-arm edge joins the bands when its cooldown ends: look again then.
      const cooled = this.alerts.nextCooldownEnd(now);
      if (cooled !== null) await this.scheduleAlarm(cooled - now);
      const digest = JSON.stringify(bands);
      if (digest === this.bandsSent) return;
      try {
        await marketBoard(this.env).setAlertBands(symbol, bands);
      } catch (error) {
        console.error(
          JSON.stringify({ msg: "alert bands not sent to the board; will retry", symbol, error: String(error) }),
        );
        await this.scheduleAlarm(ALERT_RETRY_MS);
        return;
      }
      this.bandsSent = digest;
      this.ctx.storage.sql.exec(
        "INSERT INTO state (name, data) VALUES ('alert_bands_sent', ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
        digest,
      );
    });
    return this.bandsChain;
  }

  // --- resting orders ------------------------------------------------------------------------

  /**
   * Registers a resting order (a limit to fill, a stop to watch) from its user's ledger. Idempotent;
   * an order cancelled before its registration arrived is refused. From now on the board delivers
   * this coin's ticks promptly.
   */
  async restOrder(order: RestingOrder): Promise<"resting" | "cancelled"> {
    const answer = this.matcher.rest(order);
    if (answer === "resting") await marketBoard(this.env).watch(order.base);
    return answer;
  }

  /** Takes an order out of the book; returns its matches not yet delivered, for its ledger to apply. */
  async cancelOrder(orderId: string): Promise<MatchMessage[]> {
    return this.matcher.cancel(orderId);
  }

  /** Resting orders and undelivered matches, for tests and operators. */
  restingOrders(): { resting: number; undelivered: number } {
    return { resting: this.matcher.size(), undelivered: this.matcher.pendingMessages() };
  }

  private async deliverMatches(): Promise<void> {
    const left = await this.matcher.flush();
    if (left) await this.scheduleAlarm(this.matcher.retryAt() - Date.now());
  }

  /**
   * Retries the delivery of matches a ledger did not confirm (after a failure or a restart) and of
   * fired alerts the queue did not take, computes
   * the premium history of candles that arrived, and sums up the premium windows for the board.
   */
  override async alarm(): Promise<void> {
    if (this.matcher.pendingMessages() > 0) await this.deliverMatches();
    if (this.alerts.outbox.size() > 0) await this.sendAlerts();
    if (this.alerts.size() > 0 || this.bandsSent !== null) await this.sendBands();
    const now = Date.now();
    let hourlyChanged = false;
    try {
      hourlyChanged = await this.premiumBackfill.run(now);
    } catch (error) {
      console.error(JSON.stringify({ msg: "premium history not computed; will retry", error: String(error) }));
      await this.scheduleAlarm(30_000);
    }
    if (hourlyChanged || now - this.windowsAt > WINDOWS_EVERY_MS) await this.sendWindows(now);
  }

  /** Sets the alarm `delayMs` from now unless one is due sooner. */
  private async scheduleAlarm(delayMs: number): Promise<void> {
    const at = Date.now() + Math.max(0, delayMs);
    const current = await this.ctx.storage.getAlarm();
    if (current === null || current > at) await this.ctx.storage.setAlarm(at);
  }

  // --- venue candles and premium history -------------------------------------------------------

  /**
   * Closed candles and coverage statements from the collectors (through the gateway). Idempotent: a
   * candle replaces the one stored for its venue, resolution and start; coverage ranges merge. Only
   * the coin's board markets are kept (KRW on Korean venues, USDT on global ones).
   */
  async applyCandles(candles: CandleEvent[], coverage: CandleCoverageEvent[]): Promise<void> {
    const now = Date.now();
    const kept = candles.filter(
      (c) => isBoardMarket(c.venue, c.quote) && c.open_time >= now - CANDLE_RETENTION_MS[c.interval],
    );
    this.venueCandles.store(kept);
    this.venueCandles.cover(coverage.filter((c) => isBoardMarket(c.venue, c.quote)));
    const spans = new Map<CandleResolution, [number, number]>();
    for (const c of kept) {
      const span = spans.get(c.interval);
      const end = c.open_time + INTERVAL_MS[c.interval];
      spans.set(c.interval, span ? [Math.min(span[0], c.open_time), Math.max(span[1], end)] : [c.open_time, end]);
    }
    for (const [resolution, [from, to]] of spans) this.premiumBackfill.markDirty(resolution, from, to);
    if (spans.size > 0) await this.scheduleAlarm(PREMIUM_WORK_DELAY_MS);
  }

  /** What the collectors have covered of one venue's candles, per resolution. */
  candleCoverage(venue: string): CandleCoverage {
    return this.venueCandles.coverage(venue);
  }

  /**
   * USDT/KRW over a period range, per Korean venue: the closes of this coin's KRW candles (asked of the
   * USDT object by the others, for their premium history), with the daily closes as fallback.
   */
  krwCloses(resolution: CandleResolution, from: number, to: number): Partial<Record<string, RateHistory>> {
    const out: Partial<Record<string, RateHistory>> = {};
    for (const venue of KRW_VENUES) {
      const closes = (r: CandleResolution, since: number) =>
        this.venueCandles.rows(venue, r, since, to).map((c): [number, number] => [c.open_time, c.close]);
      const points = closes(resolution, from - INTERVAL_MS[resolution]);
      if (points.length > 0) out[venue] = { points, daily: closes("1d", from - 10 * INTERVAL_MS["1d"]) };
    }
    return out;
  }

  private async ratesOf(resolution: CandleResolution, from: number, to: number): Promise<RatesOfRange> {
    const [usdKrw, usdtKrw] = await Promise.all([
      marketBoard(this.env).usdKrwHistory(resolution, from, to),
      marketSymbol(this.env, "USDT").krwCloses(resolution, from, to),
    ]);
    // RPC types widen tuples to arrays; the values are the [time, rate] pairs sent.
    return { usdKrw: usdKrw as RateHistory, usdtKrw: usdtKrw as Partial<Record<string, RateHistory>> };
  }

  /** Sends the board the coin's premium windows when they differ from those it was last sent. */
  private async sendWindows(now: number): Promise<void> {
    const symbol = this.coin?.symbol;
    if (!symbol) return;
    this.windowsAt = now;
    const windows = this.premiumBackfill.windows(now);
    const digest = JSON.stringify([windows["30d"], windows["90d"]]);
    const sql = this.ctx.storage.sql;
    const sent = sql.exec<{ data: string }>("SELECT data FROM state WHERE name = 'windows_sent'").toArray()[0];
    if (sent?.data === digest || (!sent && !hasHistory(windows))) return;
    await marketBoard(this.env).setPremiumWindows(symbol, windows);
    sql.exec(
      "INSERT INTO state (name, data) VALUES ('windows_sent', ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
      digest,
    );
  }

  /** The coin's premium distributions (last 30 and 90 days of hourly premiums), for the stats route. */
  premiumWindows(): PremiumStats["windows"] {
    const windows = this.premiumBackfill.windows();
    const summary = (w: PremiumWindows["30d"]) => ({
      premium_percent: distributionSummary(w.usd),
      usdt_premium_percent: distributionSummary(w.usdt),
    });
    return { "30d": summary(windows["30d"]), "90d": summary(windows["90d"]) };
  }

  /**
   * Drops history past its retention, and any row dated further ahead than an event may be (left by
   * a wrong clock before event times were bounded): such a row would merge into the real one of its
   * minute when that minute comes.
   */
  prune(now = Date.now()): void {
    const future = now + FUTURE_ALLOWANCE_MS;
    this.venueCandles.prune(now);
    this.drafts.prune(now - CANDLE_RETENTION_MS["1m"], future);
    this.premiums.prune(now, future);
  }

  /** The coin as last reported by the board, or null if it never ticked. */
  latest(): Coin | null {
    return this.coin;
  }

  /**
   * One venue's chart, oldest first: the venue's own closed candles, rolled up to the interval, and the
   * still-open period from finer ones and the ticks (see `candleChart`).
   */
  candles(venue: string, interval: CandleInterval, limit: number): CandleRow[] {
    return candleChart(interval, limit, Date.now(), (layer, from) =>
      layer === "live" ? this.drafts.rows(venue, from) : this.venueCandles.rows(venue, layer, from),
    );
  }

  /** The premium history, oldest first: the premium at the close of each period. */
  premiumHistory(interval: CandleInterval, limit: number): PremiumHistoryPoint[] {
    return this.premiums.history(interval, limit, Date.now());
  }

  // --- the stream's shards (StreamPublisher) ----------------------------------------------------

  /** The shard a new `/ws/prices/{symbol}` socket goes to (by load; see `ShardDirectory`). */
  placeSubscriber(stream: string): string {
    return this.fanout.place(stream);
  }

  /** The coin as last published to its stream, numbered with the stream's last flush. */
  streamSnapshot(stream: string): StreamSnapshot {
    return this.fanout.snapshot(stream, null);
  }

  /** A snapshot's `data`: the coin as last published (the next flush's patch applies to exactly that). */
  renderSnapshot(): string {
    const coin = this.coin;
    return toAsciiJson({ coins: coin ? [this.fanout.snapshotState(coin.symbol, () => coin)] : [] });
  }

  // --- ShardedFanoutSource ------------------------------------------------------------------------------

  currentState(): Coin | undefined {
    return this.coin ?? undefined;
  }

  renderGlobals(): string {
    return "";
  }
}

/** The newest venue timestamp in a coin, to keep an older board view from replacing a newer one. */
function newestPrice(coin: Coin): number {
  return Math.max(0, ...Object.values(coin.prices).map((p) => p?.timestamp ?? 0));
}
