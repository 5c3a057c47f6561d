import type { Source } from "../protocol/common";
import type { IngestBatch, TickerEvent } from "../protocol/ingest";
import { type LiquidationRecord, type LiquidationSummary, withKrw } from "../protocol/liquidations";
import type { Coin, CoinName, ExchangeRate, FearGreed } from "../protocol/market";
import { type CandleResolution, isBoardMarket, marketKey } from "../protocol/venues";
import { fanoutShard, liquidationFeed, marketSymbol } from "./addresses";
import type { AlertBands } from "./alerts/alert-bands";
import { BoardAlertBands } from "./alerts/board-alert-bands";
import { AppliedBatches } from "./market/applied-batches";
import { BoardCounters } from "./market/board-counters";
import { type BoardStats, feedFreshness } from "./market/board-stats";
import { CoinView } from "./market/coin-view";
import type { PremiumWindows } from "./market/premium-context";
import { PremiumWindowStore } from "./market/premium-window-store";
import type { RateHistory } from "./market/rate-series";
import { SymbolOutbox } from "./market/symbol-outbox";
import { draftCandles, premiumPoint, type SymbolUpdate, ticksOf } from "./market/symbol-update";
import { type StoredTicker, TickerBook } from "./market/ticker-book";
import { UsdKrwHistory } from "./market/usd-krw-history";
import { toAsciiJson } from "./sockets/ascii-json";
import type { StreamPublisher, StreamSnapshot } from "./sockets/shard-protocol";
import { ShardedFanout, type ShardedFanoutSource } from "./sockets/sharded-fanout";
import {
  type CompressedJson,
  compressJson,
  type EncodedJson,
  encodingOf,
  type JsonEncoding,
} from "./support/compressed-json";
import { EvictableObject } from "./support/evictable-object";
import { readBounds, readFanoutInterval, readShardCeiling } from "./support/settings";
import { SnapshotCache } from "./support/snapshot-cache";

/** How long a rendered `/api/coins/latest` body is reused (keeps prices and `stale` flags current). */
const SNAPSHOT_MAX_AGE_MS = 500;
/** How old a rendered body may be and still be served while the next one renders. */
const SNAPSHOT_MAX_STALE_MS = 5000;
/** Most relayed liquidations held for the next `/ws/prices` flush. */
const MAX_PENDING_LIQUIDATIONS = 500;

/**
 * What `applyBatch` tells the gateway: `applied` (new), `duplicate` (this id with this body was
 * applied before: nothing applied again) or `conflict` (this id was applied with another body:
 * nothing applied).
 */
export interface BoardApplyResult {
  outcome: "applied" | "duplicate" | "conflict";
}

/** What `/health/ready` and `/metrics` read from the board. */
/**
 * MarketBoard: the one object that sees every coin. It keeps the latest ticker per market, the
 * USD/KRW rate, coin names and the Fear & Greed index (`TickerBook`), shows every coin with both
 * premiums (`CoinView`), serves the all-coins REST payloads, and publishes conflated updates of
 * `/ws/market` and `/ws/prices` (with the liquidations the LiquidationFeed relays) to the streams'
 * fan-out shards (`ShardedFanout`, `FanoutShard`), which hold the sockets.
 *
 * Every batch is applied once (its `batch_id` is remembered) in one storage commit, and each touched
 * coin's history goes to its `MarketSymbol` through the `SymbolOutbox`, delivered in the background.
 */
export class MarketBoard extends EvictableObject implements ShardedFanoutSource, StreamPublisher {
  private readonly book: TickerBook;
  private readonly batches: AppliedBatches;
  private readonly usdKrw: UsdKrwHistory;
  private readonly windows: PremiumWindowStore;
  private readonly view: CoinView;
  private readonly outbox: SymbolOutbox;
  /** Per coin with alerts: the readings' bands its MarketSymbol reported (see `setAlertBands`). */
  private readonly alertBands: BoardAlertBands;
  private readonly fanout: ShardedFanout;
  /** `/api/coins/latest`, rendered at most every 500 ms and served stale (up to 5 s) while the next renders. */
  private readonly latestCache = new SnapshotCache<CompressedJson>(SNAPSHOT_MAX_AGE_MS, SNAPSHOT_MAX_STALE_MS);
  /** Liquidations relayed by the feed, waiting for the next flush to `/ws/prices` (oldest first). */
  private pendingLiquidations: LiquidationRecord[] = [];
  private lastPrune = 0;
  /** Ingest and alert counters and coin sockets, for `/metrics`. */
  private readonly counters = new BoardCounters();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    this.batches = new AppliedBatches(sql);
    this.book = new TickerBook(sql);
    this.usdKrw = new UsdKrwHistory(sql);
    this.windows = new PremiumWindowStore(sql);
    this.alertBands = new BoardAlertBands(sql);
    this.view = new CoinView(this.book, readBounds(env), (base) => this.windows.get(base));
    this.fanout = new ShardedFanout(ctx, this, readFanoutInterval(env), readShardCeiling(env), (name) =>
      fanoutShard(env, name),
    );
    this.outbox = new SymbolOutbox(
      ctx.storage,
      (base, update) => this.deliverToSymbol(base, update),
      readFanoutInterval(env),
    );
  }

  /** Delivers a coin's update to its MarketSymbol and keeps what the answer tells `/metrics`. */
  private async deliverToSymbol(base: string, update: SymbolUpdate): Promise<{ watched: boolean }> {
    const answer = await marketSymbol(this.env, base).applyUpdate(update);
    this.counters.delivery(base, answer);
    return answer;
  }

  /**
   * Applies one validated ingest batch at most once, remembering its id with the digest of its body
   * (`digest`, computed by the gateway). The board is where the gateway learns whether a batch is new,
   * a duplicate or a conflict, before anything else applies it. Tickers older than what we hold for
   * the same market are ignored; every write for the batch lands in storage before the call returns.
   * Liquidations are the LiquidationFeed's, and candles the coins' own objects' (the gateway sends
   * them there, and may leave them out of the batch it passes here); the board ignores them.
   * `requestId` (the gateway's request) goes into the batch's log line.
   */
  async applyBatch(batch: IngestBatch, digest: string, requestId?: string): Promise<BoardApplyResult> {
    const seen = this.batches.seen(batch.batch_id, digest);
    if (seen !== "new") {
      this.counters.batch(batch, seen, requestId);
      return { outcome: seen };
    }

    const now = Date.now();
    const changedTickers = new Map<string, StoredTicker>();
    const ticksByBase = new Map<string, TickerEvent[]>();
    let everyCoinChanged = false;
    for (const event of batch.events) {
      switch (event.kind) {
        case "ticker": {
          if (isBoardMarket(event.venue, event.quote)) {
            const list = ticksByBase.get(event.base);
            if (list) list.push(event);
            else ticksByBase.set(event.base, [event]);
          }
          const stored = this.book.applyTicker(event, batch.source);
          if (stored) {
            changedTickers.set(marketKey(stored.venue, stored.base, stored.quote), stored);
            this.fanout.markDirty(event.base);
            // A KRW-USDT tick moves every coin's USDT-based premium.
            if (event.base === "USDT") everyCoinChanged = true;
          }
          break;
        }
        case "fx":
          this.usdKrw.recordLive(event);
          if (this.book.applyFx(event)) everyCoinChanged = true;
          break;
        case "fx_history":
          this.usdKrw.recordDaily(event);
          break;
        case "coin":
          this.book.applyCoinName(event);
          this.fanout.markDirty(event.base);
          break;
        case "fear_greed":
          if (this.book.applyFearGreed(event)) this.fanout.markGlobalsDirty();
          break;
        case "liquidation":
        case "candle":
        case "candle_coverage":
          break;
      }
    }
    if (everyCoinChanged) {
      for (const base of this.book.bases()) this.fanout.markDirty(base);
      this.fanout.markGlobalsDirty();
    }

    this.book.saveTickers(changedTickers.values());
    this.book.setSource(batch.source);
    this.batches.remember(batch.batch_id, digest, now);
    if (now - this.lastPrune > 60 * 60 * 1000) {
      this.lastPrune = now;
      this.batches.prune(now);
      this.usdKrw.prune(now);
    }
    const updates = this.symbolUpdates(ticksByBase, now);
    this.outbox.add(updates, this.alertBands.urgent(updates));
    this.counters.batch(batch, "applied", requestId);
    return { outcome: "applied" };
  }

  /** USD/KRW over a period range, for a coin's premium history (see `UsdKrwHistory.series`). */
  usdKrwHistory(resolution: CandleResolution, from: number, to: number): RateHistory {
    return this.usdKrw.series(resolution, from, to);
  }

  /** A coin's premium windows, summed up by its MarketSymbol: today's premium is rated against them. */
  setPremiumWindows(base: string, windows: PremiumWindows): void {
    if (this.windows.set(base, windows)) this.fanout.markDirty(base);
  }

  /** Each touched coin's candle drafts, premium point and latest view, for its MarketSymbol. */
  private symbolUpdates(ticksByBase: Map<string, TickerEvent[]>, now: number): Map<string, SymbolUpdate> {
    const updates = new Map<string, SymbolUpdate>();
    if (ticksByBase.size === 0) return updates;
    const usdtKrw = this.view.usdtKrwByVenue();
    for (const [base, ticks] of ticksByBase) {
      const coin = this.view.coin(base, now, usdtKrw);
      updates.set(base, {
        coin,
        candles: draftCandles(ticks),
        premiums: coin.premium ? [premiumPoint(coin.premium)] : [],
        ticks: ticksOf(ticks),
      });
    }
    return updates;
  }

  /** Runs the outbox's delivery rounds. */
  override async alarm(): Promise<void> {
    await this.outbox.alarm();
  }

  /**
   * Called when a coin needs its updates promptly from now on: a client opened `/ws/prices/{symbol}`
   * (the gateway calls), or an order rests on it (its MarketSymbol calls).
   */
  watch(symbol: string): void {
    this.outbox.watch(symbol);
  }

  /**
   * A coin's alert bands, from its MarketSymbol (null: it has no alerts): a tick that reaches one is
   * delivered to the coin within the fan-out interval, so its alerts fire promptly.
   */
  setAlertBands(symbol: string, bands: AlertBands | null): void {
    this.alertBands.set(symbol, bands);
  }

  /** How many coins wait for delivery to their MarketSymbol (for tests and metrics). */
  pendingSymbolUpdates(): number {
    return this.outbox.size();
  }

  /**
   * Liquidations newly counted by the LiquidationFeed (which de-duplicates them), for the next
   * `/ws/prices` update. Nothing is kept while no `/ws/prices` socket is open.
   */
  relayLiquidations(records: LiquidationRecord[]): void {
    if (!this.fanout.hasShards("prices")) {
      this.pendingLiquidations = [];
      return;
    }
    this.pendingLiquidations.push(...records);
    if (this.pendingLiquidations.length > MAX_PENDING_LIQUIDATIONS) {
      this.pendingLiquidations = this.pendingLiquidations.slice(-MAX_PENDING_LIQUIDATIONS);
    }
    this.fanout.markExtrasDirty();
  }

  // --- reading -------------------------------------------------------------------------------

  /** Every coin with at least one price, sorted by symbol. */
  allCoins(): Coin[] {
    return this.view.allCoins();
  }

  /** One coin, or null when no venue quotes it. */
  coin(symbol: string): Coin | null {
    return this.view.coins([symbol])[0] ?? null;
  }

  /** Several coins by symbol; unknown symbols are left out. */
  coins(symbols: string[]): Coin[] {
    return this.view.coins(symbols);
  }

  exchangeRate(): ExchangeRate {
    return this.view.exchangeRate();
  }

  /** What a user's ledger trades and values at: some coins and the rates, in one call. */
  tradingQuotes(symbols: string[]): { coins: Coin[]; rate: ExchangeRate } {
    return { coins: this.view.coins(symbols), rate: this.view.exchangeRate() };
  }

  fearGreedIndex(): FearGreed | null {
    return this.book.fearGreed();
  }

  coinNames(): CoinName[] {
    return [...this.book.allNames()].sort(([a], [b]) => a.localeCompare(b)).map(([symbol, n]) => ({ symbol, ...n }));
  }

  source(): Source {
    return this.book.source();
  }

  /**
   * The body of `GET /api/coins/latest`, rendered and gzipped once and shared by every reader for
   * up to 500 ms; an older one is served while the next renders (at most 5 s old), so a reader never
   * waits for a render. `liquidations` is the LiquidationFeed's summary (asked for once per render,
   * with the board's USD/KRW rate; null if the feed does not answer).
   */
  async latestBody(encoding: JsonEncoding): Promise<EncodedJson> {
    // Only the encoding the caller serves crosses the RPC (the gzip one is a tenth of the other).
    return encodingOf(await this.latestCache.get(() => this.renderLatest()), encoding);
  }

  private async renderLatest(): Promise<CompressedJson> {
    let liquidations: LiquidationSummary | null = null;
    try {
      liquidations = await liquidationFeed(this.env).summary({ exchangeRate: this.book.usdKrw()?.rate ?? null });
    } catch (err) {
      console.warn(JSON.stringify({ msg: "liquidation summary unavailable", error: String(err) }));
    }
    // Everything else is read after the await, so it is as fresh as the moment of rendering.
    const now = Date.now();
    const rate = this.view.exchangeRate(now);
    const json = toAsciiJson({
      coins: this.view.allCoins(),
      exchange_rate: rate.exchange_rate,
      usdt_krw_rate: rate.usdt_krw_rate,
      fear_greed: this.book.fearGreed(),
      liquidations,
      timestamp: now,
      updated_at: new Date(now).toISOString(),
      source: this.book.source(),
    });
    // Renders run one at a time and at least 500 ms apart, so the render time names the rendering.
    return compressJson(json, now.toString(36));
  }

  /** Feed freshness per venue, open sockets per stream and ingest counters, for `/health/ready` and `/metrics`. */
  stats(): BoardStats {
    const counts = this.fanout.counts;
    return {
      ...feedFreshness(this.book, readBounds(this.env), Date.now()),
      subscribers: {
        market: this.fanout.subscribers("market"),
        prices: this.fanout.subscribers("prices"),
        coin: this.counters.coinSockets(),
      },
      fanout_shards: { market: this.fanout.shardCount("market"), prices: this.fanout.shardCount("prices") },
      fanout_flushes: {
        published: counts.published,
        skipped: counts.skipped,
        failed: counts.failed,
        resync: counts.resync,
      },
      fanout_snapshot_renders: counts.snapshot_renders,
      ...this.counters.snapshot(),
      symbol_outbox: this.outbox.size(),
    };
  }

  // --- the streams' shards (StreamPublisher) ---------------------------------------------------

  /** The shard a new `/ws/market` or `/ws/prices` socket goes to (by load; see `ShardDirectory`). */
  placeSubscriber(stream: string): string {
    return this.fanout.place(stream);
  }

  /** Every coin (or some) as last published to the streams, numbered with the stream's last flush. */
  streamSnapshot(stream: string, symbols: string[] | null): StreamSnapshot {
    return this.fanout.snapshot(stream, symbols);
  }

  /** A snapshot's `data`: each coin as last published (the next flush's patches apply to exactly that). */
  renderSnapshot(symbols: string[] | null): string {
    const now = Date.now();
    const usdtKrw = this.view.usdtKrwByVenue();
    const coins = (symbols ?? [...this.book.bases()].sort())
      .filter((b) => this.book.has(b))
      .map((b) => this.fanout.snapshotState(b, () => this.view.coin(b, now, usdtKrw)));
    return toAsciiJson({
      coins,
      exchange_rate: this.view.exchangeRate(),
      fear_greed: this.book.fearGreed(),
      source: this.book.source(),
    });
  }

  // --- ShardedFanoutSource ------------------------------------------------------------------------------

  currentState(key: string): Coin | undefined {
    if (!this.book.has(key)) return undefined;
    return this.view.coin(key, Date.now());
  }

  renderGlobals(): string {
    return `"exchange_rate":${toAsciiJson(this.view.exchangeRate())},"fear_greed":${toAsciiJson(this.book.fearGreed())}`;
  }

  /** On `/ws/prices`, the liquidations since the last flush (called once per flush per stream). */
  renderStreamExtras(stream: string): string {
    if (stream !== "prices" || this.pendingLiquidations.length === 0) return "";
    const rate = this.book.usdKrw()?.rate ?? null;
    const list = this.pendingLiquidations.map((l) => withKrw(l, rate));
    this.pendingLiquidations = [];
    return `"liquidations":${toAsciiJson(list)}`;
  }
}
