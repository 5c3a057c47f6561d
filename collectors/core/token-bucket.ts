import { sleep } from "./abortable-sleep";

/**
 * A token bucket that paces requests to one venue: `ratePerSecond` tokens flow in, at most `capacity`
 * wait, and a request takes as many as it costs (1 per request, or its weight on Binance). Callers
 * are served in arrival order. With `capacity` equal to one request's cost there is no burst, so no
 * window of one second ever holds more than `ratePerSecond` tokens' worth of requests.
 * `pause` stops everything for a while: the venue said 429 / Retry-After.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;
  private pausedUntil = 0;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(
    readonly ratePerSecond: number,
    readonly capacity: number,
    private readonly now: () => number = Date.now,
  ) {
    if (!(ratePerSecond > 0)) throw new Error(`a token bucket needs a positive rate, got ${ratePerSecond}`);
    this.tokens = capacity;
    this.updatedAt = now();
  }

  /** When the bucket takes requests again after a `pause` (ms since epoch; 0 when not paused). */
  get resumesAt(): number {
    return this.pausedUntil > this.now() ? this.pausedUntil : 0;
  }

  /** Waits for `cost` tokens and takes them; false when `signal` aborted first. */
  acquire(cost: number, signal?: AbortSignal): Promise<boolean> {
    const turn = this.queue.then(() => this.take(cost, signal));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  /** Takes nothing for `ms` from now (a longer pause already set stays), and empties the bucket. */
  pause(ms: number): void {
    this.pausedUntil = Math.max(this.pausedUntil, this.now() + ms);
    this.tokens = 0;
    this.updatedAt = this.now();
  }

  private async take(cost: number, signal?: AbortSignal): Promise<boolean> {
    // A request costing more than the capacity waits for a full bucket of its own size.
    const bound = Math.max(this.capacity, cost);
    while (!signal?.aborted) {
      const now = this.now();
      if (now < this.pausedUntil) {
        await sleep(this.pausedUntil - now, signal);
        continue;
      }
      this.tokens = Math.min(bound, this.tokens + ((now - this.updatedAt) / 1000) * this.ratePerSecond);
      this.updatedAt = now;
      if (this.tokens >= cost) {
        this.tokens -= cost;
        return true;
      }
      await sleep(Math.max(1, Math.ceil(((cost - this.tokens) / this.ratePerSecond) * 1000)), signal);
    }
    return false;
  }
}
