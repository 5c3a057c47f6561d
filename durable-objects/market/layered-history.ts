import { type CandleInterval, type CandleResolution, INTERVAL_MS } from "../../protocol/venues";

/** A stored resolution, or the live layer under them all (built from ticks, per minute). */
export type HistoryLayer = CandleResolution | "live";

/** The layer that fills in the period a resolution's rows do not reach yet. */
const FINER: Record<CandleResolution, HistoryLayer> = { "1d": "1h", "1h": "1m", "1m": "live" };

/** The stored resolution each chart interval is built from. */
export const BASE_RESOLUTION: Record<CandleInterval, CandleResolution> = {
  "1m": "1m",
  "5m": "1m",
  "15m": "1m",
  "1h": "1h",
  "4h": "1h",
  "1d": "1d",
};

/**
 * Rows from `from` on at one layer, then, for the time after its last row (the still-open period, or
 * one its rows have not reached yet), the rows of the next finer layer, down to the live one: a daily
 * chart's last bar is today so far, from hourly rows, then minutes, then ticks. Oldest first.
 */
export function layeredRows<T extends { open_time: number }>(
  layer: HistoryLayer,
  from: number,
  read: (layer: HistoryLayer, from: number) => T[],
): T[] {
  const rows = read(layer, from);
  if (layer === "live") return rows;
  const last = rows[rows.length - 1];
  const tailFrom = last ? Math.max(from, last.open_time + INTERVAL_MS[layer]) : from;
  return [...rows, ...layeredRows(FINER[layer], tailFrom, read)];
}
