import type { Context } from "hono";
import { accepts } from "hono/accepts";
import type { EncodedJson, JsonEncoding } from "../../durable-objects/support/compressed-json";

/** The encoding of a pre-rendered JSON body the client accepts: gzip when it says so, else identity. */
export function preferredEncoding(c: Context): JsonEncoding {
  return accepts(clientHeaders(c), { header: "Accept-Encoding", supports: ["gzip"], default: "identity" }) === "gzip"
    ? "gzip"
    : "identity";
}

/**
 * A pre-rendered JSON body in its encoding (see `preferredEncoding`), or 304 when the client already
 * has this rendering (`If-None-Match`). `encodeBody: "manual"` tells workerd the bytes are already
 * gzipped (otherwise it would compress them again because of the Content-Encoding header).
 */
export function respondEncodedJson(c: Context, body: EncodedJson, headers: Record<string, string>): Response {
  const common = { "Content-Type": "application/json", Vary: "Accept-Encoding", ETag: body.etag, ...headers };
  const known = c.req.header("If-None-Match");
  if (known?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === body.etag)) {
    return new Response(null, { status: 304, headers: common });
  }
  if (body.encoding === "gzip") {
    return new Response(body.bytes, { headers: { ...common, "Content-Encoding": "gzip" }, encodeBody: "manual" });
  }
  return new Response(body.bytes, { headers: common });
}

/**
 * The request as the client sent it, for content negotiation. The Workers runtime replaces the
 * client's `Accept-Encoding` with `br, gzip` (on Cloudflare and in wrangler dev alike) and keeps the
 * client's own in `request.cf.clientAcceptEncoding` (empty when it sent none): without this, `curl`
 * with no flags would get gzip bytes. Requests without `cf` (tests calling the Worker directly) keep
 * their header.
 */
function clientHeaders(c: Context): Context {
  const cf = c.req.raw.cf as { clientAcceptEncoding?: string } | undefined;
  if (!cf || !("clientAcceptEncoding" in cf)) return c;
  const acceptEncoding = cf.clientAcceptEncoding ?? "";
  const header = (name: string) => (name.toLowerCase() === "accept-encoding" ? acceptEncoding : c.req.header(name));
  return { req: { header } } as unknown as Context;
}
