import type { CandleCoverageEvent, CandleEvent, TickerEvent } from "../../../protocol/ingest";

/** A ticker event shaped like a normalised Upbit/Binance/Bybit/Bithumb ticker. */
export function ticker(
  venue: TickerEvent["venue"],
  base: string,
  price: number,
  timestamp = Date.now(),
  extra: Partial<TickerEvent> = {},
): TickerEvent {
  const quote = venue === "upbit" || venue === "bithumb" ? "KRW" : "USDT";
  return {
    kind: "ticker",
    venue,
    base,
    quote,
    venue_symbol: quote === "KRW" ? `${quote}-${base}` : `${base}${quote}`,
    price,
    change_percent: 1.5,
    volume: 1000,
    quote_volume: 1000 * price,
    timestamp,
    ...extra,
  };
}

/** A closed candle of one venue's board market, as the collectors send it. */
export function candle(
  venue: CandleEvent["venue"],
  base: string,
  interval: CandleEvent["interval"],
  open_time: number,
  ohlc: [open: number, high: number, low: number, close: number],
  volume = 10,
): CandleEvent {
  const quote = venue === "upbit" || venue === "bithumb" ? "KRW" : "USDT";
  const [open, high, low, close] = ohlc;
  return {
    kind: "candle",
    venue,
    base,
    quote,
    venue_symbol: quote === "KRW" ? `${quote}-${base}` : `${base}${quote}`,
    interval,
    open_time,
    open,
    high,
    low,
    close,
    volume,
    quote_volume: volume * close,
    timestamp: Date.now(),
  };
}

/** A collector's statement that a market's candles in [from, to) have all been sent. */
export function coverage(
  venue: CandleCoverageEvent["venue"],
  base: string,
  interval: CandleCoverageEvent["interval"],
  from: number,
  to: number,
  quote = venue === "upbit" || venue === "bithumb" ? "KRW" : "USDT",
): CandleCoverageEvent {
  return { kind: "candle_coverage", venue, base, quote, interval, from, to, timestamp: Date.now() };
}
