/**
 * How a call to a Durable Object fails, as the breaker sees it: anything it throws, including the
 * runtime's own errors (`overloaded` when the object's queue is full, `retryable` when the call may
 * be repeated: https://developers.cloudflare.com/durable-objects/best-practices/error-handling/), and
 * a call that takes longer than its deadline. Refusals an object returns as values (the ledger's
 * `LedgerResult`) are answers, not failures.
 */

/** A call that did not answer within its deadline. */
export class ObjectTimeout extends Error {
  constructor(readonly ms: number) {
    super(`The Durable Object did not answer within ${ms} ms`);
    this.name = "ObjectTimeout";
  }
}

/** What went wrong, for logs: `overloaded`, `timeout`, `retryable` (e.g. a reset object), or `error`. */
export function failureKind(error: unknown): "overloaded" | "timeout" | "retryable" | "error" {
  if (error instanceof ObjectTimeout) return "timeout";
  const flags = error as { overloaded?: unknown; retryable?: unknown } | null;
  if (flags?.overloaded === true) return "overloaded";
  if (flags?.retryable === true) return "retryable";
  return "error";
}

/**
 * `work`, or an `ObjectTimeout` after `ms`. The call itself is not cancelled (an RPC cannot be);
 * its late answer is dropped.
 */
export function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ObjectTimeout(ms)), ms);
  });
  return Promise.race([work, deadline]).finally(() => {
    if (timer !== undefined) clearTimeout(timer);
  });
}
