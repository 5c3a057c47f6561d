/**
 * The market state the board shows, in memory: the latest ticker per market, the USD/KRW rate, coin
 * names and caution flags, the Fear & Greed index, and the source of the last batch. A ticker, a rate
 * or an index never gives way to an older one, unless the one held is dated further ahead of the clock
 * than any event may be (`keepsHeld`): such a time can only be wrong, and must not pin a market or the
 * rate until that date. The board keeps it mirrored in its storage (`TickerBook`); the benchmark's Node
 * peer uses it as it is.
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

export class MarketBook {
  private readonly tickers = new Map<string, StoredTicker>();
  private readonly marketsByBase = new Map<string, Set<string>>();
  protected readonly names = new Map<string, CoinNames>();
  protected usdKrwRate: StoredRate | null = null;
  protected fearGreedIndex: FearGreed | null = null;
  protected lastSource: Source = "live";

  protected remember(t: StoredTicker): void {
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
   * one held for its market. Returns the ticker taken, or null.
   */
  applyTicker(event: TickerEvent, source: Source): StoredTicker | null {
    if (!isBoardMarket(event.venue, event.quote)) return null;
    const current = this.tickers.get(marketKey(event.venue, event.base, event.quote));
    if (current && keepsHeld(current.timestamp, event.timestamp)) return null; // never let older data win
    const stored: StoredTicker = { ...event, source };
    this.remember(stored);
    return stored;
  }

  /** Takes a USD/KRW rate unless an older one; returns whether it was taken. */
  applyFx(event: FxEvent): boolean {
    if (this.usdKrwRate && keepsHeld(this.usdKrwRate.timestamp, event.timestamp)) return false;
    this.usdKrwRate = { rate: event.rate, provider: event.provider, timestamp: event.timestamp };
    return true;
  }

  applyCoinName(event: CoinEvent): void {
    this.names.set(event.base, {
      korean_name: event.korean_name,
      english_name: event.english_name,
      warnings: event.warnings,
    });
  }

  /** Takes the index unless an older one; returns whether it was taken. */
  applyFearGreed(event: FearGreedEvent): boolean {
    if (this.fearGreedIndex && keepsHeld(this.fearGreedIndex.timestamp, event.timestamp)) return false;
    this.fearGreedIndex = { value: event.value, classification: event.classification, timestamp: event.timestamp };
    return true;
  }

  /** Remembers where the last batch came from (`live`, `replay`, `simulated`). */
  setSource(source: Source): void {
    this.lastSource = source;
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
