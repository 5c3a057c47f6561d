import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../app-env";
import { verifyAccessToken } from "../auth/access-tokens";
import { clientAddressKey } from "../http/client-ip";
import { Problem } from "../http/problem";
import { bearerToken } from "./auth";

/**
 * Request rate limits on the public API, with the platform's Rate Limiting binding
 * (https://developers.cloudflare.com/workers/runtime-apis/bindings/rate-limit/): per user for a request
 * with a valid access token (`RATE_LIMIT_USER`), else per client address (`RATE_LIMIT_IP`; an IPv6
 * client counts as its /64). A caller over its limit gets 429 with `Retry-After`.
 *
 * The limits and their period are the bindings' (`[[ratelimits]]` in wrangler.toml); `RATE_LIMITS = "off"`
 * turns them off (the workerd tests, and the local Worker that tests, benchmarks and the soak run start).
 * The binding's counters are per Cloudflare location and eventually consistent: a guard against abuse,
 * not an exact quota. A limiter that fails lets the request through.
 */
export function rateLimit(): MiddlewareHandler<AppEnv> {
  return async function rateLimit(c, next) {
    const mode: string = c.env.RATE_LIMITS;
    if (mode === "off" || exempt(c.req.path)) return next();
    const token = bearerToken(c.req.raw);
    // A token that does not verify is not a user: its requests count against the address.
    const claims = token ? await verifyAccessToken(c.env, token) : null;
    const [limiter, key] = claims
      ? [c.env.RATE_LIMIT_USER, `user:${claims.sub}`]
      : [c.env.RATE_LIMIT_IP, `ip:${clientAddressKey(c.req.raw)}`];
    let allowed = true;
    try {
      allowed = limiter ? (await limiter.limit({ key })).success : true;
    } catch (error) {
      console.warn(JSON.stringify({ msg: "rate limiter failed; request let through", error: String(error) }));
    }
    if (!allowed) {
      throw new Problem(429, "rate-limited", `Too many requests; try again in ${RETRY_AFTER_SECONDS} s`, undefined, {
        "Retry-After": String(RETRY_AFTER_SECONDS),
      });
    }
    await next();
  };
}

/**
 * The limits' period (`simple.period` of both `[[ratelimits]]` in wrangler.toml, 10 s): a limited
 * caller is told to wait that long, the most it can take for its window to pass.
 */
const RETRY_AFTER_SECONDS = 10;

/** Callers with their own credentials and their own pace: the Telegram webhook (Telegram's servers). */
function exempt(path: string): boolean {
  return path.startsWith("/api/telegram/");
}
