import { sleep } from "../core/abortable-sleep";
import { Backoff } from "../core/backoff";
import type { FeedContext } from "../core/feed";
import type { NormalizeResult } from "../core/frames";
import { RateLimitedError, rateLimitedWait } from "../core/http-errors";
import { errorMessage } from "../core/log";
import type { WsConnection } from "../core/ws-connection";

/**
 * What the liquidation feeds share about their connections.
 *
 * Liquidations are bursty: a venue can go minutes (BitMEX: hours) without one, so "no data for N
 * seconds" cannot tell a quiet market from a dead socket. These feeds therefore send an application
 * keep-alive (a text `ping`, Bybit's `{"op":"ping"}`, Binance's `LIST_SUBSCRIPTIONS`) and count ANY
 * answer from the venue as a sign of life: the silence timer of `runWebSocket` then fires only when
 * the venue stops answering our pings, which is BitMEX's own rule ("expect pong within 5 s, or
 * reconnect"). The frame still goes through the pipeline as what it is (control), so the metrics'
 * age of the last data stays honest.
 */
export function answersAreLiveness(ctx: FeedContext): (text: string, conn: WsConnection) => NormalizeResult {
  return (text) => {
    const result = ctx.emitText("ws", text);
    return result.kind === "control" ? { kind: "data", events: [] } : result;
  };
}

/** Options of {@link refreshLoop}. */
export interface RefreshOptions {
  /** Name for logs (`instruments`). */
  name: string;
  /** Time between two successful refreshes (ms). */
  intervalMs: number;
  /** One refresh (a `restGet`); throwing counts as a failure, retried with backoff. */
  refresh: () => Promise<void>;
  /** Called after the first refresh attempt, successful or not, so a connection can start. */
  onFirstAttempt?: (ok: boolean) => void;
}

/**
 * Refreshes reference data (instruments, symbol lists) until `ctx.signal` aborts: at once, then
 * every `intervalMs`; a failure is retried with exponential backoff and jitter (and at least what a
 * 429/418's Retry-After asks), never sooner than 1 s and never later than the interval.
 */
export async function refreshLoop(ctx: FeedContext, options: RefreshOptions): Promise<void> {
  const backoff = new Backoff({ initialMs: 1000, ...ctx.tuning.backoff });
  let first = true;
  while (!ctx.signal.aborted) {
    let wait = options.intervalMs;
    let ok = false;
    try {
      await options.refresh();
      ok = true;
      backoff.reset();
    } catch (error) {
      if (ctx.signal.aborted) return;
      wait = Math.min(options.intervalMs, backoff.next());
      if (error instanceof RateLimitedError) {
        wait = Math.max(wait, rateLimitedWait(error, 0));
      }
      ctx.log.warn(`${options.name}: refresh failed, retrying`, { error: errorMessage(error), wait_ms: wait });
    }
    if (first) options.onFirstAttempt?.(ok);
    first = false;
    await sleep(wait, ctx.signal);
  }
}

/** A promise with its resolve function, for "wait until the first refresh happened". */
export function gate(): { opened: Promise<void>; open: () => void } {
  let open = () => {};
  const opened = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { opened, open };
}
