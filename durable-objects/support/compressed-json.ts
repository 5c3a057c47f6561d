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

/** The encodings a `CompressedJson` holds. */
export type JsonEncoding = "gzip" | "identity";

/** One encoding of a `CompressedJson`: what crosses an RPC to a reader that serves that encoding. */
export interface EncodedJson {
  bytes: Uint8Array;
  encoding: JsonEncoding;
  etag: string;
}

export function encodingOf(body: CompressedJson, encoding: JsonEncoding): EncodedJson {
  return { bytes: encoding === "gzip" ? body.gzip : body.identity, encoding, etag: body.etag };
}

/** The JSON text of an encoded body. */
export async function decodeJson(body: EncodedJson): Promise<string> {
  if (body.encoding === "identity") return new TextDecoder().decode(body.bytes);
  const plain = new Blob([body.bytes]).stream().pipeThrough(new DecompressionStream("gzip"));
  return new Response(plain).text();
}
