import type { CandleRow } from "../../protocol/market";
import { type CandleInterval, INTERVAL_MS } from "../../protocol/venues";
import { BASE_RESOLUTION, type HistoryLayer, layeredRows } from "./layered-history";
import { floorTo } from "./symbol-update";
import type { VenueCandle } from "./venue-candles";

/**
 * A venue's chart at one interval, oldest first, at most `limit` rows ending with the current period:
 * the venue's own closed candles at the resolution the interval is built from, rolled up (5m and 15m
 * from minutes, 4h from hours), the still-open period from finer ones and, for the open minute, the
 * provisional candle built from ticks. Volume is what traded in each period, per the venue.
 */
export function candleChart(
  interval: CandleInterval,
  limit: number,
  now: number,
  read: (layer: HistoryLayer, from: number) => VenueCandle[],
): CandleRow[] {
  const step = INTERVAL_MS[interval];
  const since = floorTo(now, step) - (limit - 1) * step;
  const out: CandleRow[] = [];
  for (const c of layeredRows(BASE_RESOLUTION[interval], since, read)) {
    const bucket = floorTo(c.open_time, step);
    const last = out[out.length - 1];
    if (last && last[0] === bucket) {
      last[2] = Math.max(last[2], c.high);
      last[3] = Math.min(last[3], c.low);
      last[4] = c.close;
      last[5] += c.volume;
    } else {
      out.push([bucket, c.open, c.high, c.low, c.close, c.volume]);
    }
  }
  return out.slice(-limit);
}
