/**
 * A circuit breaker: stops calling something that keeps failing, for a while, instead of piling
 * requests onto it.
 *
 * - closed: calls go through. It opens after `failureThreshold` failures in a row, or when at least
 *   `failureRate` of the calls in the current `windowMs` failed (once the window holds `minimumCalls`).
 * - open: calls are refused at once (the caller answers from its last good result, or 503) until
 *   `cooldownMs` has passed.
 * - half-open: after the cool-down, one call (the probe) goes through while the others are still
 *   refused. Its success closes the breaker; its failure opens it for another cool-down.
 *
 * Each admitted call carries the breaker's generation; an outcome that arrives after the breaker has
 * changed state (a slow call admitted before it opened) is ignored, so it cannot close or reopen it.
 */

export type BreakerState = "closed" | "open" | "half-open";

export interface BreakerOptions {
  /** Failures in a row that open the breaker. */
  failureThreshold: number;
  /** Share of failed calls in one window (0 to 1) that opens it. */
  failureRate: number;
  /** Calls a window must hold before its failure rate counts. */
  minimumCalls: number;
  /** Length of the failure-rate window (ms). */
  windowMs: number;
  /** How long an open breaker refuses calls before it lets a probe through (ms). */
  cooldownMs: number;
  /** The clock (ms since epoch); tests pass their own. */
  now: () => number;
}

/** What `admit()` decided: go ahead (with the permit to report the outcome), or not for `retryAfterMs`. */
export type Admission = { admitted: true; permit: Permit } | { admitted: false; retryAfterMs: number };

/** One admitted call; hand it back to `succeeded` or `failed`. */
export interface Permit {
  readonly generation: number;
  readonly probe: boolean;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  failureThreshold: 5,
  failureRate: 0.5,
  minimumCalls: 20,
  windowMs: 10_000,
  cooldownMs: 10_000,
  now: Date.now,
};

export class CircuitBreaker {
  private readonly options: BreakerOptions;
  private current: BreakerState = "closed";
  private generation = 0;
  private openedAt = 0;
  private probeStartedAt: number | null = null;
  private consecutiveFailures = 0;
  private windowStart = 0;
  private windowCalls = 0;
  private windowFailures = 0;

  constructor(options: Partial<BreakerOptions> = {}) {
    this.options = { ...DEFAULT_BREAKER_OPTIONS, ...options };
  }

  /** The state now (an open breaker whose cool-down has passed reports half-open). */
  get state(): BreakerState {
    if (this.current === "open" && this.options.now() - this.openedAt >= this.options.cooldownMs) return "half-open";
    return this.current;
  }

  /** How long until a call might be admitted (0 when one would be now); changes nothing. */
  retryAfterMs(): number {
    const now = this.options.now();
    if (this.current === "open") return Math.max(0, this.openedAt + this.options.cooldownMs - now);
    if (this.current === "half-open" && this.probeStartedAt !== null) {
      return Math.max(0, this.probeStartedAt + this.options.cooldownMs - now);
    }
    return 0;
  }

  /** Whether a call may go ahead now; while open, how long until it might. */
  admit(): Admission {
    const now = this.options.now();
    if (this.current === "closed") return { admitted: true, permit: { generation: this.generation, probe: false } };
    if (this.current === "open") {
      const left = this.openedAt + this.options.cooldownMs - now;
      if (left > 0) return { admitted: false, retryAfterMs: left };
      this.transition("half-open");
    }
    // Half-open: one probe at a time. A probe that never reported back (it should time out first)
    // is given up after a cool-down, so the breaker cannot stay half-open for ever.
    if (this.probeStartedAt !== null && now - this.probeStartedAt < this.options.cooldownMs) {
      return { admitted: false, retryAfterMs: this.probeStartedAt + this.options.cooldownMs - now };
    }
    this.probeStartedAt = now;
    return { admitted: true, permit: { generation: this.generation, probe: true } };
  }

  /** The admitted call succeeded: a probe's success closes the breaker. */
  succeeded(permit: Permit): void {
    if (permit.generation !== this.generation) return;
    if (this.current === "half-open") {
      this.transition("closed");
      return;
    }
    this.consecutiveFailures = 0;
    this.count(false);
  }

  /** The admitted call failed: a probe's failure, or enough failures while closed, open the breaker. */
  failed(permit: Permit): void {
    if (permit.generation !== this.generation) return;
    if (this.current === "half-open") {
      this.transition("open");
      return;
    }
    this.consecutiveFailures++;
    this.count(true);
    const o = this.options;
    const rateTripped = this.windowCalls >= o.minimumCalls && this.windowFailures / this.windowCalls >= o.failureRate;
    if (this.consecutiveFailures >= o.failureThreshold || rateTripped) this.transition("open");
  }

  private count(failed: boolean): void {
    const now = this.options.now();
    if (now - this.windowStart >= this.options.windowMs) {
      this.windowStart = now;
      this.windowCalls = 0;
      this.windowFailures = 0;
    }
    this.windowCalls++;
    if (failed) this.windowFailures++;
  }

  private transition(to: BreakerState): void {
    this.current = to;
    this.generation++;
    this.probeStartedAt = null;
    if (to === "open") this.openedAt = this.options.now();
    if (to === "closed") {
      this.consecutiveFailures = 0;
      this.windowStart = this.options.now();
      this.windowCalls = 0;
      this.windowFailures = 0;
    }
  }
}
