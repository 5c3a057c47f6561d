import { sleep } from "./abortable-sleep";
import { Backoff } from "./backoff";
import type { FeedContext } from "./feed";
import { RateLimitedError, rateLimitedWait } from "./http-errors";
import { errorMessage } from "./log";

/** Options of {@link runPolling}. */
export interface PollingOptions {
  /** Time between the starts of two polls (ms). */
  intervalMs: number;
  /** One poll: fetch (with `restGet`) and emit. Throwing counts as a failed poll. */
  poll: () => Promise<void>;
  /** Name for logs (`tickers`, `market list`). */
  name: string;
}

/**
 * Polls until `ctx.signal` aborts, one poll every `intervalMs`. A failed poll is retried with
 * exponential backoff and jitter (never sooner than the interval); a 429/418 waits at least what
 * `Retry-After` says (418 at least a minute). `ctx.metrics.connected` tracks the last poll.
 */
export async function runPolling(ctx: FeedContext, options: PollingOptions): Promise<void> {
  const backoff = new Backoff(ctx.tuning.backoff);
  while (!ctx.signal.aborted) {
    const started = Date.now();
    let wait: number;
    try {
      await options.poll();
      if (!ctx.metrics.connected) ctx.log.info(`${options.name}: polling`, { every_ms: options.intervalMs });
      ctx.metrics.connected = true;
      backoff.reset();
      wait = options.intervalMs - (Date.now() - started);
    } catch (error) {
      if (ctx.signal.aborted) break;
      ctx.metrics.connected = false;
      ctx.metrics.reconnects++;
      const delay = Math.max(options.intervalMs, backoff.next());
      if (error instanceof RateLimitedError) {
        wait = Math.max(delay, rateLimitedWait(error, 0));
        ctx.log.warn(`${options.name}: rate limited, waiting`, { status: error.status, wait_ms: wait });
      } else {
        wait = delay;
        ctx.log.warn(`${options.name}: poll failed, retrying`, { error: errorMessage(error), wait_ms: wait });
      }
    }
    await sleep(wait, ctx.signal);
  }
}
