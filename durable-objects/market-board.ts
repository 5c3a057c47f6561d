import { DurableObject } from "cloudflare:workers";
import { isBoardMarket, type Source } from "../protocol/common";
import type {
  CoinEvent,
  FearGreedEvent,
  FxEvent,
  IngestBatch,
  LiquidationEvent,
  TickerEvent,
} from "../protocol/ingest";
import {
  type LiquidationRecord,
  type LiquidationSummary,
  toLiquidationRecord,
  withKrw,
} from "../protocol/liquidations";
import type { Coin, CoinName, ExchangeRate, FearGreed, VenuePrice } from "../protocol/market";
import { ClientMessage } from "../protocol/websocket";
import { type CompressedJson, compressJson } from "../workers/lib/compressed-json";
import { liquidationFeed, marketSymbol } from "../workers/lib/objects";
import { SnapshotCache } from "../workers/lib/snapshot-cache";
import { toAsciiJson } from "./ascii-json";
import { ConflatedFanout, type FanoutSource } from "./conflated-fanout";
import { computePremium, type FreshnessBounds, KRW_VENUES, type TimedRate } from "./premium";
import { readBounds, readFanoutInterval, readIdleTimeout } from "./settings";
import { draftCandles, mergeUpdates, premiumPoint, type SymbolUpdate } from "./symbol-update";

/** How long an applied batch id is remembered for de-duplication. */
const BATCH_ID_RETENTION_MS = 24 * 60 * 60 * 1000;
/** How long a rendered `/api/coins/latest` body is reused (keeps prices and `stale` flags current). */
const SNAPSHOT_MAX_AGE_MS = 500;
/** How old a rendered body may be and still be served while the next one renders. */
const SNAPSHOT_MAX_STALE_MS = 5000;

interface StoredTicker extends TickerEvent {
  source: Source;
}

interface StoredRate {
  rate: number;
  provider: string;
  timestamp: number;
}

/** What `applyBatch` tells the gateway. */
export interface BoardApplyResult {
  /** True when this `batch_id` had been applied before (nothing was applied again). */
  duplicate: boolean;
}

/**
 * Coins nobody watches get their pending updates in slices: every 200 ms the 50 longest-waiting coins,
 * so 300 busy coins are each delivered about once a second without a once-a-second burst of commits.
 */
const SYMBOL_DELIVERY_MS = 200;
const SYMBOL_DELIVERY_SLICE = 50;
/** How many coin objects one delivery round talks to at once. */
const SYMBOL_DELIVERY_CONCURRENCY = 16;

/** What `/health/ready` and `/metrics` read from the board. */
export interface BoardStats {
  venues: Record<string, { markets: number; newest_timestamp: number; age_ms: number; stale: boolean }>;
  fx: { age_ms: number; stale: boolean } | null;
  subscribers: Record<string, number>;
  batches_applied: number;
  batches_duplicate: number;
  events_applied: number;
  /** Coins whose history waits in the outbox for delivery to their MarketSymbol. */
  symbol_outbox: number;
}

/**
 * MarketBoard: the one object that sees every coin. It keeps the latest ticker per market, the
 * USD/KRW rate, coin names and the Fear & Greed index, computes both premiums, serves the
 * all-coins REST payloads and fans conflated updates out to `/ws/market` and `/ws/prices`.
 *
 * State is in the object's SQLite storage and mirrored in memory; every batch is applied once
 * (its `batch_id` is remembered) and a ticker never replaces a newer one for the same market.
 *
 * Coin history (candles, premium points) goes to each coin's `MarketSymbol` through an outbox kept
 * in this object's storage: a batch is acknowledged once the board's one storage commit lands, and
 * the outbox is delivered in the background (within one fan-out interval for coins whose own stream
 * has subscribers, about once a second for the rest), retried until each coin has it. This keeps the
 * ingest path to one object's commit instead of one per coin in the batch.
 */
export class MarketBoard extends DurableObject<Env> implements FanoutSource {
  private readonly tickers = new Map<string, StoredTicker>();
  private readonly marketsByBase = new Map<string, Set<string>>();
  private readonly names = new Map<string, { korean_name: string; english_name: string; warnings: string[] }>();
  private usdKrw: StoredRate | null = null;
  private fearGreed: FearGreed | null = null;
  private lastSource: Source = "live";
  private readonly bounds: FreshnessBounds;
  private readonly fanout: ConflatedFanout;
  /** `/api/coins/latest`, rendered at most every 500 ms and served stale (up to 5 s) while the next renders. */
  private readonly latestCache = new SnapshotCache<CompressedJson>(SNAPSHOT_MAX_AGE_MS, SNAPSHOT_MAX_STALE_MS);
  /** Liquidations of applied batches waiting for the next flush to `/ws/prices` (oldest first). */
  private pendingLiquidations: LiquidationRecord[] = [];
  /** Recently relayed `venue\nid`s, so a liquidation re-sent in another batch reaches `/ws/prices` once. */
  private readonly relayedLiquidations = new Set<string>();
  private lastPrune = 0;
  /** Per coin: the update its MarketSymbol has not confirmed yet, and a version to spot newer merges. */
  private readonly outbox = new Map<string, { update: SymbolUpdate; version: number }>();
  private outboxVersion = 0;
  private deliveryAlarmSet = false;
  /** Coins whose own stream (`/ws/prices/{symbol}`) has subscribers: delivered every fan-out interval. */
  private readonly watched = new Set<string>();
  private readonly watchedDue = new Set<string>();
  private watchedTimer: ReturnType<typeof setTimeout> | undefined;
  /** Counters since this instance started, for `/metrics` (Prometheus copes with resets). */
  private readonly counters = { batches_applied: 0, batches_duplicate: 0, events_applied: 0 };

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.bounds = readBounds(env);
    this.fanout = new ConflatedFanout(ctx, this, readFanoutInterval(env), readIdleTimeout(env));
    // Heartbeats are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      this.migrate();
      this.load();
      this.scheduleDelivery(); // an outbox left by a previous instance
    });
  }

  private migrate(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS tickers (
      market TEXT PRIMARY KEY, data TEXT NOT NULL, timestamp INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS coin_names (
      base TEXT PRIMARY KEY, korean_name TEXT NOT NULL, english_name TEXT NOT NULL, warnings TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS singletons (name TEXT PRIMARY KEY, data TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS applied_batches (batch_id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS symbol_outbox (base TEXT PRIMARY KEY, data TEXT NOT NULL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS watched_symbols (base TEXT PRIMARY KEY)`);
  }

  private load(): void {
    const sql = this.ctx.storage.sql;
    for (const row of sql.exec<{ base: string; data: string }>("SELECT base, data FROM symbol_outbox")) {
      this.outbox.set(row.base, { update: JSON.parse(row.data) as SymbolUpdate, version: ++this.outboxVersion });
    }
    for (const row of sql.exec<{ base: string }>("SELECT base FROM watched_symbols")) this.watched.add(row.base);
    for (const row of sql.exec<{ data: string }>("SELECT data FROM tickers")) {
      this.setTicker(JSON.parse(row.data) as StoredTicker);
    }
    for (const row of sql.exec<{ base: string; korean_name: string; english_name: string; warnings: string }>(
      "SELECT base, korean_name, english_name, warnings FROM coin_names",
    )) {
      this.names.set(row.base, {
        korean_name: row.korean_name,
        english_name: row.english_name,
        warnings: JSON.parse(row.warnings) as string[],
      });
    }
    for (const row of sql.exec<{ name: string; data: string }>("SELECT name, data FROM singletons")) {
      if (row.name === "usd_krw") this.usdKrw = JSON.parse(row.data) as StoredRate;
      if (row.name === "fear_greed") this.fearGreed = JSON.parse(row.data) as FearGreed;
      if (row.name === "last_source") this.lastSource = JSON.parse(row.data) as Source;
    }
  }

  private setTicker(t: StoredTicker): void {
    const key = `${t.venue}:${t.base}-${t.quote}`;
    this.tickers.set(key, t);
    let markets = this.marketsByBase.get(t.base);
    if (!markets) {
      markets = new Set();
      this.marketsByBase.set(t.base, markets);
    }
    markets.add(key);
  }

  /**
   * Applies one validated ingest batch at most once. Tickers older than what we hold for the same
   * market are ignored; every write for the batch lands in storage before the call returns.
   */
  async applyBatch(batch: IngestBatch): Promise<BoardApplyResult> {
    const sql = this.ctx.storage.sql;
    const seen = sql.exec("SELECT 1 FROM applied_batches WHERE batch_id = ?", batch.batch_id).toArray().length > 0;
    if (seen) {
      this.counters.batches_duplicate++;
      return { duplicate: true };
    }

    const now = Date.now();
    const changedTickers = new Map<string, StoredTicker>();
    const ticksByBase = new Map<string, TickerEvent[]>();
    let everyCoinChanged = false;
    for (const event of batch.events) {
      switch (event.kind) {
        case "ticker":
          if (isBoardMarket(event.venue, event.quote)) {
            const list = ticksByBase.get(event.base);
            if (list) list.push(event);
            else ticksByBase.set(event.base, [event]);
          }
          if (this.applyTicker(event, batch.source, changedTickers)) {
            this.fanout.markDirty(event.base);
            // A KRW-USDT tick moves every coin's USDT-based premium.
            if (event.base === "USDT") everyCoinChanged = true;
          }
          break;
        case "fx":
          if (this.applyFx(event)) everyCoinChanged = true;
          break;
        case "coin":
          this.applyCoinName(event);
          this.fanout.markDirty(event.base);
          break;
        case "fear_greed":
          this.applyFearGreed(event);
          break;
        case "liquidation":
          // The LiquidationFeed counts them; the board only relays them to `/ws/prices`.
          this.relayLiquidation(event, batch.source, now);
          break;
      }
    }
    if (everyCoinChanged) {
      for (const base of this.marketsByBase.keys()) this.fanout.markDirty(base);
      this.fanout.markGlobalsDirty();
    }

    for (const [key, t] of changedTickers) {
      sql.exec(
        `INSERT INTO tickers (market, data, timestamp) VALUES (?, ?, ?)
         ON CONFLICT(market) DO UPDATE SET data = excluded.data, timestamp = excluded.timestamp`,
        key,
        JSON.stringify(t),
        t.timestamp,
      );
    }
    if (batch.source !== this.lastSource) {
      this.lastSource = batch.source;
      this.saveSingleton("last_source", batch.source);
    }
    sql.exec("INSERT INTO applied_batches (batch_id, applied_at) VALUES (?, ?)", batch.batch_id, now);
    if (now - this.lastPrune > 60 * 60 * 1000) {
      this.lastPrune = now;
      sql.exec("DELETE FROM applied_batches WHERE applied_at < ?", now - BATCH_ID_RETENTION_MS);
    }
    this.queueSymbolUpdates(ticksByBase);
    this.counters.batches_applied++;
    this.counters.events_applied += batch.events.length;
    return { duplicate: false };
  }

  // --- delivery to the coin objects ------------------------------------------------------------

  /** Adds each touched coin's candle drafts, premium point and latest view to the outbox (same commit as the batch). */
  private queueSymbolUpdates(ticksByBase: Map<string, TickerEvent[]>): void {
    if (ticksByBase.size === 0) return;
    const now = Date.now();
    const usdtKrw = this.usdtKrwByVenue();
    for (const [base, ticks] of ticksByBase) {
      const coin = this.buildCoin(base, now, usdtKrw);
      const next: SymbolUpdate = {
        coin,
        candles: draftCandles(ticks),
        premiums: coin.premium ? [premiumPoint(coin.premium)] : [],
      };
      const update = mergeUpdates(this.outbox.get(base)?.update, next);
      this.outbox.set(base, { update, version: ++this.outboxVersion });
      this.ctx.storage.sql.exec(
        "INSERT INTO symbol_outbox (base, data) VALUES (?, ?) ON CONFLICT(base) DO UPDATE SET data = excluded.data",
        base,
        JSON.stringify(update),
      );
      if (this.watched.has(base)) this.watchedDue.add(base);
    }
    this.scheduleDelivery();
  }

  private scheduleDelivery(): void {
    if (this.watchedDue.size > 0 && this.watchedTimer === undefined) {
      this.watchedTimer = setTimeout(() => {
        this.watchedTimer = undefined;
        const due = [...this.watchedDue];
        this.watchedDue.clear();
        void this.deliver(due);
      }, readFanoutInterval(this.env));
    }
    if (!this.deliveryAlarmSet && this.outbox.size > 0) {
      this.deliveryAlarmSet = true;
      void this.ctx.storage.setAlarm(Date.now() + SYMBOL_DELIVERY_MS);
    }
  }

  /** Delivers the outbox of the given coins; what fails stays queued for the next round. */
  private async deliver(bases: string[]): Promise<void> {
    const queue = bases.filter((b) => this.outbox.has(b));
    const delivered: string[] = [];
    const worker = async () => {
      for (let base = queue.shift(); base !== undefined; base = queue.shift()) {
        const entry = this.outbox.get(base);
        if (!entry) continue;
        try {
          const { subscribers } = await marketSymbol(this.env, base).applyUpdate(entry.update);
          this.setWatched(base, subscribers > 0);
          // Only forget it if no newer batch merged into it meanwhile.
          if (this.outbox.get(base)?.version === entry.version) {
            this.outbox.delete(base);
            delivered.push(base);
          }
        } catch (error) {
          console.error(JSON.stringify({ msg: "coin update not delivered; will retry", base, error: String(error) }));
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(SYMBOL_DELIVERY_CONCURRENCY, queue.length) }, worker));
    // One statement (one commit) for the whole round.
    // A coin queued again since its delivery has a fresh row that must stay.
    const done = delivered.filter((base) => !this.outbox.has(base));
    if (done.length > 0) {
      this.ctx.storage.sql.exec(`DELETE FROM symbol_outbox WHERE base IN (${done.map(() => "?").join(",")})`, ...done);
    }
  }

  /** Runs every 200 ms while the outbox has anything in it: delivers the longest-waiting slice. */
  override async alarm(): Promise<void> {
    this.deliveryAlarmSet = false;
    await this.deliver([...this.outbox.keys()].slice(0, SYMBOL_DELIVERY_SLICE));
    this.scheduleDelivery();
  }

  /** Called by the gateway when a client opens `/ws/prices/{symbol}`: deliver that coin promptly from now on. */
  watch(symbol: string): void {
    this.setWatched(symbol, true);
  }

  private setWatched(base: string, watched: boolean): void {
    if (watched === this.watched.has(base)) return;
    if (watched) {
      this.watched.add(base);
      this.ctx.storage.sql.exec("INSERT OR IGNORE INTO watched_symbols (base) VALUES (?)", base);
    } else {
      this.watched.delete(base);
      this.ctx.storage.sql.exec("DELETE FROM watched_symbols WHERE base = ?", base);
    }
  }

  /** How many coins wait for delivery to their MarketSymbol (for tests and metrics). */
  pendingSymbolUpdates(): number {
    return this.outbox.size;
  }

  private applyTicker(event: TickerEvent, source: Source, changed: Map<string, StoredTicker>): boolean {
    if (!isBoardMarket(event.venue, event.quote)) return false; // e.g. a BTC-quoted market on Upbit
    const key = `${event.venue}:${event.base}-${event.quote}`;
    const current = this.tickers.get(key);
    if (current && current.timestamp > event.timestamp) return false; // never let older data win
    const stored: StoredTicker = { ...event, source };
    this.setTicker(stored);
    changed.set(key, stored);
    return true;
  }

  private applyFx(event: FxEvent): boolean {
    if (this.usdKrw && this.usdKrw.timestamp > event.timestamp) return false;
    this.usdKrw = { rate: event.rate, provider: event.provider, timestamp: event.timestamp };
    this.saveSingleton("usd_krw", this.usdKrw);
    return true;
  }

  private applyCoinName(event: CoinEvent): void {
    const entry = { korean_name: event.korean_name, english_name: event.english_name, warnings: event.warnings };
    this.names.set(event.base, entry);
    this.ctx.storage.sql.exec(
      `INSERT INTO coin_names (base, korean_name, english_name, warnings) VALUES (?, ?, ?, ?)
       ON CONFLICT(base) DO UPDATE SET korean_name = excluded.korean_name,
         english_name = excluded.english_name, warnings = excluded.warnings`,
      event.base,
      entry.korean_name,
      entry.english_name,
      JSON.stringify(entry.warnings),
    );
  }

  private applyFearGreed(event: FearGreedEvent): void {
    if (this.fearGreed && this.fearGreed.timestamp > event.timestamp) return;
    this.fearGreed = { value: event.value, classification: event.classification, timestamp: event.timestamp };
    this.saveSingleton("fear_greed", this.fearGreed);
    this.fanout.markGlobalsDirty();
  }

  /**
   * Queues a liquidation for the next `/ws/prices` update, once per venue id (the last 5,000 ids
   * are remembered). Nothing is kept while no `/ws/prices` socket is open.
   */
  private relayLiquidation(event: LiquidationEvent, source: Source, now: number): void {
    if (this.fanout.count("prices") === 0) {
      this.pendingLiquidations = [];
      return;
    }
    const key = `${event.venue}\n${event.id}`;
    if (this.relayedLiquidations.has(key)) return;
    const record = toLiquidationRecord(event, source, now);
    if (!record) return;
    this.relayedLiquidations.add(key);
    if (this.relayedLiquidations.size > 5000) {
      const oldest = this.relayedLiquidations.values().next().value;
      if (oldest !== undefined) this.relayedLiquidations.delete(oldest);
    }
    this.pendingLiquidations.push(record);
    if (this.pendingLiquidations.length > 500) this.pendingLiquidations.shift();
    this.fanout.markExtrasDirty();
  }

  private saveSingleton(name: string, value: unknown): void {
    this.ctx.storage.sql.exec(
      "INSERT INTO singletons (name, data) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
      name,
      JSON.stringify(value),
    );
  }

  // --- reading -------------------------------------------------------------------------------

  private venuePrices(base: string, now: number): Partial<Record<string, VenuePrice>> {
    const prices: Partial<Record<string, VenuePrice>> = {};
    for (const key of this.marketsByBase.get(base) ?? []) {
      const t = this.tickers.get(key) as StoredTicker;
      prices[t.venue] = {
        price: t.price,
        currency: t.quote,
        change_percent: t.change_percent,
        volume: t.volume,
        quote_volume: t.quote_volume,
        timestamp: t.timestamp,
        stale: now - t.timestamp > this.bounds.tickerMs,
        source: t.source,
      };
    }
    return prices;
  }

  private usdtKrwByVenue(): Partial<Record<string, TimedRate>> {
    const rates: Partial<Record<string, TimedRate>> = {};
    for (const venue of KRW_VENUES) {
      const t = this.tickers.get(`${venue}:USDT-KRW`);
      if (t) rates[venue] = { rate: t.price, timestamp: t.timestamp };
    }
    return rates;
  }

  private buildCoin(base: string, now: number, usdtKrw = this.usdtKrwByVenue()): Coin {
    const prices = this.venuePrices(base, now);
    const name = this.names.get(base);
    return {
      symbol: base,
      korean_name: name?.korean_name ?? null,
      english_name: name?.english_name ?? null,
      prices,
      premium: computePremium(prices, this.usdKrw, usdtKrw, now, this.bounds),
      warnings: name?.warnings ?? [],
    };
  }

  private coinsFor(bases: Iterable<string>): Coin[] {
    const now = Date.now();
    const usdtKrw = this.usdtKrwByVenue();
    return [...bases].filter((b) => this.marketsByBase.has(b)).map((b) => this.buildCoin(b, now, usdtKrw));
  }

  /** Every coin with at least one price, sorted by symbol. */
  allCoins(): Coin[] {
    return this.coinsFor([...this.marketsByBase.keys()].sort());
  }

  /** One coin, or null when no venue quotes it. */
  coin(symbol: string): Coin | null {
    return this.coinsFor([symbol])[0] ?? null;
  }

  /** Several coins by symbol; unknown symbols are left out. */
  coins(symbols: string[]): Coin[] {
    return this.coinsFor(symbols);
  }

  exchangeRate(): ExchangeRate {
    const now = Date.now();
    const usdt = this.tickers.get("upbit:USDT-KRW") ?? this.tickers.get("bithumb:USDT-KRW");
    const fx = this.usdKrw;
    const stale = !fx || now - fx.timestamp > this.bounds.fxMs || !usdt || now - usdt.timestamp > this.bounds.tickerMs;
    return {
      exchange_rate: fx?.rate ?? null,
      usdt_krw_rate: usdt?.price ?? null,
      tether_premium_percent: fx && usdt ? (usdt.price / fx.rate - 1) * 100 : null,
      provider: fx?.provider ?? null,
      stale,
      timestamp: fx || usdt ? Math.max(fx?.timestamp ?? 0, usdt?.timestamp ?? 0) : null,
    };
  }

  fearGreedIndex(): FearGreed | null {
    return this.fearGreed;
  }

  coinNames(): CoinName[] {
    return [...this.names.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([symbol, n]) => ({ symbol, ...n }));
  }

  source(): Source {
    return this.lastSource;
  }

  /**
   * The body of `GET /api/coins/latest`, rendered and gzipped once and shared by every reader for
   * up to 500 ms; an older one is served while the next renders (at most 5 s old), so a reader never
   * waits for a render. `liquidations` is the LiquidationFeed's summary (asked for once per render,
   * with the board's USD/KRW rate; null if the feed does not answer).
   */
  latestBody(): Promise<CompressedJson> {
    return this.latestCache.get(() => this.renderLatest());
  }

  private async renderLatest(): Promise<CompressedJson> {
    let liquidations: LiquidationSummary | null = null;
    try {
      liquidations = await liquidationFeed(this.env).summary({ exchangeRate: this.usdKrw?.rate ?? null });
    } catch (err) {
      console.warn(JSON.stringify({ msg: "liquidation summary unavailable", error: String(err) }));
    }
    // Everything else is read after the await, so it is as fresh as the moment of rendering.
    const now = Date.now();
    const rate = this.exchangeRate();
    const json = toAsciiJson({
      coins: this.allCoins(),
      exchange_rate: rate.exchange_rate,
      usdt_krw_rate: rate.usdt_krw_rate,
      fear_greed: this.fearGreed,
      liquidations,
      timestamp: now,
      source: this.lastSource,
    });
    // Renders run one at a time and at least 500 ms apart, so the render time names the rendering.
    return compressJson(json, now.toString(36));
  }

  /** Feed freshness per venue, open sockets per stream and ingest counters, for `/health/ready` and `/metrics`. */
  stats(): BoardStats {
    const now = Date.now();
    const venues: BoardStats["venues"] = {};
    for (const t of this.tickers.values()) {
      const v = venues[t.venue] ?? { markets: 0, newest_timestamp: 0, age_ms: 0, stale: false };
      venues[t.venue] = v;
      v.markets++;
      v.newest_timestamp = Math.max(v.newest_timestamp, t.timestamp);
    }
    for (const v of Object.values(venues)) {
      v.age_ms = now - v.newest_timestamp;
      v.stale = v.age_ms > this.bounds.tickerMs;
    }
    const fx = this.usdKrw;
    return {
      venues,
      fx: fx ? { age_ms: now - fx.timestamp, stale: now - fx.timestamp > this.bounds.fxMs } : null,
      subscribers: { market: this.fanout.count("market"), prices: this.fanout.count("prices") },
      ...this.counters,
      symbol_outbox: this.outbox.size,
    };
  }

  // --- WebSockets ------------------------------------------------------------------------------

  /** Accepts a WebSocket upgrade forwarded by the gateway (`/ws/market` or `/ws/prices`). */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const url = new URL(request.url);
    const stream = url.pathname.endsWith("/prices") ? "prices" : "market";
    const symbols = parseSymbolsParam(url.searchParams.get("symbols"));
    const { 0: client, 1: server } = new WebSocketPair();
    this.fanout.accept(server, { stream, symbols, seq: 0, heard_at: Date.now() });
    this.sendSnapshot(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  private sendSnapshot(ws: WebSocket): void {
    const state = this.fanout.stateOf(ws);
    if (!state) return;
    // Each coin as last published to the streams: the next update's patches apply to exactly that.
    const bases = state.symbols ?? [...this.marketsByBase.keys()].sort();
    const now = Date.now();
    const usdtKrw = this.usdtKrwByVenue();
    const coins = bases
      .filter((b) => this.marketsByBase.has(b))
      .map((b) => this.fanout.snapshotState(b, () => this.buildCoin(b, now, usdtKrw)));
    const data = toAsciiJson({
      coins,
      exchange_rate: this.exchangeRate(),
      fear_greed: this.fearGreed,
      source: this.lastSource,
    });
    this.fanout.send(ws, "snapshot", `"data":${data}`);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const state = this.fanout.stateOf(ws);
    if (!state) return;
    this.fanout.heard(ws);
    let parsed: ReturnType<typeof ClientMessage.safeParse>;
    try {
      parsed = ClientMessage.safeParse(
        JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message)),
      );
    } catch {
      this.fanout.send(ws, "error", `"error":"messages must be JSON"`);
      return;
    }
    if (!parsed.success) {
      this.fanout.send(ws, "error", `"error":${JSON.stringify(parsed.error.issues.map((i) => i.message).join("; "))}`);
      return;
    }
    const msg = parsed.data;
    if (msg.op === "subscribe") {
      const all = msg.symbols.includes("*");
      const current = state.symbols ?? [];
      state.symbols = all ? null : [...new Set([...current, ...msg.symbols])];
    } else if (msg.op === "unsubscribe") {
      const drop = new Set(msg.symbols);
      const current = state.symbols ?? [...this.marketsByBase.keys()];
      state.symbols = current.filter((s) => !drop.has(s));
    }
    this.fanout.update(ws, state);
    this.sendSnapshot(ws);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.fanout.remove(ws);
    try {
      ws.close(code === 1005 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.fanout.remove(ws);
  }

  // --- FanoutSource ------------------------------------------------------------------------------

  currentState(key: string): Coin | undefined {
    if (!this.marketsByBase.has(key)) return undefined;
    return this.buildCoin(key, Date.now());
  }

  renderGlobals(): string {
    return `"exchange_rate":${toAsciiJson(this.exchangeRate())},"fear_greed":${toAsciiJson(this.fearGreed)}`;
  }

  /** On `/ws/prices`, the liquidations since the last flush (called once per flush per stream). */
  renderStreamExtras(stream: string): string {
    if (stream !== "prices" || this.pendingLiquidations.length === 0) return "";
    const rate = this.usdKrw?.rate ?? null;
    const list = this.pendingLiquidations.map((l) => withKrw(l, rate));
    this.pendingLiquidations = [];
    return `"liquidations":${toAsciiJson(list)}`;
  }
}

/** `?symbols=BTC,ETH` on a WebSocket URL: the initial subscription (all coins when absent). */
export function parseSymbolsParam(value: string | null): string[] | null {
  if (!value) return null;
  const symbols = value
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter((s) => /^[A-Z0-9]{1,20}$/.test(s));
  return symbols.length > 0 ? [...new Set(symbols)].slice(0, 500) : null;
}
