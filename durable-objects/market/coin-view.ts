/**
 * How the board shows its book: each coin with its prices per venue (with `stale` flags) and both
 * premiums, and the market-wide rates. Built on demand from the book, with the clock passed in.
 */
import type { Coin, ExchangeRate, VenuePrice } from "../../protocol/market";
import { KRW_VENUES, USDT_KRW_MARKETS } from "../../protocol/venues";
import type { MarketBook } from "./market-book";
import { computePremium, type FreshnessBounds, type TimedRate } from "./premium";
import type { PremiumWindows } from "./premium-context";

export class CoinView {
  constructor(
    private readonly book: MarketBook,
    private readonly bounds: FreshnessBounds,
    private readonly windowsOf: (base: string) => PremiumWindows | null = () => null,
  ) {}

  /** USDT/KRW as each Korean venue prices it. */
  usdtKrwByVenue(): Partial<Record<string, TimedRate>> {
    const rates: Partial<Record<string, TimedRate>> = {};
    for (const venue of KRW_VENUES) {
      const t = this.book.ticker(USDT_KRW_MARKETS[venue]);
      if (t) rates[venue] = { rate: t.price, timestamp: t.timestamp };
    }
    return rates;
  }

  private venuePrices(base: string, now: number): Partial<Record<string, VenuePrice>> {
    const prices: Partial<Record<string, VenuePrice>> = {};
    for (const t of this.book.tickersOf(base)) {
      prices[t.venue] = {
        price: t.price,
        currency: t.quote,
        change_percent: t.change_percent,
        volume: t.volume,
        quote_volume: t.quote_volume,
        high_24h: t.high ?? null,
        low_24h: t.low ?? null,
        timestamp: t.timestamp,
        stale: now - t.timestamp > this.bounds.tickerMs,
        source: t.source,
      };
    }
    return prices;
  }

  /** One coin as of `now`; pass `usdtKrw` when building many at once. */
  coin(base: string, now: number, usdtKrw = this.usdtKrwByVenue()): Coin {
    const prices = this.venuePrices(base, now);
    const name = this.book.namesOf(base);
    return {
      symbol: base,
      korean_name: name?.korean_name ?? null,
      english_name: name?.english_name ?? null,
      prices,
      premium: computePremium(prices, this.book.usdKrw(), usdtKrw, now, this.bounds, this.windowsOf(base)),
      warnings: name?.warnings ?? [],
    };
  }

  /** The coins of `bases` that some venue quotes, in the order given. */
  coins(bases: Iterable<string>): Coin[] {
    const now = Date.now();
    const usdtKrw = this.usdtKrwByVenue();
    return [...bases].filter((b) => this.book.has(b)).map((b) => this.coin(b, now, usdtKrw));
  }

  /** Every coin with at least one price, sorted by symbol. */
  allCoins(): Coin[] {
    return this.coins([...this.book.bases()].sort());
  }

  /** USD/KRW, USDT/KRW (the first Korean venue that prices it) and the tether premium. */
  exchangeRate(now = Date.now()): ExchangeRate {
    const usdt = KRW_VENUES.map((v) => this.book.ticker(USDT_KRW_MARKETS[v])).find((t) => t !== undefined);
    const fx = this.book.usdKrw();
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
}
