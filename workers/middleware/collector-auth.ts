import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { timingSafeEqualStrings } from "../auth/timing-safe";
import { Problem } from "../http/problem";

/** Admits only requests bearing the collectors' token (`Authorization: Bearer <COLLECTOR_TOKEN>`). */
export function collectorAuth(): MiddlewareHandler<AppEnv> {
  return async function collectorAuth(c, next) {
    const header = c.req.header("Authorization") ?? "";
    const token = header.startsWith("Bearer ") ? header.slice(7) : "";
    const expected = c.env.COLLECTOR_TOKEN;
    if (!expected || !token || !(await timingSafeEqualStrings(token, expected))) {
      throw new Problem(401, "unauthorized", "A valid collector token is required", undefined, {
        "WWW-Authenticate": 'Bearer realm="ingest"',
      });
    }
    await next();
  };
}
