import { CandleBook } from "./candle-book";
import { buildCatalog, type CatalogCoin, SIM_MARKET_VENUES, type SimMarketVenue } from "./coin-catalog";
import { gaussian, seededRandom } from "./random";

/** One market's 24 h ticker on one venue, in the venue's quote currency and market units. */
export interface VenueQuote {
  /** The venue's market ticker of the base (`BTC`, `1000SATS`, `TON` for Upbit's Tokamak). */
  ticker: string;
  price: number;
  open: number;
  high: number;
  low: number;
  /** 24 h volume in market units. */
  volume: number;
  /** 24 h value in the quote currency. */
  quoteVolume: number;
  /** (price / open - 1) x 100. */
  changePercent: number;
  /** When the price last moved (ms). */
  timestamp: number;
}

/** A coin's live simulated state. */
export interface SimCoin extends CatalogCoin {
  /** Current USD (= USDT) price. */
  usdPrice: number;
  /** This coin's kimchi premium as a ratio (0.025 = 2.5 %). */
  premium: number;
  /** When the price last moved (ms). */
  updatedAt: number;
}

interface Stats {
  open: number;
  high: number;
  low: number;
  volume: number;
  quoteVolume: number;
  /** A small fixed per-venue price offset (ratio). */
  offset: number;
  /** The market's daily turnover in USD at the start (the candle history's level). */
  turnoverUsd: number;
}

/** Options of {@link MarketModel}. */
export interface MarketModelOptions {
  /** How many coins (at least the ~110 real ones). Default 300. */
  coins?: number;
  seed?: number;
  /** Volatility per second of the log price. Default 0.0006 (lively, for a demo). */
  volatilityPerSecond?: number;
  /** Hours of the walk's trades kept minute by minute for the candle APIs. Default 6. */
  liveMinuteHours?: number;
}

/**
 * The simulator's market: a geometric random walk per coin in USD, a slowly drifting kimchi premium
 * per coin, a USD/KRW rate and USDT/KRW on the Korean venues; every venue's quote is derived from it
 * (KRW venues at USD x USD/KRW x (1 + premium), USDT venues at USD), with 24 h open/high/low/volume.
 */
export class MarketModel {
  readonly coins: SimCoin[];
  /** USD/KRW (forex). */
  usdKrw = 1385;
  /** USDT's own premium on the Korean venues (ratio). */
  tetherPremium = 0.012;
  private readonly random: () => number;
  private readonly stats = new Map<string, Stats>();
  private readonly volatility: number;
  private readonly bySymbol = new Map<string, SimCoin>();
  /** Every venue market's candles: a synthetic history before the start, the walk's trades since. */
  readonly candles: CandleBook;

  constructor(options: MarketModelOptions = {}, now = Date.now()) {
    this.random = seededRandom((options.seed ?? 7) + 1);
    this.volatility = options.volatilityPerSecond ?? 0.0006;
    const catalog = buildCatalog(options.coins ?? 300, options.seed ?? 42);
    catalog.push({
      base: "USDT",
      englishName: "Tether",
      koreanName: "테더",
      usd: 1,
      listings: { upbit: { ticker: "USDT", multiplier: 1 }, bithumb: { ticker: "USDT", multiplier: 1 } },
    });
    this.coins = catalog.map((c) => ({
      ...c,
      usdPrice: c.usd,
      premium: c.base === "USDT" ? this.tetherPremium : this.tetherPremium + 0.005 + gaussian(this.random) * 0.01,
      updatedAt: now,
    }));
    for (const coin of this.coins) {
      this.bySymbol.set(coin.base, coin);
      for (const venue of SIM_MARKET_VENUES) {
        const listing = coin.listings[venue];
        if (!listing) continue;
        const price = this.rawPrice(coin, venue, 0);
        const open = price * Math.exp(gaussian(this.random) * 0.03);
        // At most 1e14 coins a day: a sub-cent coin with a billion-dollar turnover is beyond any real market.
        const turnoverUsd = Math.min(10 ** (5 + this.random() * 4), coin.usd * 1e14);
        const quoteVolume = venue === "upbit" || venue === "bithumb" ? turnoverUsd * this.usdKrw : turnoverUsd;
        this.stats.set(`${venue}:${coin.base}`, {
          open,
          high: Math.max(open, price) * (1 + this.random() * 0.02),
          low: Math.min(open, price) * (1 - this.random() * 0.02),
          volume: quoteVolume / price,
          quoteVolume,
          offset: coin.base === "USDT" ? 0 : gaussian(this.random) * 0.0008,
          turnoverUsd,
        });
      }
    }
    this.candles = new CandleBook(this, now, { liveMinuteHours: options.liveMinuteHours });
  }

  /** A coin by key. */
  coin(base: string): SimCoin | undefined {
    return this.bySymbol.get(base);
  }

  /** The coins listed on a venue. */
  listed(venue: SimMarketVenue): SimCoin[] {
    return this.coins.filter((c) => c.listings[venue]);
  }

  private rawPrice(coin: SimCoin, venue: SimMarketVenue, offset: number): number {
    const usd = coin.base === "USDT" ? 1 : coin.usdPrice;
    return this.priceOf(coin, venue, usd, this.usdKrw, coin.premium, offset);
  }

  private priceOf(
    coin: SimCoin,
    venue: SimMarketVenue,
    usd: number,
    usdKrw: number,
    premium: number,
    offset: number,
  ): number {
    const multiplier = coin.listings[venue]?.multiplier ?? 1;
    const krw = venue === "upbit" || venue === "bithumb";
    const price = krw ? usd * usdKrw * (1 + premium) : usd;
    return price * multiplier * (1 + offset);
  }

  /**
   * A venue's price of a coin (its quote currency, market units, its small offset) for a USD price,
   * a USD/KRW rate and a premium: how the candle history turns a coin's USD path into venue prices.
   */
  venuePrice(coin: SimCoin, venue: SimMarketVenue, usd: number, usdKrw: number, premium: number): number {
    return this.priceOf(coin, venue, usd, usdKrw, premium, this.stats.get(`${venue}:${coin.base}`)?.offset ?? 0);
  }

  /** A venue market's daily turnover in USD at the start (0 when not listed). */
  turnoverUsd(coin: SimCoin, venue: SimMarketVenue): number {
    return this.stats.get(`${venue}:${coin.base}`)?.turnoverUsd ?? 0;
  }

  /** Advances the walk by `dtMs`: each coin moves with probability `moveShare`; rates drift. */
  step(dtMs: number, now = Date.now(), moveShare = 0.5): void {
    const sigma = this.volatility * Math.sqrt(dtMs / 1000);
    this.usdKrw *= Math.exp(gaussian(this.random) * sigma * 0.05);
    this.usdKrw = Math.min(1600, Math.max(1200, this.usdKrw));
    this.tetherPremium += (0.012 - this.tetherPremium) * 0.001 + gaussian(this.random) * sigma * 0.02;
    for (const coin of this.coins) {
      if (coin.base === "USDT") {
        coin.premium = this.tetherPremium;
        coin.updatedAt = now;
      } else if (this.random() < moveShare) {
        coin.usdPrice *= Math.exp(gaussian(this.random) * sigma);
        coin.premium += (this.tetherPremium + 0.005 - coin.premium) * 0.001 + gaussian(this.random) * sigma * 0.05;
        coin.updatedAt = now;
      } else {
        continue;
      }
      for (const venue of SIM_MARKET_VENUES) {
        const s = this.stats.get(`${venue}:${coin.base}`);
        if (!s) continue;
        const price = this.rawPrice(coin, venue, s.offset);
        s.high = Math.max(s.high, price);
        s.low = Math.min(s.low, price);
        const traded = (s.volume / 86_400) * (dtMs / 1000) * (0.5 + this.random());
        s.volume += traded;
        s.quoteVolume += traded * price;
        this.candles.record(venue, coin, price, traded, now);
      }
    }
  }

  /** The 24 h ticker of a coin on a venue, or undefined when it is not listed there. */
  quote(coin: SimCoin, venue: SimMarketVenue): VenueQuote | undefined {
    const listing = coin.listings[venue];
    const s = this.stats.get(`${venue}:${coin.base}`);
    if (!listing || !s) return undefined;
    const price = this.rawPrice(coin, venue, s.offset);
    return {
      ticker: listing.ticker,
      price,
      open: s.open,
      high: Math.max(s.high, price),
      low: Math.min(s.low, price),
      volume: s.volume,
      quoteVolume: s.quoteVolume,
      changePercent: (price / s.open - 1) * 100,
      timestamp: coin.updatedAt,
    };
  }
}
