/** A venue said "slow down": HTTP 429, or 418 (Binance and Upbit: an IP ban after ignoring 429s). */
export class RateLimitedError extends Error {
  constructor(
    readonly status: number,
    /** How long the venue asked us to wait (Retry-After), when it said. */
    readonly retryAfterMs: number | undefined,
    readonly url: string,
  ) {
    super(`rate limited: HTTP ${status}${retryAfterMs !== undefined ? `, retry after ${retryAfterMs} ms` : ""}`);
    this.name = "RateLimitedError";
  }
}

/** The least wait after a 418 (an IP ban) when the venue gave no `Retry-After`. */
export const BAN_WAIT_MS = 60_000;

/** How long to wait after a venue said "slow down": what it asked, and never less than a ban's minimum. */
export function rateLimitedWait(error: RateLimitedError, fallbackMs: number): number {
  return Math.max(error.retryAfterMs ?? fallbackMs, error.status === 418 ? BAN_WAIT_MS : 0);
}

/** Any other non-2xx answer. */
export class HttpStatusError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
    readonly url: string,
  ) {
    super(`HTTP ${status} from ${url}: ${body.slice(0, 200)}`);
    this.name = "HttpStatusError";
  }
}

/** Reads `Retry-After` (delta seconds or an HTTP date) as ms; undefined when absent or unreadable. */
export function parseRetryAfter(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}
