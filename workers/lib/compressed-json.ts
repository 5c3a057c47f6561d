import type { Context } from "hono";
import { accepts } from "hono/accepts";

/**
 * A JSON body kept both as UTF-8 and gzipped, so a large snapshot that many clients read is
 * compressed once, not once per request. `GET /api/coins/latest` is about 360 KiB for 300 coins and
 * about a tenth of that gzipped; every browser asks for gzip.
 */
export interface CompressedJson {
  identity: Uint8Array;
  gzip: Uint8Array;
}

export async function compressJson(json: string): Promise<CompressedJson> {
  const identity = new TextEncoder().encode(json);
  const gzipped = new Blob([identity]).stream().pipeThrough(new CompressionStream("gzip"));
  const gzip = new Uint8Array(await new Response(gzipped).arrayBuffer());
  return { identity, gzip };
}

/**
 * The body in the encoding the client accepts. `encodeBody: "manual"` tells workerd the bytes are
 * already gzipped (otherwise it would compress them again because of the Content-Encoding header).
 */
export function respondCompressedJson(c: Context, body: CompressedJson, headers: Record<string, string>): Response {
  const encoding = accepts(c, { header: "Accept-Encoding", supports: ["gzip"], default: "identity" });
  const common = { "Content-Type": "application/json", Vary: "Accept-Encoding", ...headers };
  if (encoding === "gzip") {
    return new Response(body.gzip, {
      headers: { ...common, "Content-Encoding": "gzip" },
      encodeBody: "manual",
    });
  }
  return new Response(body.identity, { headers: common });
}
