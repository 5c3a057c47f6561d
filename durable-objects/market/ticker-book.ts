/**
 * The board's `MarketBook`, mirrored in the object's SQLite storage: loaded from it at start, and each
 * rate, name, index and source written as it is taken (tickers in one pass per batch, `saveTickers`).
 */
import type { Source } from "../../protocol/common";
import type { CoinEvent, FearGreedEvent, FxEvent } from "../../protocol/ingest";
import type { FearGreed } from "../../protocol/market";
import { marketKey } from "../../protocol/venues";
import { type CoinNames, MarketBook, type StoredRate, type StoredTicker } from "./market-book";

export type { CoinNames, StoredRate, StoredTicker } from "./market-book";

export class TickerBook extends MarketBook {
  constructor(private readonly sql: SqlStorage) {
    super();
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

  override applyFx(event: FxEvent): boolean {
    if (!super.applyFx(event)) return false;
    this.saveSingleton("usd_krw", this.usdKrwRate);
    return true;
  }

  override applyCoinName(event: CoinEvent): void {
    super.applyCoinName(event);
    const entry = this.names.get(event.base) as CoinNames;
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

  override applyFearGreed(event: FearGreedEvent): boolean {
    if (!super.applyFearGreed(event)) return false;
    this.saveSingleton("fear_greed", this.fearGreedIndex);
    return true;
  }

  override setSource(source: Source): void {
    if (source === this.lastSource) return;
    super.setSource(source);
    this.saveSingleton("last_source", source);
  }

  private saveSingleton(name: string, value: unknown): void {
    this.sql.exec(
      "INSERT INTO singletons (name, data) VALUES (?, ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
      name,
      JSON.stringify(value),
    );
  }
}
