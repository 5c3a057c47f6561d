/**
 * Alerts as D1 stores them (`alerts`), read by the evaluating objects and written by the gateway.
 * Both sides read rows through `ruleOf`, so they agree on defaults and units.
 */
import type { AlertKind, AlertRule } from "../../protocol/alerts";

/** The columns the evaluators read. */
export const RULE_COLUMNS =
  "id, user_id, kind, symbol, venue, basis, window, direction, threshold, hysteresis, min_usd, cooldown_seconds, enabled";

export interface AlertRuleRow {
  id: string;
  user_id: string;
  kind: string;
  symbol: string | null;
  venue: string | null;
  basis: string | null;
  window: string | null;
  direction: string | null;
  threshold: number | null;
  hysteresis: number;
  min_usd: number | null;
  cooldown_seconds: number;
  enabled: number;
}

/** The kinds a coin's MarketSymbol evaluates; liquidation alerts live in the LiquidationFeed. */
export const COIN_ALERT_KINDS: readonly AlertKind[] = ["price", "premium", "premium_percentile", "caution"];

export function ruleOf(row: AlertRuleRow): AlertRule {
  return {
    id: row.id,
    user_id: row.user_id,
    kind: row.kind as AlertRule["kind"],
    symbol: row.symbol,
    venue: row.venue as AlertRule["venue"],
    basis: row.basis as AlertRule["basis"],
    window: row.window as AlertRule["window"],
    direction: row.direction as AlertRule["direction"],
    threshold: row.threshold,
    hysteresis: row.hysteresis,
    min_usd: row.min_usd,
    cooldown_seconds: row.cooldown_seconds,
    enabled: row.enabled === 1,
  };
}

/** The alerts on one coin that its MarketSymbol evaluates (paused ones too: they keep their state). */
export async function loadCoinRules(db: D1Database, symbol: string): Promise<AlertRule[]> {
  const kinds = COIN_ALERT_KINDS.map((k) => `'${k}'`).join(",");
  const { results } = await db
    .prepare(`SELECT ${RULE_COLUMNS} FROM alerts WHERE symbol = ? AND kind IN (${kinds})`)
    .bind(symbol)
    .all<AlertRuleRow>();
  return results.map(ruleOf);
}

/** Every liquidation alert (on one coin or on any; paused ones too). */
export async function loadLiquidationRules(db: D1Database): Promise<AlertRule[]> {
  const { results } = await db
    .prepare(`SELECT ${RULE_COLUMNS} FROM alerts WHERE kind = 'liquidation'`)
    .all<AlertRuleRow>();
  return results.map(ruleOf);
}
