/**
 * Marks answers built from a last good result instead of a fresh one. A read that fell back notes it
 * on the request (`noteStale`); `staleMarker()` then marks the response: `stale: true` at the top of
 * a JSON object body, and on every body (arrays included) the headers `X-Stale: true`,
 * `Warning: 110 - "Response is Stale"` (RFC 7234 section 5.5.1), `Age` (seconds since that result
 * was read) and `Cache-Control: no-store`.
 */
import type { MiddlewareHandler } from "hono";

export const STALE_HEADER = "X-Stale";

/** Per request: when the oldest last good result it used was read. */
const staleSince = new WeakMap<Request, number>();

/** Notes that the answer to `request` uses a result read at `at` (ms since epoch) that is no longer current. */
export function noteStale(request: Request, at: number): void {
  const known = staleSince.get(request);
  staleSince.set(request, known === undefined ? at : Math.min(known, at));
}

/** When the oldest stale result the answer to `request` uses was read, if it uses any. */
export function staleSinceOf(request: Request): number | undefined {
  return staleSince.get(request);
}

/** Marks the response when its handler answered from a last good result. */
export function staleMarker(): MiddlewareHandler {
  return async function staleMarker(c, next) {
    await next();
    const at = staleSince.get(c.req.raw);
    if (at === undefined) return;
    const marked = await markedStale(c.res, at);
    // Hono copies the old response's headers onto a new one; the marked one has them already, minus
    // the ETag and length of the body it replaced.
    c.res = undefined;
    c.res = marked;
  };
}

/**
 * `response` marked stale. Only successful answers are marked (a 404 or 503 is not a stale figure);
 * one that already carries `X-Stale` was marked by its route (with its own body) and gets nothing more.
 */
export async function markedStale(response: Response, at: number, now = Date.now()): Promise<Response> {
  if (response.status !== 200 || response.headers.has(STALE_HEADER)) return response;
  const headers = new Headers(response.headers);
  for (const [name, value] of Object.entries(staleHeaders(at, now))) headers.set(name, value);
  let body: BodyInit | null = response.body;
  const json = /^application\/json\b/i.test(headers.get("Content-Type") ?? "");
  if (json && !headers.has("Content-Encoding")) {
    const text = await response.text();
    const parsed: unknown = JSON.parse(text);
    body = isPlainObject(parsed) ? JSON.stringify({ ...parsed, stale: true }) : text;
    headers.delete("Content-Length");
    headers.delete("ETag");
  }
  return new Response(body, { status: response.status, headers });
}

/** The headers of a stale answer. */
export function staleHeaders(at: number, now = Date.now()): Record<string, string> {
  return {
    [STALE_HEADER]: "true",
    Warning: '110 - "Response is Stale"',
    Age: String(Math.max(0, Math.floor((now - at) / 1000))),
    "Cache-Control": "no-store",
  };
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
