import { FUTURE_ALLOWANCE_MS, keepsHeld } from "../protocol/ingest";
import type { CandleRow, Coin, PremiumHistoryPoint } from "../protocol/market";
import { type CandleInterval, INTERVAL_MS } from "../protocol/venues";
import { CoinStreamClientMessage } from "../protocol/websocket";
import { marketBoard, userLedger } from "./addresses";
import { OrderMatcher } from "./market/order-matcher";
import { type CandleDraft, floorTo, type PremiumPoint, type SymbolUpdate } from "./market/symbol-update";
import { toAsciiJson } from "./sockets/ascii-json";
import { ConflatedFanout, type FanoutSource, type SocketState } from "./sockets/conflated-fanout";
import { HibernatingObject } from "./sockets/hibernating-object";
import { readFanoutInterval } from "./support/settings";
import type { MatchMessage, RestingOrder } from "./trading/records";
import { readTradingConfig } from "./trading/trading-config";

/** Candles and premium history are kept this long (1-minute rows; longer intervals are rolled up on read). */
export const HISTORY_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;

/**
 * MarketSymbol: one object per coin (addressed by `idFromName(BASE)`). It keeps 1-minute candles
 * per venue and the premium history in SQLite, one row per minute (not per tick), for 7 days,
 * and serves `/ws/prices/{symbol}` with conflated updates. It is also where the coin's resting
 * orders wait (`OrderMatcher`): every tick the board delivers is matched against them, and what fills
 * goes to the users' ledgers. The MarketBoard delivers its updates (see `SymbolUpdate`): within one
 * fan-out interval while someone watches this coin's stream or an order rests on it, about once a
 * second otherwise.
 */
export class MarketSymbol extends HibernatingObject<SocketState, CoinStreamClientMessage> implements FanoutSource {
  protected readonly clientMessages = CoinStreamClientMessage;
  private coin: Coin | null = null;
  private readonly fanout: ConflatedFanout;
  private readonly matcher: OrderMatcher;
  private lastPrune = 0;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.fanout = new ConflatedFanout(ctx, this.sockets, this, readFanoutInterval(env));
    const trading = readTradingConfig(env);
    this.matcher = new OrderMatcher(ctx.storage, trading.participation, trading.priceStaleMs, (userId, messages) =>
      userLedger(env, userId).applyMatches(messages),
    );
    // Matches a previous instance stored but did not deliver.
    if (this.matcher.pendingMessages() > 0) void ctx.storage.setAlarm(Date.now() + 100);
    ctx.blockConcurrencyWhile(async () => {
      const sql = ctx.storage.sql;
      sql.exec(`CREATE TABLE IF NOT EXISTS candles (
        venue TEXT NOT NULL, minute INTEGER NOT NULL,
        open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL, volume REAL NOT NULL,
        first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
        PRIMARY KEY (venue, minute))`);
      sql.exec(`CREATE TABLE IF NOT EXISTS premium_history (
        minute INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
        premium_percent REAL, usdt_premium_percent REAL,
        krw_price REAL NOT NULL, global_price REAL NOT NULL, exchange_rate REAL)`);
      sql.exec("CREATE TABLE IF NOT EXISTS state (name TEXT PRIMARY KEY, data TEXT NOT NULL)");
      const row = sql.exec<{ data: string }>("SELECT data FROM state WHERE name = 'coin'").toArray()[0];
      if (row) this.coin = JSON.parse(row.data) as Coin;
    });
  }

  /**
   * Applies an update from the board. Idempotent: candles merge by max/min and tick time, premium
   * points by their time, and the coin view only moves forward (unless the one held is dated beyond
   * any event's future allowance), so a retried delivery changes nothing; resting orders are matched
   * against the update's ticks (a tick seen twice fills nothing more: see `MatchingBook`). Answers
   * whether the board should deliver this coin promptly (sockets watch it, or orders rest on it).
   */
  async applyUpdate(update: SymbolUpdate): Promise<{ watched: boolean }> {
    for (const draft of update.candles) this.upsertCandle(draft);
    for (const point of update.premiums) this.upsertPremium(point);
    if (!this.coin || !keepsHeld(newestPrice(this.coin), newestPrice(update.coin))) {
      this.coin = update.coin;
      this.ctx.storage.sql.exec(
        "INSERT INTO state (name, data) VALUES ('coin', ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
        JSON.stringify(update.coin),
      );
      this.fanout.markDirty(update.coin.symbol);
    }
    const now = Date.now();
    if (this.matcher.onTicks(update.ticks ?? [], now) > 0) void this.deliverMatches();
    if (now - this.lastPrune > 60 * 60 * 1000) {
      this.lastPrune = now;
      this.prune(now);
    }
    return { watched: this.fanout.count() > 0 || this.matcher.size() > 0 };
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
    if (left) await this.ctx.storage.setAlarm(this.matcher.retryAt());
  }

  /** Retries the delivery of matches a ledger did not confirm (after a failure or a restart). */
  override async alarm(): Promise<void> {
    await this.deliverMatches();
  }

  private upsertPremium(p: PremiumPoint): void {
    this.ctx.storage.sql.exec(
      `INSERT INTO premium_history
         (minute, ts, premium_percent, usdt_premium_percent, krw_price, global_price, exchange_rate)
       VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(minute) DO UPDATE SET ts = excluded.ts, premium_percent = excluded.premium_percent,
         usdt_premium_percent = excluded.usdt_premium_percent, krw_price = excluded.krw_price,
         global_price = excluded.global_price, exchange_rate = excluded.exchange_rate
       WHERE excluded.ts >= premium_history.ts`,
      p.minute,
      p.ts,
      p.premium_percent,
      p.usdt_premium_percent,
      p.krw_price,
      p.global_price,
      p.exchange_rate,
    );
  }

  private upsertCandle(c: CandleDraft): void {
    // SQLite evaluates every SET expression against the row as it was, so each line reads the old values.
    this.ctx.storage.sql.exec(
      `INSERT INTO candles (venue, minute, open, high, low, close, volume, first_ts, last_ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(venue, minute) DO UPDATE SET
         open = CASE WHEN excluded.first_ts < candles.first_ts THEN excluded.open ELSE candles.open END,
         first_ts = MIN(candles.first_ts, excluded.first_ts),
         high = MAX(candles.high, excluded.high),
         low = MIN(candles.low, excluded.low),
         close = CASE WHEN excluded.last_ts >= candles.last_ts THEN excluded.close ELSE candles.close END,
         volume = CASE WHEN excluded.last_ts >= candles.last_ts THEN excluded.volume ELSE candles.volume END,
         last_ts = MAX(candles.last_ts, excluded.last_ts)`,
      c.venue,
      c.minute,
      c.open,
      c.high,
      c.low,
      c.close,
      c.volume,
      c.firstTs,
      c.lastTs,
    );
  }

  /**
   * Drops candles and premium history past their retention, and any row dated further ahead than an
   * event may be (left by a wrong clock before event times were bounded): such a row would merge
   * into the real candle of its minute when that minute comes.
   */
  prune(now = Date.now()): void {
    const sql = this.ctx.storage.sql;
    const future = now + FUTURE_ALLOWANCE_MS;
    sql.exec("DELETE FROM candles WHERE minute < ? OR minute > ?", now - HISTORY_RETENTION_MS, future);
    sql.exec("DELETE FROM premium_history WHERE minute < ? OR minute > ?", now - HISTORY_RETENTION_MS, future);
  }

  /** The coin as last reported by the board, or null if it never ticked. */
  latest(): Coin | null {
    return this.coin;
  }

  /**
   * Candles for one venue, oldest first, rolled up from 1-minute rows. `volume` is the venue's 24 h
   * volume at the candle's close (venues publish rolling 24 h volume, not per-trade volume).
   */
  candles(venue: string, interval: CandleInterval, limit: number): CandleRow[] {
    const step = INTERVAL_MS[interval];
    const since = floorTo(Date.now(), step) - (limit - 1) * step;
    const rows = this.ctx.storage.sql
      .exec<{ minute: number; open: number; high: number; low: number; close: number; volume: number }>(
        "SELECT minute, open, high, low, close, volume FROM candles WHERE venue = ? AND minute >= ? ORDER BY minute",
        venue,
        since,
      )
      .toArray();
    const out: CandleRow[] = [];
    for (const r of rows) {
      const bucket = floorTo(r.minute, step);
      const last = out[out.length - 1];
      if (last && last[0] === bucket) {
        last[2] = Math.max(last[2], r.high);
        last[3] = Math.min(last[3], r.low);
        last[4] = r.close;
        last[5] = r.volume;
      } else {
        out.push([bucket, r.open, r.high, r.low, r.close, r.volume]);
      }
    }
    return out.slice(-limit);
  }

  /** The premium history, oldest first: the last premium of each interval. */
  premiumHistory(interval: CandleInterval, limit: number): PremiumHistoryPoint[] {
    const step = INTERVAL_MS[interval];
    const since = floorTo(Date.now(), step) - (limit - 1) * step;
    const rows = this.ctx.storage.sql
      .exec<{
        minute: number;
        premium_percent: number | null;
        usdt_premium_percent: number | null;
        krw_price: number;
        global_price: number;
        exchange_rate: number | null;
      }>(
        `SELECT minute, premium_percent, usdt_premium_percent, krw_price, global_price, exchange_rate
         FROM premium_history WHERE minute >= ? ORDER BY minute`,
        since,
      )
      .toArray();
    const byBucket = new Map<number, PremiumHistoryPoint>();
    for (const r of rows) {
      const bucket = floorTo(r.minute, step);
      byBucket.set(bucket, {
        timestamp: bucket,
        premium_percent: r.premium_percent,
        usdt_premium_percent: r.usdt_premium_percent,
        krw_price: r.krw_price,
        global_price: r.global_price,
        exchange_rate: r.exchange_rate,
      });
    }
    return [...byBucket.values()].slice(-limit);
  }

  // --- WebSockets ------------------------------------------------------------------------------

  /** Accepts `/ws/prices/{symbol}` forwarded by the gateway. */
  override async fetch(request: Request): Promise<Response> {
    const state: SocketState = { stream: "coin", symbols: null, seq: 0, heard_at: Date.now() };
    return this.acceptUpgrade(request, ["coin"], state);
  }

  protected override sendFrame(ws: WebSocket, type: string, body: string): void {
    this.fanout.send(ws, type, body);
  }

  protected override sendSnapshot(ws: WebSocket): void {
    // As last published to the stream: the next update's patch applies to exactly that.
    const coin = this.coin;
    const coins = coin ? [this.fanout.snapshotState(coin.symbol, () => coin)] : [];
    this.sendFrame(ws, "snapshot", `"data":${toAsciiJson({ coins })}`);
  }

  /** `snapshot` (the only message on a one-coin stream) asks for a fresh snapshot. */
  protected override onClientMessage(ws: WebSocket): void {
    this.requestSnapshot(ws);
  }

  // --- FanoutSource ------------------------------------------------------------------------------

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
