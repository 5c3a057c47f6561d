import type { Context } from "hono";
import { matchedRoutes } from "hono/route";

/** The route label of requests no route matched (unknown paths, wrong methods). */
export const UNMATCHED_ROUTE = "unmatched";

/**
 * The pattern of the route that answered (`/api/orders/:id`, never the raw path), for logs and metrics;
 * read after `next()`. Hono runs the matched handlers in order and the last one it ran answered; when
 * that was a middleware (`app.use`: a rate limit, CORS preflight, the not-found fallback), the label is
 * the first route after it, the one the request was for, or `unmatched` when there is none.
 * https://hono.dev/docs/helpers/route
 */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c);
  for (let i = c.req.routeIndex; i < routes.length; i++) {
    const route = routes[i];
    if (route && route.method !== "ALL") return route.path;
  }
  return UNMATCHED_ROUTE;
}
