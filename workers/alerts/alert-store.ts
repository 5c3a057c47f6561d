/**
 * Alerts in D1 for the gateway: create (within the per-user maximum, atomically), read, change and
 * delete one user's alerts, with each kind's defaults applied at creation. After a change the route
 * tells the evaluating object to re-read its rules (`activate`).
 */
import { liquidationFeed, marketSymbol } from "../../durable-objects/addresses";
import { type AlertRuleRow, RULE_COLUMNS, ruleOf } from "../../durable-objects/alerts/alert-rows";
import {
  type Alert,
  type AlertCreate,
  type AlertRule,
  DEFAULT_EVENT_COOLDOWN_SECONDS,
  DEFAULT_LEVEL_COOLDOWN_SECONDS,
} from "../../protocol/alerts";

const DEFAULT_MAX_PER_USER = 100;

interface AlertRow extends AlertRuleRow {
  note: string | null;
  created_at: number;
  updated_at: number;
  last_triggered_at: number | null;
}

export function maxAlertsPerUser(env: Env): number {
  const n = Number(env.ALERTS_MAX_PER_USER);
  return Number.isInteger(n) && n > 0 ? n : DEFAULT_MAX_PER_USER;
}

/** The rule a creation request makes, with the kind's defaults. */
export function ruleFromCreate(id: string, userId: string, a: AlertCreate): AlertRule & { note: string | null } {
  const level = a.kind === "price" || a.kind === "premium" || a.kind === "premium_percentile";
  const defaultHysteresis =
    a.kind === "price" ? a.threshold * 0.005 : a.kind === "premium" ? 0.2 : a.kind === "premium_percentile" ? 5 : 0;
  return {
    id,
    user_id: userId,
    kind: a.kind,
    symbol: a.symbol ?? null,
    venue: a.kind === "price" ? a.venue : null,
    basis: a.kind === "premium" || a.kind === "premium_percentile" ? a.basis : null,
    window: a.kind === "premium_percentile" ? (a.window ?? "30d") : null,
    direction: level ? a.direction : null,
    threshold: level ? a.threshold : null,
    hysteresis: level ? (a.hysteresis ?? defaultHysteresis) : 0,
    min_usd: a.kind === "liquidation" ? a.min_usd : null,
    cooldown_seconds: a.cooldown_seconds ?? (level ? DEFAULT_LEVEL_COOLDOWN_SECONDS : DEFAULT_EVENT_COOLDOWN_SECONDS),
    enabled: a.enabled ?? true,
    note: a.note ?? null,
  };
}

/** The creation request that would make this alert (to re-validate a change against its kind's schema). */
export function createOf(alert: Alert): Record<string, unknown> {
  const out: Record<string, unknown> = {
    kind: alert.kind,
    cooldown_seconds: alert.cooldown_seconds,
    enabled: alert.enabled,
    ...(alert.note !== null ? { note: alert.note } : {}),
  };
  if (alert.kind === "liquidation") return { ...out, symbol: alert.symbol, min_usd: alert.min_usd };
  if (alert.kind === "caution") return { ...out, symbol: alert.symbol };
  const level = {
    ...out,
    symbol: alert.symbol,
    direction: alert.direction,
    threshold: alert.threshold,
    hysteresis: alert.hysteresis,
  };
  if (alert.kind === "price") return { ...level, venue: alert.venue };
  if (alert.kind === "premium") return { ...level, basis: alert.basis };
  return { ...level, basis: alert.basis, window: alert.window };
}

/** Inserts an alert unless the user already has `max`; answers whether it was stored. */
export async function insertAlert(
  db: D1Database,
  rule: AlertRule & { note: string | null },
  max: number,
  now: number,
): Promise<boolean> {
  const result = await db
    .prepare(
      `INSERT INTO alerts (id, user_id, kind, symbol, venue, basis, window, direction, threshold, hysteresis, min_usd,
         cooldown_seconds, enabled, note, created_at, updated_at)
       SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?15
       WHERE (SELECT COUNT(*) FROM alerts WHERE user_id = ?2) < ?16`,
    )
    .bind(
      rule.id,
      rule.user_id,
      rule.kind,
      rule.symbol,
      rule.venue,
      rule.basis,
      rule.window,
      rule.direction,
      rule.threshold,
      rule.hysteresis,
      rule.min_usd,
      rule.cooldown_seconds,
      rule.enabled ? 1 : 0,
      rule.note,
      now,
      max,
    )
    .run();
  return result.meta.changes === 1;
}

/** Replaces an alert's changeable fields with those of `rule` (same id, kind and coin). */
export async function updateAlert(
  db: D1Database,
  rule: AlertRule & { note: string | null },
  now: number,
): Promise<void> {
  await db
    .prepare(
      `UPDATE alerts SET direction = ?, threshold = ?, hysteresis = ?, min_usd = ?, cooldown_seconds = ?, enabled = ?,
         note = ?, updated_at = ? WHERE id = ? AND user_id = ?`,
    )
    .bind(
      rule.direction,
      rule.threshold,
      rule.hysteresis,
      rule.min_usd,
      rule.cooldown_seconds,
      rule.enabled ? 1 : 0,
      rule.note,
      now,
      rule.id,
      rule.user_id,
    )
    .run();
}

export async function deleteAlert(db: D1Database, userId: string, id: string): Promise<void> {
  await db.prepare("DELETE FROM alerts WHERE id = ? AND user_id = ?").bind(id, userId).run();
}

export async function findAlert(db: D1Database, userId: string, id: string): Promise<Alert | null> {
  const row = await db
    .prepare(
      `SELECT ${RULE_COLUMNS}, note, created_at, updated_at, last_triggered_at FROM alerts WHERE id = ? AND user_id = ?`,
    )
    .bind(id, userId)
    .first<AlertRow>();
  return row ? alertView(row) : null;
}

export async function listAlerts(db: D1Database, userId: string): Promise<Alert[]> {
  const { results } = await db
    .prepare(
      `SELECT ${RULE_COLUMNS}, note, created_at, updated_at, last_triggered_at FROM alerts
       WHERE user_id = ? ORDER BY created_at DESC, id`,
    )
    .bind(userId)
    .all<AlertRow>();
  return results.map(alertView);
}

/** Tells the object that evaluates an alert to re-read its rules. */
export async function activate(env: Env, rule: Pick<AlertRule, "kind" | "symbol">): Promise<void> {
  if (rule.kind === "liquidation") await liquidationFeed(env).reloadAlerts();
  else if (rule.symbol) await marketSymbol(env, rule.symbol).reloadAlerts(rule.symbol);
}

function alertView(row: AlertRow): Alert {
  return {
    ...ruleOf(row),
    note: row.note,
    created_at: new Date(row.created_at).toISOString(),
    updated_at: new Date(row.updated_at).toISOString(),
    last_triggered_at: row.last_triggered_at === null ? null : new Date(row.last_triggered_at).toISOString(),
  };
}
