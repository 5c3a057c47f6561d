import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { routePattern } from "../http/route-pattern";

/** What each request logs, as one JSON line (Workers Logs indexes its fields). */
export interface RequestLogLine {
  msg: "request";
  request_id: string;
  method: string;
  /** The matched route's pattern, never the raw path (which may hold ids and tickets). */
  route: string;
  status: number;
  ms: number;
  /** Set when the request was authenticated. */
  user_id?: string;
}

/**
 * Logs one JSON line per request after it is answered: a 5xx with `console.error` (so it shows as an
 * error), everything else with `console.log`. Time is read with `performance.now()`, which in Workers
 * advances only across I/O, so a request that does none shows 0 ms.
 * https://developers.cloudflare.com/workers/runtime-apis/performance/
 */
export function requestLog(): MiddlewareHandler<AppEnv> {
  return async function requestLog(c, next) {
    const started = performance.now();
    await next();
    const line: RequestLogLine = {
      msg: "request",
      request_id: c.var.requestId,
      method: c.req.method,
      route: routePattern(c),
      status: c.res.status,
      ms: Math.round(performance.now() - started),
    };
    const user = c.var.user;
    if (user) line.user_id = user.id;
    (line.status >= 500 ? console.error : console.log)(JSON.stringify(line));
  };
}
