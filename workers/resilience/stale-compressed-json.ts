import {
  compressJson,
  decodeJson,
  type EncodedJson,
  encodingOf,
  type JsonEncoding,
} from "../../durable-objects/support/compressed-json";

/**
 * A pre-rendered JSON object body (`EncodedJson`) with `stale: true` added at its top, made once per
 * rendering and encoding: `/api/coins/latest` is hundreds of KiB, and while the board fails every
 * request would otherwise decode, parse and encode it again.
 */
export class StaleRendering {
  /** Per encoding, the last rendering marked stale. */
  private readonly made = new Map<JsonEncoding, { etag: string; body: Promise<EncodedJson> }>();

  /** `body` marked stale (its ETag too, so a client's cached fresh copy is not mistaken for it). */
  of(body: EncodedJson): Promise<EncodedJson> {
    const made = this.made.get(body.encoding);
    if (made?.etag === body.etag) return made.body;
    const stale = decodeJson(body).then(async (json) => {
      const value = JSON.parse(json) as Record<string, unknown>;
      const etag = `${body.etag.replaceAll('"', "")}-stale`;
      return encodingOf(await compressJson(JSON.stringify({ ...value, stale: true }), etag), body.encoding);
    });
    this.made.set(body.encoding, { etag: body.etag, body: stale });
    return stale;
  }
}
