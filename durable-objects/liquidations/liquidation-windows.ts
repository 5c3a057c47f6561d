/**
 * The window maths of the liquidation statistics: minutes, window starts, and totals per venue and
 * side from summed minute buckets. Pure functions; the store sums, these shape.
 */
import type { LiquidationVenue } from "../../protocol/common";
import {
  type Completeness,
  type LiquidationTotals,
  type LiquidationWindow,
  type SideTotals,
  toKrw,
  VENUE_COMPLETENESS,
  WINDOW_MS,
  type WindowTotals,
} from "../../protocol/liquidations";
import { LIQUIDATION_VENUES } from "../../protocol/venues";

export const MINUTE_MS = 60_000;

/** Long and short counts and USD values, summed over some minutes of one venue (or of all). */
export interface SideSums {
  long_count: number;
  long_usd: number;
  short_count: number;
  short_usd: number;
}

export function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** The first minute of a window: the current minute and the whole minutes before it. */
export function windowStart(window: LiquidationWindow, now: number): number {
  return floorMinute(now) - WINDOW_MS[window] + MINUTE_MS;
}

/** Totals per venue and overall from each venue's sums since `from`; KRW at `rate` (null: unknown). */
export function windowTotals(sums: Map<LiquidationVenue, SideSums>, from: number, rate: number | null): WindowTotals {
  const venues = {} as Record<LiquidationVenue, LiquidationTotals>;
  const all: SideSums = { long_count: 0, long_usd: 0, short_count: 0, short_usd: 0 };
  let sampled = false;
  for (const venue of LIQUIDATION_VENUES) {
    const s = sums.get(venue) ?? { long_count: 0, long_usd: 0, short_count: 0, short_usd: 0 };
    const completeness = VENUE_COMPLETENESS[venue].completeness;
    if (completeness === "sampled") sampled = true;
    venues[venue] = totalsOf(s, rate, completeness);
    all.long_count += s.long_count;
    all.long_usd += s.long_usd;
    all.short_count += s.short_count;
    all.short_usd += s.short_usd;
  }
  return { from, venues, total: totalsOf(all, rate, sampled ? "sampled" : "complete") };
}

function roundCents(usd: number): number {
  return Math.round(usd * 100) / 100;
}

function side(count: number, usd: number, rate: number | null): SideTotals {
  const value = roundCents(usd);
  return { count, value_usd: value, value_krw: toKrw(value, rate) };
}

function totalsOf(s: SideSums, rate: number | null, completeness: Completeness): LiquidationTotals {
  const totalUsd = s.long_usd + s.short_usd;
  return {
    long: side(s.long_count, s.long_usd, rate),
    short: side(s.short_count, s.short_usd, rate),
    total: side(s.long_count + s.short_count, totalUsd, rate),
    long_percent: totalUsd > 0 ? Math.round((s.long_usd / totalUsd) * 10_000) / 100 : null,
    completeness,
  };
}
