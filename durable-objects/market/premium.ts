import type { Premium, VenuePrice } from "../../protocol/market";
import { GLOBAL_VENUES, KRW_VENUES, pickVenue } from "../../protocol/venues";
import { type PremiumWindows, premiumContext } from "./premium-context";

/** Freshness bounds (ms): an input older than its bound makes a figure `stale`. */
export interface FreshnessBounds {
  tickerMs: number;
  fxMs: number;
}

/** A rate with the time it was observed. */
export interface TimedRate {
  rate: number;
  timestamp: number;
}

/** (krw / (global x rate) - 1) in percent; null without a rate. */
export function premiumPercent(krwPrice: number, globalPrice: number, rate: number | null): number | null {
  if (rate === null || rate <= 0 || globalPrice <= 0) return null;
  return (krwPrice / (globalPrice * rate) - 1) * 100;
}

/**
 * The kimchi premium of one coin on both bases: USD/KRW from forex, and USDT/KRW as priced on the
 * Korean venue. `usdtKrw` is looked up per Korean venue so both sides of the ratio come from one venue.
 */
export function computePremium(
  prices: Partial<Record<string, VenuePrice>>,
  usdKrw: TimedRate | null,
  usdtKrwByVenue: Partial<Record<string, TimedRate>>,
  now: number,
  bounds: FreshnessBounds,
  windows: PremiumWindows | null = null,
): Premium | null {
  const krwVenue = pickVenue(prices, KRW_VENUES);
  const globalVenue = pickVenue(prices, GLOBAL_VENUES);
  if (!krwVenue || !globalVenue) return null;
  const krw = prices[krwVenue] as VenuePrice;
  const global = prices[globalVenue] as VenuePrice;
  const usdtKrw = usdtKrwByVenue[krwVenue] ?? KRW_VENUES.map((v) => usdtKrwByVenue[v]).find(Boolean) ?? null;

  const tickerStale = (t: number) => now - t > bounds.tickerMs;
  const stale =
    tickerStale(krw.timestamp) ||
    tickerStale(global.timestamp) ||
    usdKrw === null ||
    now - usdKrw.timestamp > bounds.fxMs ||
    (usdtKrw !== null && tickerStale(usdtKrw.timestamp));

  const premium_percent = premiumPercent(krw.price, global.price, usdKrw?.rate ?? null);
  const usdt_premium_percent = premiumPercent(krw.price, global.price, usdtKrw?.rate ?? null);
  return {
    krw_venue: krwVenue,
    global_venue: globalVenue,
    krw_price: krw.price,
    global_price: global.price,
    exchange_rate: usdKrw?.rate ?? null,
    usdt_krw_rate: usdtKrw?.rate ?? null,
    premium_percent,
    usdt_premium_percent,
    stale,
    timestamp: Math.max(krw.timestamp, global.timestamp, usdKrw?.timestamp ?? 0, usdtKrw?.timestamp ?? 0),
    inputs: {
      krw_price_at: krw.timestamp,
      global_price_at: global.timestamp,
      exchange_rate_at: usdKrw?.timestamp ?? null,
      usdt_krw_rate_at: usdtKrw?.timestamp ?? null,
    },
    context: windows && premiumContext(windows, { premium_percent, usdt_premium_percent }),
  };
}
