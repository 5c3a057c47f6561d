/**
 * Where a coin's alerts would change state, so the board can tell which ticks need the coin's
 * MarketSymbol promptly. For each reading the coin's alerts watch (a venue's price, the premium on a
 * basis, a percentile), a band: a value at or above `up`, or at or below `down`, may fire an armed
 * alert or re-arm a fired one. Any other tick cannot change an alert, so it travels at the board's
 * ordinary pace (about once a second) and alerts cost the tick path one comparison per watched reading.
 * The MarketSymbol computes the bands from its rules and trigger states and sends them to the board
 * whenever they change.
 */
import type { AlertRule } from "../../protocol/alerts";
import type { Coin } from "../../protocol/market";
import type { TriggerState } from "./alert-trigger";

export interface Band {
  up: number | null;
  down: number | null;
}

/** Per reading key (`readingKey`), its band. */
export type AlertBands = Record<string, Band>;

type ReadingRule = Pick<AlertRule, "kind" | "venue" | "basis" | "window">;

/** The reading a level alert compares: `price:upbit`, `premium:usd`, `premium_percentile:usdt:30d`. */
export function readingKey(rule: ReadingRule): string {
  if (rule.kind === "price") return `price:${rule.venue}`;
  if (rule.kind === "premium") return `premium:${rule.basis}`;
  return `premium_percentile:${rule.basis}:${rule.window ?? "30d"}`;
}

/** The value of a reading in a coin, with the time of its data; null when absent or stale. */
export function readingOf(rule: ReadingRule, coin: Coin): { value: number; at: number } | null {
  if (rule.kind === "price") {
    const price = rule.venue ? coin.prices[rule.venue] : undefined;
    return price && !price.stale ? { value: price.price, at: price.timestamp } : null;
  }
  const premium = coin.premium;
  if (!premium || premium.stale) return null;
  if (rule.kind === "premium") {
    const value = rule.basis === "usdt" ? premium.usdt_premium_percent : premium.premium_percent;
    return value === null ? null : { value, at: premium.timestamp };
  }
  if (rule.kind === "premium_percentile") {
    const context = rule.basis === "usdt" ? premium.context?.usdt_premium_percent : premium.context?.premium_percent;
    const value = rule.window === "90d" ? context?.percentile_90d : context?.percentile_30d;
    return value === null || value === undefined ? null : { value, at: premium.timestamp };
  }
  return null;
}

/**
 * The bands of a coin's level alerts in their current states (caution alerts need none: they wait for
 * the coin's next ordinary update). A fired alert still in its cooldown has no band: no tick can
 * re-arm it before the cooldown ends (its MarketSymbol sends the bands again then).
 */
export function bandsOf(
  rules: readonly AlertRule[],
  stateOf: (rule: AlertRule) => TriggerState,
  now: number,
): AlertBands {
  const bands: AlertBands = {};
  for (const rule of rules) {
    if (rule.kind !== "price" && rule.kind !== "premium" && rule.kind !== "premium_percentile") continue;
    const threshold = rule.threshold ?? 0;
    const above = rule.direction !== "below";
    const { armed, firedAt } = stateOf(rule);
    if (!armed && firedAt !== null && now - firedAt < rule.cooldown_seconds * 1000) continue;
    // Armed: the crossing fires it. Fired: moving back past the margin re-arms it.
    const edge = armed ? threshold : above ? threshold - rule.hysteresis : threshold + rule.hysteresis;
    const rising = armed === above;
    const key = readingKey(rule);
    const band = bands[key] ?? { up: null, down: null };
    bands[key] = band;
    if (rising) band.up = band.up === null ? edge : Math.min(band.up, edge);
    else band.down = band.down === null ? edge : Math.max(band.down, edge);
  }
  return bands;
}

/** A band with the reading it watches, parsed from its key once (the board checks these per tick). */
export interface BandCheck {
  reading: ReadingRule;
  band: Band;
}

/** The checks of a coin's bands, for `reachesBand`. */
export function bandChecks(bands: AlertBands): BandCheck[] {
  return Object.entries(bands).map(([key, band]) => {
    const [kind, first, second] = key.split(":");
    const reading: ReadingRule =
      kind === "price"
        ? { kind: "price", venue: first as AlertRule["venue"], basis: null, window: null }
        : {
            kind: kind as AlertRule["kind"],
            venue: null,
            basis: first as AlertRule["basis"],
            window: (second ?? null) as AlertRule["window"],
          };
    return { reading, band };
  });
}

/** Whether a coin's new view reaches one of its bands (so its alerts should see it now). */
export function reachesBand(checks: readonly BandCheck[], coin: Coin): boolean {
  for (const { reading: rule, band } of checks) {
    const reading = readingOf(rule, coin);
    if (!reading) continue;
    if ((band.up !== null && reading.value >= band.up) || (band.down !== null && reading.value <= band.down))
      return true;
  }
  return false;
}
