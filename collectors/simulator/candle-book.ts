import type { SimMarketVenue } from "./coin-catalog";
import { SIM_MARKET_VENUES } from "./coin-catalog";
import { LiveMinutes, mergeTraded, type Traded } from "./live-minutes";
import type { MarketModel, SimCoin } from "./market-model";
import { gaussian, mixSeed, seededRandom } from "./random";
import { ReferenceSeries, SERIES_SEEDS } from "./reference-series";
import { bridge, SyntheticPricePath } from "./synthetic-path";

const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;
const DAY_MS = 86_400_000;

/** One venue candle as the simulator serves it: the interval's start and its trades (market units). */
export interface SimCandle extends Traded {
  openTime: number;
}

/** Options of {@link CandleBook}. */
export interface CandleBookOptions {
  /** Hours of recorded minutes kept minute by minute (older hours are kept as hours). Default 6. */
  liveMinuteHours?: number;
}

const KRW_VENUES: ReadonlySet<SimMarketVenue> = new Set(["upbit", "bithumb"]);
/** Korean venues have no candle for a minute without trades: in their thin markets, this share of minutes. */
const NO_TRADE_SHARE = 0.25;
/** Daily turnover (USD) under which a Korean market is thin. */
const THIN_TURNOVER_USD = 300_000;

/**
 * The simulator's candles of every venue market, at any interval and time: before the simulator
 * started, a deterministic synthetic history (each coin's USD path from {@link SyntheticPricePath}, the
 * USD/KRW rate and the coin's premium from slow {@link ReferenceSeries}, so the four venues move
 * together and the premium has a history), ending exactly at the start's prices; since the start, the
 * trades the random walk actually made ({@link LiveMinutes}). A candle across the start joins both.
 * The interval still open at `now` is served as it stands (venues do too).
 */
export class CandleBook {
  /** The start, a minute boundary: synthetic before, recorded from here. */
  readonly startedAt: number;
  private readonly paths = new Map<string, SyntheticPricePath>();
  private readonly premiums = new Map<string, ReferenceSeries>();
  private readonly listedSince = new Map<string, number>();
  private readonly coinIndex = new Map<string, number>();
  private readonly live = new Map<string, LiveMinutes>();
  private readonly usdKrw: ReferenceSeries;
  private readonly keepHours: number;

  constructor(
    private readonly model: MarketModel,
    now: number,
    options: CandleBookOptions = {},
  ) {
    this.startedAt = Math.floor(now / MINUTE_MS) * MINUTE_MS;
    this.keepHours = options.liveMinuteHours ?? 6;
    this.usdKrw = new ReferenceSeries(SERIES_SEEDS.usdKrw, this.startedAt, model.usdKrw, 0.04, "scale");
    const tether = new ReferenceSeries(SERIES_SEEDS.tetherPremium, this.startedAt, model.tetherPremium, 0.008, "add");
    model.coins.forEach((coin, i) => {
      const random = seededRandom(mixSeed(11, i));
      this.coinIndex.set(coin.base, i);
      const sigma = coin.base === "USDT" ? 0 : 0.02 + random() * 0.04;
      this.paths.set(coin.base, new SyntheticPricePath(mixSeed(13, i), this.startedAt, coin.usdPrice, sigma));
      this.premiums.set(
        coin.base,
        coin.base === "USDT"
          ? tether
          : new ReferenceSeries(SERIES_SEEDS.premium(i), this.startedAt, coin.premium, 0.015, "add"),
      );
      // The real coins have years of history; the generated ones were listed from a month to four years ago.
      const age = i < 110 ? 2000 : 30 + Math.floor(random() * 1470);
      this.listedSince.set(coin.base, (Math.floor(this.startedAt / DAY_MS) - age) * DAY_MS);
    });
  }

  /** USD/KRW at `t` (the synthetic history before the start, the start's rate after). */
  usdKrwAt(t: number): number {
    return this.usdKrw.at(t);
  }

  /** A trade of the random walk on one venue market (market units). */
  record(venue: SimMarketVenue, coin: SimCoin, price: number, quantity: number, at: number): void {
    const key = `${venue}:${coin.base}`;
    let live = this.live.get(key);
    if (!live) {
      live = new LiveMinutes(this.keepHours);
      this.live.set(key, live);
    }
    live.record(price, quantity, at);
  }

  /** The candle of `[openTime, openTime + size)`, or undefined when nothing traded then (or before listing). */
  candle(venue: SimMarketVenue, coin: SimCoin, openTime: number, size: number, now: number): SimCandle | undefined {
    if (openTime > now || openTime < (this.listedSince.get(coin.base) ?? 0)) return undefined;
    const end = openTime + size;
    const before =
      openTime < this.startedAt ? this.synthetic(venue, coin, openTime, Math.min(end, this.startedAt)) : undefined;
    const after =
      end > this.startedAt ? this.recorded(venue, coin, Math.max(openTime, this.startedAt), end) : undefined;
    const traded = mergeTraded([before, after]);
    return traded ? { openTime, ...traded } : undefined;
  }

  /** The candles with a start in `[from, to)` on the grid of `size` through `from`, oldest first. */
  range(venue: SimMarketVenue, coin: SimCoin, size: number, from: number, to: number, now: number): SimCandle[] {
    const out: SimCandle[] = [];
    for (let t = from; t < to && t <= now; t += size) {
      const c = this.candle(venue, coin, t, size, now);
      if (c) out.push(c);
    }
    return out;
  }

  /** The newest `count` candles starting before `to` (on the grid through `to`), newest first. */
  newestBefore(
    venue: SimMarketVenue,
    coin: SimCoin,
    size: number,
    to: number,
    count: number,
    now: number,
  ): SimCandle[] {
    const out: SimCandle[] = [];
    const listed = this.listedSince.get(coin.base) ?? 0;
    for (let t = to - size; out.length < count && t >= listed; t -= size) {
      const c = this.candle(venue, coin, t, size, now);
      if (c) out.push(c);
    }
    return out;
  }

  /** A venue's price for one USD of the coin at `t` (its quote currency and market units). */
  private perUsd(venue: SimMarketVenue, coin: SimCoin, t: number): number {
    const premium = this.premiums.get(coin.base)?.at(t) ?? coin.premium;
    return this.model.venuePrice(coin, venue, 1, this.usdKrw.at(t), premium);
  }

  /** The synthetic trades of `[from, to)` (both before the start). */
  private synthetic(venue: SimMarketVenue, coin: SimCoin, from: number, to: number): Traded | undefined {
    const path = this.paths.get(coin.base) as SyntheticPricePath;
    const size = to - from;
    const random = seededRandom(
      mixSeed(this.coinIndex.get(coin.base) ?? 0, SIM_MARKET_VENUES.indexOf(venue), size, from / MINUTE_MS),
    );
    const turnoverUsd = this.model.turnoverUsd(coin, venue);
    if (size <= MINUTE_MS && KRW_VENUES.has(venue) && turnoverUsd < THIN_TURNOVER_USD && random() < NO_TRADE_SHARE) {
      return undefined;
    }
    const usdOpen = path.priceAt(from);
    const usdClose = path.priceAt(to);
    const sigma = path.dailySigma * Math.sqrt(size / DAY_MS);
    const usdHigh = Math.max(usdOpen, usdClose) * Math.exp(Math.abs(gaussian(random)) * sigma * 0.6);
    const usdLow = Math.min(usdOpen, usdClose) * Math.exp(-Math.abs(gaussian(random)) * sigma * 0.6);
    const fOpen = this.perUsd(venue, coin, from);
    const fClose = this.perUsd(venue, coin, to);
    const open = usdOpen * fOpen;
    const close = usdClose * fClose;
    const high = Math.max(open, close, usdHigh * Math.max(fOpen, fClose));
    const low = Math.min(open, close, usdLow * Math.min(fOpen, fClose));
    // Busier in the Korean and US afternoons, lognormal noise around the venue's daily turnover.
    const hourOfDay = (from % DAY_MS) / HOUR_MS;
    const seasonal = size >= DAY_MS ? 1 : 1 + 0.35 * Math.sin((2 * Math.PI * (hourOfDay - 3)) / 24);
    const quoteVolume =
      turnoverUsd *
      (size / DAY_MS) *
      seasonal *
      Math.exp(0.6 * gaussian(random) - 0.18) *
      (KRW_VENUES.has(venue) ? this.usdKrw.at(from) : 1);
    return {
      open,
      high,
      low,
      close,
      volume: quoteVolume / ((open + high + low + close) / 4),
      quoteVolume,
      lastTradeAt: to - 1 - Math.floor(random() * Math.min(size, 30_000)),
    };
  }

  /** The recorded trades of `[from, to)` (both at or after the start): hours whole where they can be. */
  private recorded(venue: SimMarketVenue, coin: SimCoin, from: number, to: number): Traded | undefined {
    const live = this.live.get(`${venue}:${coin.base}`);
    if (!live) return undefined;
    const parts: (Traded | undefined)[] = [];
    let t = from;
    while (t < to) {
      const hourStart = Math.floor(t / HOUR_MS) * HOUR_MS;
      // No trades before the start: an hour the range holds from the start on is that hour's trades.
      const wholeHour = (t === hourStart || t === this.startedAt) && hourStart + HOUR_MS <= to;
      if (wholeHour) {
        parts.push(live.hour(hourStart));
        t = hourStart + HOUR_MS;
      } else {
        parts.push(live.hasMinutes(hourStart) ? live.minute(t) : this.minuteOfFoldedHour(live, coin, t));
        t += MINUTE_MS;
      }
    }
    return mergeTraded(parts);
  }

  /**
   * A minute of a recorded hour no longer kept minute by minute: a path bridged from the hour's open to
   * its close within its high and low, with an even share of its volume.
   */
  private minuteOfFoldedHour(live: LiveMinutes, coin: SimCoin, t: number): Traded | undefined {
    const hourStart = Math.floor(t / HOUR_MS) * HOUR_MS;
    const hour = live.hour(hourStart);
    if (!hour) return undefined;
    const sigma = (this.paths.get(coin.base)?.dailySigma ?? 0.03) / Math.sqrt(1440);
    const knots = bridge(
      Math.log(hour.open),
      Math.log(hour.close),
      new Array(60).fill(1),
      sigma,
      mixSeed(17, hourStart / HOUR_MS),
    );
    const m = (t - hourStart) / MINUTE_MS;
    const clamp = (p: number) => Math.min(hour.high, Math.max(hour.low, p));
    const open = clamp(Math.exp(knots[m] as number));
    const close = clamp(Math.exp(knots[m + 1] as number));
    return {
      open,
      high: Math.max(open, close),
      low: Math.min(open, close),
      close,
      volume: hour.volume / 60,
      quoteVolume: hour.quoteVolume / 60,
      lastTradeAt: t + MINUTE_MS - 1,
    };
  }
}
