/** Tunables of an exponential backoff. */
export interface BackoffOptions {
  /** First delay (ms). Default 500. */
  initialMs?: number;
  /** Largest delay (ms). Default 30 000. */
  maxMs?: number;
  /** Growth factor per failure. Default 2. */
  factor?: number;
}

/**
 * Exponential backoff with "full jitter" (a uniform random delay between half the nominal delay and
 * the nominal delay), so many collectors reconnecting after one outage do not stampede a venue.
 * See https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/.
 */
export class Backoff {
  private attempt = 0;
  private readonly initialMs: number;
  private readonly maxMs: number;
  private readonly factor: number;

  constructor(
    options: BackoffOptions = {},
    private readonly random: () => number = Math.random,
  ) {
    this.initialMs = options.initialMs ?? 500;
    this.maxMs = options.maxMs ?? 30_000;
    this.factor = options.factor ?? 2;
  }

  /** The delay before the next attempt; each call grows the nominal delay up to `maxMs`. */
  next(): number {
    const nominal = Math.min(this.maxMs, this.initialMs * this.factor ** this.attempt);
    this.attempt++;
    return Math.round(nominal / 2 + (this.random() * nominal) / 2);
  }

  /** How many delays were handed out since the last reset. */
  get failures(): number {
    return this.attempt;
  }

  /** After a success: the next failure starts from `initialMs` again. */
  reset(): void {
    this.attempt = 0;
  }
}
