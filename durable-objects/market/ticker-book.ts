/**
 * The board's book of market state, in memory and mirrored in the object's SQLite storage: the latest
 * ticker per market, the USD/KRW rate, coin names and caution flags, the Fear & Greed index, and the
 * source of the last batch. A ticker, a rate or an index never gives way to an older one, unless the
 * one held is dated further ahead of the clock than any event may be (`keepsHeld`): such a time can only
 * be wrong, and must not pin a market or the rate until that date.
 */
import type { Source } from "../../protocol/common";
import type { CoinEvent, FearGreedEvent, FxEvent, TickerEvent } from "../../protocol/ingest";
import { keepsHeld } from "../../protocol/ingest";
import type { FearGreed } from "../../protocol/market";
import { isBoardMarket, marketKey } from "../../protocol/venues";

export interface StoredTicker extends TickerEvent {
  source: Source;
}

export interface StoredRate {
  rate: number;
  provider: string;
  timestamp: number;
}

export interface CoinNames {
  korean_name: string;
  english_name: string;
  warnings: string[];
}

export class TickerBook {
  private readonly tickers = new Map<string, StoredTicker>();
  private readonly marketsByBase = new Map<string, Set<string>>();
  private readonly names = new Map<string, CoinNames>();
  private usdKrwRate: StoredRate | null = null;
  private fearGreedIndex: FearGreed | null = null;
  private lastSource: Source = "live";

  constructor(private readonly sql: SqlStorage) {
    this.migrate();
    this.load();
  }

  private migrate(): void {
    this.sql.exec(`CREATE TABLE IF NOT EXISTS tickers (
      market TEXT PRIMARY KEY, data TEXT NOT NULL, timestamp INTEGER NOT NULL)`);
    this.sql.exec(`CREATE TABLE IF NOT EXISTS coin_names (
      base TEXT PRIMARY KEY, korean_name TEXT NOT NULL, english_name TEXT NOT NULL, warnings TEXT NOT NULL)`);
    this.sql.exec("CREATE TABLE IF NOT EXISTS singletons (name TEXT PRIMARY KEY, data TEXT NOT NULL)");
  }

  private load(): void {
    for (const row of this.sql.exec<{ data: string }>("SELECT data FROM tickers")) {
      this.remember(JSON.parse(row.data) as StoredTicker);
    }
    for (const row of this.sql.exec<{ base: string; korean_name: string; english_name: string; warnings: string }>(
      "SELECT base, korean_name, english_name, warnings FROM coin_names",
    )) {
      this.names.set(row.base, {
        korean_name: row.korean_name,
        english_name: row.english_name,
        warnings: JSON.parse(row.warnings) as string[],
      });
    }
    for (const row of this.sql.exec<{ name: string; data: string }>("SELECT name, data FROM singletons")) {
      if (row.name === "usd_krw") this.usdKrwRate = JSON.parse(row.data) as StoredRate;
      if (row.name === "fear_greed") this.fearGreedIndex = JSON.parse(row.data) as FearGreed;
      if (row.name === "last_source") this.lastSource = JSON.parse(row.data) as Source;
    }
  }

  private remember(t: StoredTicker): void {
    const key = marketKey(t.venue, t.base, t.quote);
    this.tickers.set(key, t);
    let markets = this.marketsByBase.get(t.base);
    if (!markets) {
      markets = new Set();
      this.marketsByBase.set(t.base, markets);
    }
    markets.add(key);
  }

  // --- writing ---------------------------------------------------------------------------------

  /**
   * Takes a ticker unless it is off the board (a BTC-quoted market on Upbit, say) or older than the
   * one held for its market. Returns whether it was taken; `save` writes the taken ones.
   */
  applyTicker(event: TickerEvent, source: Source): StoredTicker | null {
    if (!isBoardMarket(event.venue, event.quote)) return null;
    const current = this.tickers.get(marketKey(event.venue, event.base, event.quote));
    if (current && keepsHeld(current.timestamp, event.timestamp)) return null; // never let older data win
    const stored: StoredTicker = { ...event, source };
    this.remember(stored);
    return stored;
  }

  /** Writes taken tickers to storage (one row per market, the latest). */
  saveTickers(tickers: Iterable<StoredTicker>): void {
    for (const t of tickers) {
      this.sql.exec(
        `INSERT INTO tickers (market, data, timestamp) VALUES (?, ?, ?)
         ON CONFLICT(market) DO UPDATE SET data = excluded.data, timestamp = excluded.timestamp`,
        marketKey(t.venue, t.base, t.quote),
        JSON.stringify(t),
        t.timestamp,
      );
    }
  }

  /** Takes a USD/KRW rate unless an older one; returns whether it was taken. */
  applyFx(event: FxEvent): boolean {
    if (this.usdKrwRate && keepsHeld(this.usdKrwRate.timestamp, event.timestamp)) return false;
    this.usdKrwRate = { rate: event.rate, provider: event.provider, timestamp: event.timestamp };
    this.saveSingleton("usd_krw", this.usdKrwRate);
    return true;
  }

  applyCoinName(event: CoinEvent): void {
    const entry = { korean_name: event.korean_name, english_name: event.english_name, warnings: event.warnings };
    this.names.set(event.base, entry);
    this.sql.exec(
      `INSERT INTO coin_names (base, korean_name, english_name, warnings) VALUES (?, ?, ?, ?)
       ON CONFLICT(base) DO UPDATE SET korean_name = excluded.korean_name,
         english_name = excluded.english_name, warnings = excluded.warnings`,
      event.base,
      entry.korean_name,
      entry.english_name,
      JSON.stringify(entry.warnings),
    );
  }

  /** Takes the index unless an older one; returns whether it was taken. */
  applyFearGreed(event: FearGreedEvent): boolean {
    if (this.fearGreedIndex && keepsHeld(this.fearGreedIndex.timestamp, event.timestamp)) return false;
    this.fearGreedIndex = { value: event.value, classification: event.classification, timestamp: event.timestamp };
    this.saveSingleton("fear_greed", this.fearGreedIndex);
    return true;
  }

  /** Remembers where the last batch came from (`live`, `replay`, `simulated`). */
  setSource(source: Source): void {
    if (source === this.lastSource) return;
    this.lastSource = source;
    this.saveSingleton("last_source", source);
  }

  private saveSingleton(name: string, value: unknown): void {
    this.sql.exec(
      "INSERT INTO singletons (name, data) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
      name,
      JSON.stringify(value),
    );
  }

  // --- reading ---------------------------------------------------------------------------------

  /** The latest ticker of a market (`upbit:BTC-KRW`). */
  ticker(market: string): StoredTicker | undefined {
    return this.tickers.get(market);
  }

  /** Every market's latest ticker. */
  allTickers(): IterableIterator<StoredTicker> {
    return this.tickers.values();
  }

  /** The latest tickers of one coin, one per market. */
  *tickersOf(base: string): Generator<StoredTicker> {
    for (const key of this.marketsByBase.get(base) ?? []) yield this.tickers.get(key) as StoredTicker;
  }

  /** Whether any venue quotes a coin. */
  has(base: string): boolean {
    return this.marketsByBase.has(base);
  }

  /** Every coin some venue quotes. */
  bases(): IterableIterator<string> {
    return this.marketsByBase.keys();
  }

  namesOf(base: string): CoinNames | undefined {
    return this.names.get(base);
  }

  allNames(): IterableIterator<[string, CoinNames]> {
    return this.names.entries();
  }

  usdKrw(): StoredRate | null {
    return this.usdKrwRate;
  }

  fearGreed(): FearGreed | null {
    return this.fearGreedIndex;
  }

  source(): Source {
    return this.lastSource;
  }
}
