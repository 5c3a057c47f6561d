import type { CandleEvent } from "../../protocol/ingest";
import { INTERVAL_MS } from "../../protocol/venues";

const DAY_MS = INTERVAL_MS["1d"];

/**
 * UTC-day candles built from a venue's own hourly candles: open of the first hour, close of the last,
 * the highest high, the lowest low, the summed volumes. For a venue whose own daily candle follows
 * another day (Bithumb's days run from 00:00 KST). Only days whose hours were all fetched may be kept:
 * the caller keeps the days within the range the hours covered.
 */
export function dailyFromHourly(hours: readonly CandleEvent[]): CandleEvent[] {
  const days = new Map<number, CandleEvent[]>();
  for (const h of hours) {
    if (h.interval !== "1h") continue;
    const day = Math.floor(h.open_time / DAY_MS) * DAY_MS;
    const list = days.get(day) ?? [];
    list.push(h);
    days.set(day, list);
  }
  const out: CandleEvent[] = [];
  for (const [day, list] of days) {
    list.sort((a, b) => a.open_time - b.open_time);
    const first = list[0] as CandleEvent;
    const last = list[list.length - 1] as CandleEvent;
    out.push({
      ...first,
      interval: "1d",
      open_time: day,
      open: first.open,
      close: last.close,
      high: Math.max(...list.map((h) => h.high)),
      low: Math.min(...list.map((h) => h.low)),
      volume: list.reduce((n, h) => n + h.volume, 0),
      quote_volume: list.reduce((n, h) => n + h.quote_volume, 0),
      timestamp: Math.max(...list.map((h) => h.timestamp)),
    });
  }
  return out.sort((a, b) => a.open_time - b.open_time);
}
