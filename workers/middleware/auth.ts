import type { MiddlewareHandler } from "hono";
import type { Role } from "../../protocol/auth";
import type { AppEnv } from "../app-env";
import { verifyAccessToken } from "../auth/access-tokens";
import { liveSessionUser, type SessionUser } from "../auth/sessions";
import { database } from "../db/client";
import { Problem } from "../http/problem";

/** The environment of a route behind `requireAuth()`: `c.var.user` is always set. */
export interface AuthEnv {
  Bindings: Env;
  Variables: { user: SessionUser };
}

/** The 401 every authentication failure gets: one shape, whatever was wrong with the token. */
export function unauthorized(detail = "A valid access token is required"): Problem {
  return new Problem(401, "unauthorized", detail, undefined, {
    "WWW-Authenticate": 'Bearer realm="api", error="invalid_token"',
  });
}

/** The bearer token of a request, or null when there is none (`Authorization: Bearer <token>`). */
export function bearerToken(request: Request): string | null {
  const header = request.headers.get("Authorization") ?? "";
  const match = /^Bearer[ ]+([^ ]+)[ ]*$/i.exec(header);
  return match ? match[1] : null;
}

/**
 * Admits requests with a valid access token whose session is still live, and sets `c.var.user`
 * (with the account's current role, read from D1 rather than trusted from the token).
 */
export function requireAuth(): MiddlewareHandler<AuthEnv> {
  return async function requireAuth(c, next) {
    const token = bearerToken(c.req.raw);
    if (!token) throw unauthorized();
    const claims = await verifyAccessToken(c.env, token);
    if (!claims) throw unauthorized();
    const user = await liveSessionUser(database(c.env), claims.sid);
    if (!user || user.id !== claims.sub) throw unauthorized();
    c.set("user", user);
    await next();
  };
}

/** Admits only callers with this role; use after `requireAuth()`. */
export function requireRole(role: Role): MiddlewareHandler<AuthEnv> {
  return async function requireRole(c, next) {
    if (c.var.user?.role !== role) throw new Problem(403, "forbidden", `This needs the ${role} role`);
    await next();
  };
}

/**
 * Admits an admin's access token; any other bearer token is handed to `fallback` (for operator
 * routes that also take a service credential, such as the collectors' token). A valid token of a
 * non-admin user is a 403, not a fallback.
 */
export function requireAdminOr(fallback: MiddlewareHandler<AppEnv>): MiddlewareHandler<AppEnv> {
  return async function requireAdminOr(c, next) {
    const token = bearerToken(c.req.raw);
    const claims = token ? await verifyAccessToken(c.env, token) : null;
    if (!claims) return fallback(c, next);
    const user = await liveSessionUser(database(c.env), claims.sid);
    if (!user || user.id !== claims.sub) throw unauthorized();
    if (user.role !== "admin") throw new Problem(403, "forbidden", "This needs the admin role");
    c.set("user", user);
    await next();
  };
}

/**
 * For a per-user resource: the caller must own it, or be an admin. Anything else is reported as not
 * found, so ids cannot be probed for existence.
 */
export function assertOwnerOrAdmin(user: SessionUser, ownerId: string, what = "resource"): void {
  if (user.id !== ownerId && user.role !== "admin") {
    throw new Problem(404, "not-found", `No such ${what}`);
  }
}
