import type { MarketModel, SimCoin, VenueQuote } from "../market-model";

/** `yyyyMMdd` and `HHmmss` of a time, shifted by `offsetHours` (Bithumb writes KST, Upbit UTC). */
function dateTime(ms: number, offsetHours: number): { date: string; time: string } {
  const iso = new Date(ms + offsetHours * 3_600_000).toISOString();
  return { date: iso.slice(0, 10).replaceAll("-", ""), time: iso.slice(11, 19).replaceAll(":", "") };
}

/** A price as Upbit and Bithumb print it: whole won from 100, cents from 1, six significant digits below. */
export function tickRound(n: number): number {
  return n >= 100 ? Math.round(n) : n >= 1 ? Math.round(n * 100) / 100 : Number(n.toPrecision(6));
}

/** An Upbit/Bithumb v1-shaped ticker object (WebSocket DEFAULT format), as the venues send it. */
export function upbitStyleTicker(
  code: string,
  q: VenueQuote,
  options: { ws: boolean; kstTradeTime?: boolean; streamType?: "SNAPSHOT" | "REALTIME" },
): Record<string, unknown> {
  const price = tickRound(q.price);
  const open = tickRound(q.open);
  const diff = price - open;
  const change = diff > 0 ? "RISE" : diff < 0 ? "FALL" : "EVEN";
  const { date, time } = dateTime(q.timestamp, options.kstTradeTime ? 9 : 0);
  const base: Record<string, unknown> = {
    ...(options.ws ? { type: "ticker", code } : { market: code }),
    opening_price: open,
    high_price: tickRound(q.high),
    low_price: tickRound(q.low),
    trade_price: price,
    prev_closing_price: open,
    change,
    change_price: Math.abs(diff),
    signed_change_price: diff,
    change_rate: Math.abs(diff / open),
    signed_change_rate: diff / open,
    trade_volume: Number((q.volume / 50_000).toPrecision(6)),
    acc_trade_volume: q.volume / 2,
    acc_trade_volume_24h: q.volume,
    acc_trade_price: q.quoteVolume / 2,
    acc_trade_price_24h: q.quoteVolume,
    trade_date: date,
    trade_time: time,
    trade_timestamp: q.timestamp,
    timestamp: q.timestamp,
  };
  if (!options.ws) return base;
  return {
    ...base,
    ask_bid: diff >= 0 ? "BID" : "ASK",
    acc_ask_volume: q.volume / 4,
    acc_bid_volume: q.volume / 4,
    highest_52_week_price: tickRound(q.high * 1.8),
    highest_52_week_date: "2025-10-09",
    lowest_52_week_price: tickRound(q.low * 0.5),
    lowest_52_week_date: "2026-02-06",
    market_state: "ACTIVE",
    delisting_date: null,
    stream_type: options.streamType ?? "REALTIME",
  };
}

const SIMPLE_KEYS: Record<string, string> = {
  type: "ty",
  code: "cd",
  opening_price: "op",
  high_price: "hp",
  low_price: "lp",
  trade_price: "tp",
  prev_closing_price: "pcp",
  change: "c",
  change_price: "cp",
  signed_change_price: "scp",
  change_rate: "cr",
  signed_change_rate: "scr",
  trade_volume: "tv",
  acc_trade_volume: "atv",
  acc_trade_volume_24h: "atv24h",
  acc_trade_price: "atp",
  acc_trade_price_24h: "atp24h",
  trade_date: "tdt",
  trade_time: "ttm",
  trade_timestamp: "ttms",
  ask_bid: "ab",
  acc_ask_volume: "aav",
  acc_bid_volume: "abv",
  highest_52_week_price: "h52wp",
  highest_52_week_date: "h52wdt",
  lowest_52_week_price: "l52wp",
  lowest_52_week_date: "l52wdt",
  market_state: "ms",
  delisting_date: "dd",
  timestamp: "tms",
  stream_type: "st",
};

/** The SIMPLE (abbreviated keys) form of a DEFAULT ticker object. */
export function toSimpleFormat(ticker: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(ticker).map(([k, v]) => [SIMPLE_KEYS[k] ?? k, v]));
}

/** A venue's KRW market codes and the coin behind each (`KRW-TON` -> Tokamak on Upbit). */
export function krwMarkets(market: MarketModel, venue: "upbit" | "bithumb"): Map<string, SimCoin> {
  const map = new Map<string, SimCoin>();
  for (const coin of market.listed(venue)) {
    const listing = coin.listings[venue];
    if (listing) map.set(`KRW-${listing.ticker}`, coin);
  }
  return map;
}
