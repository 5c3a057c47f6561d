import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";

/** A client's `X-Request-Id` is kept only when it looks like an id (so it is safe to echo and log). */
const CLIENT_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The id of a request: the client's `X-Request-Id` if usable, else Cloudflare's `cf-ray`, else a new UUID. */
export function requestIdOf(request: Request): string {
  const given = request.headers.get("X-Request-Id");
  if (given && CLIENT_ID.test(given)) return given;
  const ray = request.headers.get("cf-ray");
  if (ray && CLIENT_ID.test(ray)) return ray;
  return crypto.randomUUID();
}

/**
 * Gives every request an id (`c.var.requestId`) and returns it in the `X-Request-Id` header of every
 * answer, errors included (problem+json bodies also carry it as `request_id`). The id goes into the
 * request's log line and into the calls to objects that log (the ledger's orders, the board's ingest).
 * A WebSocket handshake (101) is passed through untouched: its response is the runtime's.
 */
export function requestId(): MiddlewareHandler<AppEnv> {
  return async function requestId(c, next) {
    const id = requestIdOf(c.req.raw);
    c.set("requestId", id);
    await next();
    if (c.res.status !== 101) c.header("X-Request-Id", id);
  };
}
