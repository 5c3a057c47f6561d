/**
 * The alerts one object evaluates (a coin's, in its MarketSymbol; liquidation alerts, in the
 * LiquidationFeed). The rules come from D1, the source of truth (re-read when the gateway says they
 * changed, on the first tick after a restart, and every few minutes in the background); the trigger
 * state (armed, last fired) is the object's own, in SQLite. A firing writes its new state and the
 * `alert.triggered` event in one storage commit; the event then goes to the queue through the
 * outbox. Changing an alert's condition re-arms it.
 */
import type { AlertRule, AlertTriggered } from "../../protocol/alerts";
import { notificationEvent } from "../../protocol/events";
import { type AlertBands, bandsOf } from "./alert-bands";
import { AlertOutbox } from "./alert-outbox";
import { NEW_TRIGGER, stepEvent, stepLevel, type TriggerState } from "./alert-trigger";

/** Rules are re-read this often even when nobody said they changed (a missed reload heals by then). */
const RELOAD_MS = 5 * 60_000;
/** After a failed first read, how long before the next try. */
const RETRY_LOAD_MS = 5_000;

export type LoadRules = () => Promise<AlertRule[]>;

interface StoredState extends TriggerState {
  /** The condition the state belongs to; a different one starts armed. */
  signature: string;
}

export class AlertBook {
  /** Every alert of this object, paused ones too (their trigger state is kept while paused). */
  private rules: AlertRule[] = [];
  /** The enabled ones: what is evaluated. */
  private active: AlertRule[] = [];
  /** Each rule's condition signature, computed once per read of the rules (not per tick). */
  private signatures = new Map<string, string>();
  private readonly states = new Map<string, StoredState>();
  private loadedAt: number | null = null;
  private queued: Promise<void> = Promise.resolve();
  /** Bumped whenever the rules or a trigger state change (so their bands may have). */
  private version = 0;
  readonly outbox: AlertOutbox;
  /**
   * Since this instance started (for `/metrics`): rule evaluations (one rule against one input: a
   * coin update or a liquidation; the evaluators count them) and firings.
   */
  readonly counts = { evaluations: 0, fired: 0 };

  constructor(
    private readonly sql: SqlStorage,
    queue: Queue,
    private readonly loadRules: LoadRules,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS alert_state (
      id TEXT PRIMARY KEY, armed INTEGER NOT NULL, fired_at INTEGER, signature TEXT NOT NULL)`);
    for (const row of sql.exec<{ id: string; armed: number; fired_at: number | null; signature: string }>(
      "SELECT id, armed, fired_at, signature FROM alert_state",
    )) {
      this.states.set(row.id, { armed: row.armed === 1, firedAt: row.fired_at, signature: row.signature });
    }
    this.outbox = new AlertOutbox(sql, queue);
  }

  /**
   * Reads the rules before their first use, and again in the background when they are old. Never
   * throws: with D1 unreachable the object goes on without alerts and tries again shortly.
   */
  async ready(now = Date.now()): Promise<void> {
    if (this.loadedAt === null) {
      try {
        await this.reload();
      } catch (error) {
        this.loadedAt = now - RELOAD_MS + RETRY_LOAD_MS;
        console.error(JSON.stringify({ msg: "alerts not loaded; will retry", error: String(error) }));
      }
    } else if (now - this.loadedAt > RELOAD_MS) {
      this.loadedAt = now;
      void this.reload().catch((error) =>
        console.error(JSON.stringify({ msg: "alerts not reloaded", error: String(error) })),
      );
    }
  }

  /** Re-reads the rules (after every read already under way, so the newest write is seen). */
  async reload(): Promise<number> {
    const next = this.queued.then(async () => {
      const rules = await this.loadRules();
      this.adopt(rules);
      this.loadedAt = Date.now();
    });
    this.queued = next.catch(() => undefined);
    await next;
    return this.rules.length;
  }

  /** The alerts to evaluate (enabled). */
  list(): readonly AlertRule[] {
    return this.active;
  }

  size(): number {
    return this.active.length;
  }

  /** A number that changes whenever the rules or a trigger state do. */
  changes(): number {
    return this.version;
  }

  /** Where the alerts would change state next (see `alert-bands.ts`). */
  bands(now = Date.now()): AlertBands {
    return bandsOf(this.active, (rule) => this.stateOf(rule), now);
  }

  /** When the next fired alert's cooldown ends (its re-arm edge joins the bands then), or null. */
  nextCooldownEnd(now = Date.now()): number | null {
    let next: number | null = null;
    for (const rule of this.active) {
      const { armed, firedAt } = this.stateOf(rule);
      const end = firedAt === null ? null : firedAt + rule.cooldown_seconds * 1000;
      if (!armed && end !== null && end > now && (next === null || end < next)) next = end;
    }
    return next;
  }

  /** A level alert sees a value: fires (and stores the event) when it should. */
  level(
    rule: AlertRule,
    value: number,
    now: number,
    data: () => Omit<AlertTriggered, "observed_at">,
    at: number,
  ): boolean {
    const state = this.stateOf(rule);
    const step = stepLevel(rule, state, value, now);
    if (step.state.armed === state.armed && step.state.firedAt === state.firedAt) return false;
    this.save(rule, step.state);
    if (step.fired) this.fire(rule, now, { ...data(), observed_at: at });
    return step.fired;
  }

  /** An event alert sees its event: fires (and stores the event) when its cooldown has passed. */
  event(rule: AlertRule, now: number, data: Omit<AlertTriggered, "observed_at">, at: number): boolean {
    const state = this.stateOf(rule);
    if (!stepEvent(rule, state, now)) return false;
    this.save(rule, { armed: true, firedAt: now });
    this.fire(rule, now, { ...data, observed_at: at });
    return true;
  }

  /** The trigger state of an alert (for tests and operators). */
  stateOf(rule: AlertRule): TriggerState {
    const state = this.states.get(rule.id);
    return state && state.signature === this.signatureOf(rule) ? state : NEW_TRIGGER;
  }

  private signatureOf(rule: AlertRule): string {
    return this.signatures.get(rule.id) ?? signature(rule);
  }

  private fire(rule: AlertRule, now: number, data: AlertTriggered): void {
    this.counts.fired++;
    // Unique even for two firings in one millisecond (an event alert with no cooldown and a burst).
    const id = `alert:${rule.id}:${now}:${crypto.randomUUID().slice(0, 8)}`;
    this.outbox.add(notificationEvent("alert.triggered", data, { id, timestamp: now }));
  }

  private save(rule: AlertRule, state: TriggerState): void {
    const stored = { ...state, signature: this.signatureOf(rule) };
    this.states.set(rule.id, stored);
    this.version++;
    this.sql.exec(
      `INSERT INTO alert_state (id, armed, fired_at, signature) VALUES (?, ?, ?, ?)
       ON CONFLICT(id) DO UPDATE SET armed = excluded.armed, fired_at = excluded.fired_at, signature = excluded.signature`,
      rule.id,
      stored.armed ? 1 : 0,
      stored.firedAt,
      stored.signature,
    );
  }

  /** Takes a fresh read of the rules; the state of alerts that are gone (deleted) is dropped. */
  private adopt(rules: AlertRule[]): void {
    this.rules = rules;
    this.signatures = new Map(rules.map((r) => [r.id, signature(r)]));
    this.active = rules.filter((r) => r.enabled);
    this.version++;
    const ids = new Set(rules.map((r) => r.id));
    for (const id of [...this.states.keys()]) {
      if (ids.has(id)) continue;
      this.states.delete(id);
      this.sql.exec("DELETE FROM alert_state WHERE id = ?", id);
    }
  }
}

/** What a trigger state belongs to: the alert's condition (not its note or enabled flag). */
function signature(rule: AlertRule): string {
  return JSON.stringify([
    rule.kind,
    rule.venue,
    rule.basis,
    rule.window,
    rule.direction,
    rule.threshold,
    rule.hysteresis,
    rule.min_usd,
  ]);
}
