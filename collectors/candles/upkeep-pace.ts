/**
 * The share of a venue's pace that looking for newly closed intervals may take in steady state. One
 * request a market a minute would take most of Upbit's 10 requests a second for its ~250 markets and
 * starve the backfill; so a venue with many markets for its limit is asked every few minutes (one
 * request then brings every minute since), and the Worker's draft candle stands in meanwhile.
 */
export const UPKEEP_SHARE = 0.25;

/**
 * How often each of `markets` markets is looked at in steady state, a whole number of ticks: every
 * tick when a quarter of the venue's pace (`requestsPerSecond`) covers one request a market a tick,
 * else every few ticks.
 */
export function upkeepEveryMs(markets: number, requestsPerSecond: number, tickMs: number): number {
  const requestsPerTick = requestsPerSecond * (tickMs / 1000) * UPKEEP_SHARE;
  return Math.max(1, Math.ceil(markets / Math.max(1, requestsPerTick))) * tickMs;
}
