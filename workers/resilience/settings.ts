import type { BreakerOptions } from "./breaker";

/** The breakers' settings from the Worker's vars (wrangler.toml, README "Resilience"). */
export interface ResilienceSettings {
  breaker: Pick<BreakerOptions, "failureThreshold" | "cooldownMs">;
  /** How long a call to an object may take before it counts as failed (ms). */
  callTimeoutMs: number;
}

function positive(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** `BREAKER_FAILURES` (default 5), `BREAKER_COOLDOWN_MS` (10 s), `OBJECT_CALL_TIMEOUT_MS` (5 s). */
export function readResilienceSettings(env: Env): ResilienceSettings {
  return {
    breaker: {
      failureThreshold: Math.floor(positive(env.BREAKER_FAILURES, 5)),
      cooldownMs: positive(env.BREAKER_COOLDOWN_MS, 10_000),
    },
    callTimeoutMs: positive(env.OBJECT_CALL_TIMEOUT_MS, 5_000),
  };
}
