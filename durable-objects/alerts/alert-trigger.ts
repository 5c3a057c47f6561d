/**
 * When an alert fires and when it re-arms; pure, so the rule is easy to read and to test.
 *
 * A level alert (price, premium, percentile) fires when it is armed and its condition holds. It then
 * stays quiet until the value has gone back past the threshold by more than the hysteresis margin
 * (strictly: a value sitting on the threshold with no margin does not re-arm) and the cooldown since
 * it fired has passed; only then is it armed again. So a value wobbling around the threshold fires once.
 * An event alert (a liquidation, a caution flag appearing) fires on an event when its cooldown since
 * the last firing has passed.
 */
import type { AlertRule } from "../../protocol/alerts";

export interface TriggerState {
  armed: boolean;
  /** When it last fired (ms), or null. */
  firedAt: number | null;
}

export const NEW_TRIGGER: TriggerState = { armed: true, firedAt: null };

/** The next state of a level alert that sees `value`, and whether it fired. */
export function stepLevel(
  rule: Pick<AlertRule, "direction" | "threshold" | "hysteresis" | "cooldown_seconds">,
  state: TriggerState,
  value: number,
  now: number,
): { state: TriggerState; fired: boolean } {
  const threshold = rule.threshold ?? 0;
  const above = rule.direction !== "below";
  if (state.armed) {
    const holds = above ? value >= threshold : value <= threshold;
    return holds ? { state: { armed: false, firedAt: now }, fired: true } : { state, fired: false };
  }
  const cleared = above ? value < threshold - rule.hysteresis : value > threshold + rule.hysteresis;
  if (cleared && cooledDown(rule, state, now)) return { state: { armed: true, firedAt: state.firedAt }, fired: false };
  return { state, fired: false };
}

/** Whether an event alert fires on an event now (its cooldown since the last firing has passed). */
export function stepEvent(rule: Pick<AlertRule, "cooldown_seconds">, state: TriggerState, now: number): boolean {
  return cooledDown(rule, state, now);
}

function cooledDown(rule: Pick<AlertRule, "cooldown_seconds">, state: TriggerState, now: number): boolean {
  return state.firedAt === null || now - state.firedAt >= rule.cooldown_seconds * 1000;
}
