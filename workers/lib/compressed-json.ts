import type { Context } from "hono";
import { accepts } from "hono/accepts";

/**
 * A JSON body kept both as UTF-8 and gzipped, so a large snapshot that many clients read is
 * compressed once, not once per request. `GET /api/coins/latest` is about 360 KiB for 300 coins and
 * about a tenth of that gzipped; every browser asks for gzip. `etag` names this rendering.
 */
export interface CompressedJson {
  identity: Uint8Array;
  gzip: Uint8Array;
  etag: string;
}

export async function compressJson(json: string, etag: string): Promise<CompressedJson> {
  const identity = new TextEncoder().encode(json);
  const gzipped = new Blob([identity]).stream().pipeThrough(new CompressionStream("gzip"));
  const gzip = new Uint8Array(await new Response(gzipped).arrayBuffer());
  return { identity, gzip, etag: `"${etag}"` };
}

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
