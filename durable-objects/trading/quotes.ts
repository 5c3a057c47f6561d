/**
 * The live prices the ledger trades and values positions at, taken from the MarketBoard's coins and
 * rates for one operation: each venue's last price with its time, 24 h volumes, and the USD/KRW and
 * USDT/KRW rates used to put KRW and USDT amounts on one scale.
 */
import type { Coin, ExchangeRate } from "../../protocol/market";
import type { MarketVenue } from "../../protocol/venues";
import { type Decimal, dec } from "./decimal";

export interface VenueQuote {
  price: Decimal;
  timestamp: number;
  /** 24 h traded volume in the base asset, and value in the quote currency. */
  volume: Decimal;
  quoteVolume: Decimal;
}

export interface Quotes {
  /** A venue's last price of a coin, or null when it has none. */
  quote(venue: MarketVenue, base: string): VenueQuote | null;
  /** USD/KRW (forex); USD-equivalent limits divide KRW by it. */
  usdKrw: Decimal | null;
  /** USDT/KRW as the Korean venue prices it; USDT balances count in KRW at it (USD/KRW without one). */
  usdtKrw: Decimal | null;
  /** The time the quotes were read (ms). */
  at: number;
}

/** Quotes from the board's answer. */
export function quotesFrom(coins: Coin[], rate: ExchangeRate, at: number): Quotes {
  const byBase = new Map(coins.map((c) => [c.symbol, c]));
  const usdKrw = rate.exchange_rate !== null ? dec(rate.exchange_rate) : null;
  return {
    quote(venue, base) {
      const p = byBase.get(base)?.prices[venue];
      if (!p) return null;
      return { price: dec(p.price), timestamp: p.timestamp, volume: dec(p.volume), quoteVolume: dec(p.quote_volume) };
    },
    usdKrw,
    usdtKrw: rate.usdt_krw_rate !== null ? dec(rate.usdt_krw_rate) : usdKrw,
    at,
  };
}
