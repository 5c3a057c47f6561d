import type { MiddlewareHandler } from "hono";
import { secureHeaders } from "hono/secure-headers";

/**
 * Security headers on what the Worker answers (the dashboard's static files get theirs from
 * web/public/_headers: the platform does not run the Worker for them). Hono's `secureHeaders`
 * (https://hono.dev/docs/middleware/builtin/secure-headers) with:
 * - a Content-Security-Policy for data, not pages: nothing may load or frame it (`default-src 'none';
 *   frame-ancestors 'none'`). A page the Worker serves sets its own (the docs: `docsSecurityPolicy`),
 *   which this keeps;
 * - `X-Frame-Options: DENY`, `Referrer-Policy: no-referrer`, `X-Content-Type-Options: nosniff`, a
 *   Permissions-Policy that turns off the device features nothing here uses, HSTS, and
 *   `Cross-Origin-Resource-Policy: cross-origin` (the API is readable from any origin, see CORS).
 * WebSocket upgrades pass untouched (a 101 answer carries no page and its headers are the object's).
 */
export function securityHeaders(): MiddlewareHandler {
  const headers = secureHeaders({
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"], baseUri: ["'none'"] },
    xFrameOptions: "DENY",
    referrerPolicy: "no-referrer",
    crossOriginResourcePolicy: "cross-origin",
    permissionsPolicy: PERMISSIONS_POLICY,
    overwrite: false,
  });
  return async function securityHeaders(c, next) {
    if (c.req.header("Upgrade")?.toLowerCase() === "websocket") return next();
    return headers(c, next);
  };
}

/** Device features no page of ours uses, turned off for them and anything they embed. */
export const PERMISSIONS_POLICY = {
  accelerometer: [],
  camera: [],
  geolocation: [],
  gyroscope: [],
  magnetometer: [],
  microphone: [],
  payment: [],
  usb: [],
};

/**
 * The API reference page's Content-Security-Policy (`GET /docs`, Scalar). Its page has one inline
 * script (the call that starts Scalar with our settings), allowed by its hash, computed from the page
 * as served so a Scalar upgrade cannot silently break it; the script itself is our own static file.
 * Scalar adds `<style>` elements as it renders, so styles need 'unsafe-inline'. It reads
 * /openapi.json and sends "try it" requests to this origin only.
 */
export function docsSecurityPolicy(): MiddlewareHandler {
  let cached: { html: string; policy: string } | null = null;
  return async function docsSecurityPolicy(c, next) {
    await next();
    if (!c.res.headers.get("Content-Type")?.startsWith("text/html")) return;
    const html = await c.res.clone().text();
    if (cached?.html !== html) {
      const hashes = await inlineScriptHashes(html);
      const policy = [
        "default-src 'self'",
        `script-src 'self' ${hashes.map((h) => `'${h}'`).join(" ")}`,
        "style-src 'self' 'unsafe-inline'",
        "img-src 'self' data: blob:",
        "font-src 'self' data:",
        "connect-src 'self'",
        "worker-src 'self' blob:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
      ].join("; ");
      cached = { html, policy };
    }
    c.res.headers.set("Content-Security-Policy", cached.policy);
  };
}

/** `sha256-...` sources for every inline `<script>` of a page (its text exactly as served). */
export async function inlineScriptHashes(html: string): Promise<string[]> {
  const hashes: string[] = [];
  for (const match of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    if (/\bsrc\s*=/i.test(match[1]) || match[2].trim() === "") continue;
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(match[2]));
    hashes.push(`sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}`);
  }
  return hashes;
}
