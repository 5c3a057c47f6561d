/**
 * The alert trigger rule and the bands the board delivers by, as pure functions: a value wobbling
 * around the threshold fires once; re-arming needs the margin and the cooldown; the bands say exactly
 * which values could change an alert's state.
 */
import { describe, expect, it } from "vitest";
import { bandsOf } from "../../durable-objects/alerts/alert-bands";
import { NEW_TRIGGER, stepLevel, type TriggerState } from "../../durable-objects/alerts/alert-trigger";
import type { AlertRule } from "../../protocol/alerts";

function rule(over: Partial<AlertRule> = {}): AlertRule {
  return {
    id: "a",
    user_id: "u",
    kind: "premium",
    symbol: "BTC",
    venue: null,
    basis: "usd",
    window: null,
    direction: "above",
    threshold: 3,
    hysteresis: 0.5,
    min_usd: null,
    cooldown_seconds: 60,
    enabled: true,
    ...over,
  };
}

/** Runs a series of values through one alert, a second apart; answers the values it fired at. */
function run(r: AlertRule, values: number[], start = 0): number[] {
  let state: TriggerState = NEW_TRIGGER;
  const fired: number[] = [];
  values.forEach((v, i) => {
    const step = stepLevel(r, state, v, start + i * 1000);
    state = step.state;
    if (step.fired) fired.push(v);
  });
  return fired;
}

describe("a level alert", () => {
  it("fires once while the value wobbles around the threshold, and again after moving back past the margin", () => {
    const r = rule({ cooldown_seconds: 0 });
    expect(run(r, [2.5, 3.2, 2.9, 3.3, 3.0, 2.6, 3.4, 2.4, 3.1])).toEqual([3.2, 3.1]);
  });

  it("does not re-arm on a value sitting on the threshold with no margin", () => {
    expect(run(rule({ hysteresis: 0, cooldown_seconds: 0 }), [3, 3, 3, 2.99, 3])).toEqual([3, 3]);
  });

  it("waits for the cooldown even when the value has moved back", () => {
    const r = rule({ cooldown_seconds: 5 });
    // Fires at t=0; back below at t=1..3 (too soon); still below at t=6 (re-arms); fires at t=7.
    expect(run(r, [3.5, 2, 2, 2, 3.5, 3.5, 2, 3.5])).toEqual([3.5, 3.5]);
  });

  it("works the same way downwards", () => {
    expect(
      run(
        rule({ direction: "below", threshold: -1, hysteresis: 0.5, cooldown_seconds: 0 }),
        [0, -1.2, -0.8, -1.5, -0.4, -1],
      ),
    ).toEqual([-1.2, -1]);
  });
});

describe("alert bands", () => {
  it("watch the crossing of armed alerts and the re-arming edge of fired ones, per reading", () => {
    const up = rule({ id: "up", threshold: 3, hysteresis: 0.5 });
    const down = rule({ id: "down", direction: "below", threshold: -1, hysteresis: 0.2 });
    const price = rule({ id: "p", kind: "price", venue: "upbit", basis: null, threshold: 100, hysteresis: 1 });
    const fired = new Set(["down"]);
    const bands = bandsOf(
      [up, down, price],
      (r) => (fired.has(r.id) ? { armed: false, firedAt: 0 } : NEW_TRIGGER),
      60_000,
    );
    expect(bands).toEqual({ "premium:usd": { up: -0.8, down: null }, "price:upbit": { up: 100, down: null } });
    // `up` armed: a premium of 3 or more may fire it; `down` fired: above -0.8 may re-arm it (so the lower edge wins).
    fired.add("up");
    expect(bandsOf([up, down], (r) => (fired.has(r.id) ? { armed: false, firedAt: 0 } : NEW_TRIGGER), 60_000)).toEqual({
      "premium:usd": { up: -0.8, down: 2.5 },
    });
    // Within the cooldown (60 s here) a fired alert has no band: nothing can re-arm it yet.
    expect(bandsOf([up], () => ({ armed: false, firedAt: 30_000 }), 60_000)).toEqual({});
  });
});
