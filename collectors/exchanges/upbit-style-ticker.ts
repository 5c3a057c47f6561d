import type { MarketVenue } from "../../protocol/common";
import type { TickerEvent } from "../../protocol/ingest";
import { ratioToPercent, toEpochMs, toNonNegative, toNumber, toPositive, toText } from "../core/parse";
import { perCoinPrice, perCoinVolume, resolveBase, splitQuoteFirst } from "../core/symbols";

/** A ticker, or why the object could not be one. `skip` is a market we cannot key (not an error). */
export type ParsedTicker = { ok: true; event: TickerEvent } | { ok: false; error: string } | { ok: "skip" };

/**
 * One Upbit-shaped ticker object (Upbit WebSocket DEFAULT or SIMPLE keys, Upbit REST `/v1/ticker`,
 * Bithumb's Upbit-compatible v1 REST and WebSocket) as a ticker event.
 * - `signed_change_rate` is a ratio (0.0127 = +1.27 %); without it, `change_rate` with `change`
 *   (RISE/EVEN/FALL) gives the sign.
 * - The time is `timestamp` (a true epoch on both venues), then `trade_timestamp`: Bithumb's REST
 *   `trade_timestamp` is shifted +9 h (KST wall-clock read as UTC), so it is only a last resort.
 * - Deprecated fields (`market_warning`, `is_trading_suspended`) are not needed.
 */
export function parseUpbitStyleTicker(
  venue: MarketVenue,
  o: Record<string, unknown>,
  receivedAt: number,
): ParsedTicker {
  const code = toText(o.code ?? o.cd ?? o.market);
  if (!code) return { ok: false, error: "ticker without a market code" };
  const market = splitQuoteFirst(code);
  if (!market) return { ok: false, error: `unreadable market code ${code}` };
  const asset = resolveBase(venue, market.base);
  if (!asset) return { ok: "skip" };
  const price = toPositive(o.trade_price ?? o.tp);
  if (price === undefined) return { ok: false, error: `${code}: no trade_price` };
  let ratio = toNumber(o.signed_change_rate ?? o.scr);
  if (ratio === undefined) {
    const unsigned = toNumber(o.change_rate ?? o.cr);
    const change = o.change ?? o.c;
    if (unsigned !== undefined) ratio = change === "FALL" ? -Math.abs(unsigned) : change === "EVEN" ? 0 : unsigned;
  }
  if (ratio === undefined) {
    const prev = toPositive(o.prev_closing_price ?? o.pcp);
    if (prev !== undefined) ratio = price / prev - 1;
  }
  if (ratio === undefined) return { ok: false, error: `${code}: no change rate` };
  const volume = toNonNegative(o.acc_trade_volume_24h ?? o.atv24h) ?? 0;
  const quoteVolume = toNonNegative(o.acc_trade_price_24h ?? o.atp24h) ?? 0;
  const high = toPositive(o.high_price ?? o.hp);
  const low = toPositive(o.low_price ?? o.lp);
  const timestamp = toEpochMs(o.timestamp ?? o.tms) ?? toEpochMs(o.trade_timestamp ?? o.ttms) ?? Math.round(receivedAt);
  const m = asset.multiplier;
  const event: TickerEvent = {
    kind: "ticker",
    venue,
    base: asset.base,
    quote: market.quote,
    venue_symbol: code,
    price: perCoinPrice(price, m),
    change_percent: ratioToPercent(ratio),
    volume: perCoinVolume(volume, m),
    quote_volume: quoteVolume,
    timestamp,
    received_at: Math.round(receivedAt),
  };
  if (high !== undefined) event.high = perCoinPrice(high, m);
  if (low !== undefined) event.low = perCoinPrice(low, m);
  return { ok: true, event };
}

/** Runs {@link parseUpbitStyleTicker} over a list, collecting events and the first error. */
export function parseTickerList(
  venue: MarketVenue,
  items: unknown[],
  receivedAt: number,
): { events: TickerEvent[]; errors: string[] } {
  const events: TickerEvent[] = [];
  const errors: string[] = [];
  for (const item of items) {
    if (typeof item !== "object" || item === null || Array.isArray(item)) {
      errors.push("a list item is not an object");
      continue;
    }
    const parsed = parseUpbitStyleTicker(venue, item as Record<string, unknown>, receivedAt);
    if (parsed.ok === true) events.push(parsed.event);
    else if (parsed.ok === false) errors.push(parsed.error);
  }
  return { events, errors };
}
