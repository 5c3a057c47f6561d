import type { Context } from "hono";
import { accepts } from "hono/accepts";
import type { CompressedJson } from "../../durable-objects/support/compressed-json";

/**
 * The body in the encoding the client accepts, or 304 when the client already has this rendering
 * (`If-None-Match`). `encodeBody: "manual"` tells workerd the bytes are already gzipped (otherwise it
 * would compress them again because of the Content-Encoding header).
 */
export function respondCompressedJson(c: Context, body: CompressedJson, headers: Record<string, string>): Response {
  const common = { "Content-Type": "application/json", Vary: "Accept-Encoding", ETag: body.etag, ...headers };
  const known = c.req.header("If-None-Match");
  if (known?.split(",").some((tag) => tag.trim().replace(/^W\//, "") === body.etag)) {
    return new Response(null, { status: 304, headers: common });
  }
  const encoding = accepts(c, { header: "Accept-Encoding", supports: ["gzip"], default: "identity" });
  if (encoding === "gzip") {
    return new Response(body.gzip, {
      headers: { ...common, "Content-Encoding": "gzip" },
      encodeBody: "manual",
    });
  }
  return new Response(body.identity, { headers: common });
}
