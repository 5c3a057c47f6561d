import type { Context, MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { routePattern } from "../http/route-pattern";
import { recordRequest } from "../metrics/collected-metrics";
import { flushWhenDue } from "../metrics/isolate-metrics";

/**
 * Counts every answered request by method, route pattern and status, and observes its duration, in
 * this isolate's memory; now and then hands the counts to the `MetricsCollector` in the background
 * (`waitUntil`), so the response never waits for it. See `workers/metrics/isolate-metrics.ts`.
 */
export function requestMetrics(): MiddlewareHandler<AppEnv> {
  return async function requestMetrics(c, next) {
    const started = performance.now();
    await next();
    recordRequest(c.req.method, routePattern(c), c.res.status, performance.now() - started);
    flushWhenDue(c.env, waitUntilOf(c));
  };
}

/** The request's `waitUntil`, or null when it runs without an execution context (`app.request` in a test). */
function waitUntilOf(c: Context): ((promise: Promise<unknown>) => void) | null {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return null;
  }
}
