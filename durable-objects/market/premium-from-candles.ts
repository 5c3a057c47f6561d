import { GLOBAL_VENUES, KRW_VENUES } from "../../protocol/venues";
import { premiumPercent } from "./premium";
import type { PremiumRow } from "./premium-history";
import type { RateSeries } from "./rate-series";
import type { VenueCandle } from "./venue-candles";

/** The candles and rates one period range of premium history is computed from. */
export interface PremiumInputs {
  /** Closed candles per venue at one resolution. */
  candles: Partial<Record<string, VenueCandle[]>>;
  usdKrw: RateSeries | null;
  /** USDT/KRW per Korean venue (the closes of its KRW-USDT market). */
  usdtKrw: Partial<Record<string, RateSeries | null>>;
}

/**
 * The premium at the close of every period both a Korean and a global venue have a candle for: the
 * Korean price from Upbit (Bithumb when Upbit has no candle for the period), the global one from
 * Binance (else Bybit), USD/KRW and the Korean venue's USDT/KRW of the same period, as the live
 * premium takes them.
 */
export function premiumRows(inputs: PremiumInputs): PremiumRow[] {
  const krw = closesByTime(inputs.candles, KRW_VENUES);
  const global = closesByTime(inputs.candles, GLOBAL_VENUES);
  const rows: PremiumRow[] = [];
  for (const [time, k] of [...krw].sort((a, b) => a[0] - b[0])) {
    const g = global.get(time);
    if (!g) continue;
    const usd = inputs.usdKrw?.at(time) ?? null;
    const usdt =
      inputs.usdtKrw[k.venue]?.at(time) ??
      KRW_VENUES.map((v) => inputs.usdtKrw[v]?.at(time)).find((r) => r != null) ??
      null;
    rows.push({
      open_time: time,
      premium_percent: premiumPercent(k.close, g.close, usd),
      usdt_premium_percent: premiumPercent(k.close, g.close, usdt),
      krw_price: k.close,
      global_price: g.close,
      exchange_rate: usd,
      usdt_krw_rate: usdt,
    });
  }
  return rows;
}

/** Each period's close from the first venue in `order` that has a candle for it. */
function closesByTime(
  candles: PremiumInputs["candles"],
  order: readonly string[],
): Map<number, { venue: string; close: number }> {
  const out = new Map<number, { venue: string; close: number }>();
  for (const venue of [...order].reverse()) {
    for (const c of candles[venue] ?? []) out.set(c.open_time, { venue, close: c.close });
  }
  return out;
}
