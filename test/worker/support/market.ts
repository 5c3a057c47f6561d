import type { TickerEvent } from "../../../protocol/ingest";

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
