import type { MarketVenue } from "../../protocol/common";
import type { CandleEvent } from "../../protocol/ingest";
import { type CandleResolution, INTERVAL_MS } from "../../protocol/venues";
import type { NormalizeResult } from "../core/frames";
import { toEpochMs, toNonNegative, toPositive } from "../core/parse";
import { type BaseAsset, perCoinPrice, perCoinVolume } from "../core/symbols";

/** One venue candle's values as the venue sent them (numbers or numeric strings), in market units. */
export interface VenueCandleValues {
  open: unknown;
  high: unknown;
  low: unknown;
  close: unknown;
  /** Traded in the interval, in market units of the base. */
  volume: unknown;
  /** Traded in the interval, in the quote. */
  quoteVolume: unknown;
}

/** Where a venue candle belongs: the market, in our keys, and the interval it starts. */
export interface VenueCandleKey {
  venue: MarketVenue;
  asset: BaseAsset;
  quote: string;
  venueSymbol: string;
  interval: CandleResolution;
  openTime: number;
}

/**
 * A venue's candle as a candle event (prices per coin, volume in coins: `1000SATS` divided and
 * multiplied out), or why it is not one. A candle whose interval has not ended when it was received
 * (`receivedAt`) is the still-open one and is never an event: `open`.
 */
export function closedCandle(
  key: VenueCandleKey,
  values: VenueCandleValues,
  receivedAt: number,
): { ok: true; event: CandleEvent } | { ok: false; error: string } | { ok: "open" } {
  if (key.openTime + INTERVAL_MS[key.interval] > receivedAt) return { ok: "open" };
  const open = toPositive(values.open);
  const high = toPositive(values.high);
  const low = toPositive(values.low);
  const close = toPositive(values.close);
  const volume = toNonNegative(values.volume);
  const quoteVolume = toNonNegative(values.quoteVolume);
  if (open === undefined || high === undefined || low === undefined || close === undefined) {
    return {
      ok: false,
      error: `${key.venueSymbol} ${key.interval} ${key.openTime}: a price is missing or not positive`,
    };
  }
  if (volume === undefined || quoteVolume === undefined) {
    return { ok: false, error: `${key.venueSymbol} ${key.interval} ${key.openTime}: no traded volume` };
  }
  const m = key.asset.multiplier;
  return {
    ok: true,
    event: {
      kind: "candle",
      venue: key.venue,
      base: key.asset.base,
      quote: key.quote,
      venue_symbol: key.venueSymbol,
      interval: key.interval,
      open_time: key.openTime,
      open: perCoinPrice(open, m),
      high: perCoinPrice(high, m),
      low: perCoinPrice(low, m),
      close: perCoinPrice(close, m),
      volume: perCoinVolume(volume, m),
      quote_volume: quoteVolume,
      timestamp: Math.round(receivedAt),
    },
  };
}

/** What a candle answer became: the closed candles, and the problem with each of the others. */
export interface ParsedCandles {
  events: CandleEvent[];
  errors: string[];
}

/** Collects {@link closedCandle} results: open candles are left out silently, bad ones noted. */
export function collectCandles(results: Iterable<ReturnType<typeof closedCandle>>): ParsedCandles {
  const parsed: ParsedCandles = { events: [], errors: [] };
  for (const r of results) {
    if (r.ok === true) parsed.events.push(r.event);
    else if (r.ok === false) parsed.errors.push(r.error);
  }
  return parsed;
}

/**
 * Candles from kline rows as Binance and Bybit send them: arrays `[openTime, open, high, low, close,
 * volume, ...]`, the quote volume at `quoteVolumeAt` (Binance 7, Bybit 6).
 */
export function candlesFromKlineRows(
  rows: readonly unknown[],
  market: Omit<VenueCandleKey, "openTime">,
  quoteVolumeAt: number,
  receivedAt: number,
): ParsedCandles {
  return collectCandles(
    rows.map((row) => {
      const openTime = Array.isArray(row) ? toEpochMs(row[0]) : undefined;
      if (!Array.isArray(row) || openTime === undefined) return { ok: false as const, error: "unreadable kline" };
      return closedCandle(
        { ...market, openTime },
        { open: row[1], high: row[2], low: row[3], close: row[4], volume: row[5], quoteVolume: row[quoteVolumeAt] },
        receivedAt,
      );
    }),
  );
}

/**
 * A normaliser's verdict on a candle answer: its candles, the unreadable ones dropped (and counted as
 * invalid events); or its first problem when it had no candle at all.
 */
export function candleResult(parsed: ParsedCandles): NormalizeResult {
  const [first] = parsed.errors;
  if (parsed.events.length === 0 && first !== undefined) return { kind: "error", error: first };
  return parsed.errors.length > 0
    ? { kind: "data", events: parsed.events, dropped: parsed.errors }
    : { kind: "data", events: parsed.events };
}
