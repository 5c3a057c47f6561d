/**
 * The conflated peer's market state (bench/conflated-peer-server.ts): the latest ticker per market,
 * USD/KRW, coin names and the Fear & Greed index, in memory only, and each coin rendered the way
 * the board renders it (durable-objects/market/coin-view.ts): per-venue price, volume, change and
 * timestamp with `stale` flags, and both premiums from the board's own `computePremium`. The board's
 * TickerBook and CoinView are not reused as such: they need Durable Object storage (`SqlStorage`).
 * No premium context (that needs the coins' history): `premium.context` is always null.
 */

import { computePremium, type FreshnessBounds, type TimedRate } from "../durable-objects/market/premium";
import type { Source } from "../protocol/common";
import type { CoinEvent, FearGreedEvent, FxEvent, TickerEvent } from "../protocol/ingest";
import { keepsHeld } from "../protocol/ingest";
import type { Coin, ExchangeRate, FearGreed, VenuePrice } from "../protocol/market";
import { isBoardMarket, KRW_VENUES, marketKey, USDT_KRW_MARKETS } from "../protocol/venues";

/** wrangler.toml's TICKER_STALE_MS and FX_STALE_MS. */
const BOUNDS: FreshnessBounds = { tickerMs: 30_000, fxMs: 600_000 };

interface HeldTicker extends TickerEvent {
  source: Source;
}

export class PeerBook {
  private readonly tickers = new Map<string, HeldTicker>();
  private readonly marketsByBase = new Map<string, Set<string>>();
  private readonly names = new Map<string, Omit<CoinEvent, "kind" | "base" | "venue">>();
  private usdKrw: (TimedRate & { provider: string }) | null = null;
  private fearGreedIndex: FearGreed | null = null;
  private lastSource: Source = "live";

  /** Takes a board ticker unless an older one than held; answers whether it was taken. */
  applyTicker(event: TickerEvent, source: Source): boolean {
    if (!isBoardMarket(event.venue, event.quote)) return false;
    const key = marketKey(event.venue, event.base, event.quote);
    const held = this.tickers.get(key);
    if (held && keepsHeld(held.timestamp, event.timestamp)) return false;
    this.tickers.set(key, { ...event, source });
    let markets = this.marketsByBase.get(event.base);
    if (!markets) {
      markets = new Set();
      this.marketsByBase.set(event.base, markets);
    }
    markets.add(key);
    return true;
  }

  applyFx(event: FxEvent): boolean {
    if (this.usdKrw && keepsHeld(this.usdKrw.timestamp, event.timestamp)) return false;
    this.usdKrw = { rate: event.rate, provider: event.provider, timestamp: event.timestamp };
    return true;
  }

  applyCoinName(event: CoinEvent): void {
    this.names.set(event.base, {
      korean_name: event.korean_name,
      english_name: event.english_name,
      warnings: event.warnings,
    });
  }

  applyFearGreed(event: FearGreedEvent): boolean {
    if (this.fearGreedIndex && keepsHeld(this.fearGreedIndex.timestamp, event.timestamp)) return false;
    this.fearGreedIndex = { value: event.value, classification: event.classification, timestamp: event.timestamp };
    return true;
  }

  setSource(source: Source): void {
    this.lastSource = source;
  }

  source(): Source {
    return this.lastSource;
  }

  fearGreed(): FearGreed | null {
    return this.fearGreedIndex;
  }

  /** Every coin some venue quotes, sorted. */
  bases(): string[] {
    return [...this.marketsByBase.keys()].sort();
  }

  has(base: string): boolean {
    return this.marketsByBase.has(base);
  }

  /** USDT/KRW as each Korean venue prices it. */
  usdtKrwByVenue(): Partial<Record<string, TimedRate>> {
    const rates: Partial<Record<string, TimedRate>> = {};
    for (const venue of KRW_VENUES) {
      const t = this.tickers.get(USDT_KRW_MARKETS[venue]);
      if (t) rates[venue] = { rate: t.price, timestamp: t.timestamp };
    }
    return rates;
  }

  /** One coin as of `now`, shaped like the board's. */
  coin(base: string, now: number, usdtKrw = this.usdtKrwByVenue()): Coin {
    const prices: Partial<Record<string, VenuePrice>> = {};
    for (const key of this.marketsByBase.get(base) ?? []) {
      const t = this.tickers.get(key) as HeldTicker;
      prices[t.venue] = {
        price: t.price,
        currency: t.quote,
        change_percent: t.change_percent,
        volume: t.volume,
        quote_volume: t.quote_volume,
        high_24h: t.high ?? null,
        low_24h: t.low ?? null,
        timestamp: t.timestamp,
        stale: now - t.timestamp > BOUNDS.tickerMs,
        source: t.source,
      };
    }
    const name = this.names.get(base);
    return {
      symbol: base,
      korean_name: name?.korean_name ?? null,
      english_name: name?.english_name ?? null,
      prices,
      premium: computePremium(prices, this.usdKrw, usdtKrw, now, BOUNDS),
      warnings: name?.warnings ?? [],
    };
  }

  /** USD/KRW, USDT/KRW and the tether premium, as the board shows them. */
  exchangeRate(now: number): ExchangeRate {
    const usdt = KRW_VENUES.map((v) => this.tickers.get(USDT_KRW_MARKETS[v])).find((t) => t !== undefined);
    const fx = this.usdKrw;
    const stale = !fx || now - fx.timestamp > BOUNDS.fxMs || !usdt || now - usdt.timestamp > BOUNDS.tickerMs;
    return {
      exchange_rate: fx?.rate ?? null,
      usdt_krw_rate: usdt?.price ?? null,
      tether_premium_percent: fx && usdt ? (usdt.price / fx.rate - 1) * 100 : null,
      provider: fx?.provider ?? null,
      stale,
      timestamp: fx || usdt ? Math.max(fx?.timestamp ?? 0, usdt?.timestamp ?? 0) : null,
    };
  }
}
