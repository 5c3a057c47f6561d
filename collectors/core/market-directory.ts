import type { MarketVenue } from "../../protocol/common";
import type { IngestEvent } from "../../protocol/ingest";
import { MARKET_VENUES, marketKey } from "../../protocol/venues";

/** A market a ticker feed has seen: the coin key, its quote, and the venue's own symbol. */
export interface ListedMarket {
  venue: MarketVenue;
  base: string;
  quote: string;
  /** The venue's symbol (`KRW-BTC`, `1000SATSUSDT`): what its candle API is asked for. */
  venueSymbol: string;
}

/**
 * The markets the ticker feeds have discovered, per venue, shared by every feed of the process: the
 * candle feeds backfill exactly these (the board's markets, KRW-USDT included), and a market seen
 * for the first time is announced to the listeners.
 */
export class MarketDirectory {
  private readonly byVenue = new Map<string, Map<string, ListedMarket>>();
  private readonly listeners = new Set<(market: ListedMarket) => void>();

  /** Records the markets of some (validated, filtered) ticker events. */
  observe(events: readonly IngestEvent[]): void {
    for (const e of events) {
      if (e.kind === "ticker") this.add({ venue: e.venue, base: e.base, quote: e.quote, venueSymbol: e.venue_symbol });
    }
  }

  /** Adds one market (tests and tools; the feeds use `observe`). */
  add(market: ListedMarket): void {
    let markets = this.byVenue.get(market.venue);
    if (!markets) {
      markets = new Map();
      this.byVenue.set(market.venue, markets);
    }
    const key = marketKey(market.venue, market.base, market.quote);
    if (markets.has(key)) return;
    markets.set(key, market);
    for (const listener of this.listeners) listener(market);
  }

  /** The markets seen on one venue so far. */
  markets(venue: string): ListedMarket[] {
    return [...(this.byVenue.get(venue)?.values() ?? [])];
  }

  /** Whether a venue lists a market (as far as its ticker feed has said). */
  lists(venue: string, base: string, quote: string): boolean {
    return this.byVenue.get(venue)?.has(marketKey(venue, base, quote)) ?? false;
  }

  /**
   * Whether this is the market a coin's chart shows by default: no venue before it in the board's
   * order (`MARKET_VENUES`: Upbit before Bithumb, Binance before Bybit) lists the same market.
   */
  charted(market: ListedMarket): boolean {
    const earlier = MARKET_VENUES.slice(0, MARKET_VENUES.indexOf(market.venue));
    return !earlier.some((venue) => this.lists(venue, market.base, market.quote));
  }

  /** Calls `listener` for every market seen from now on; returns the unsubscribe function. */
  onMarket(listener: (market: ListedMarket) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}
