import { type CompressedJson, compressJson } from "../../durable-objects/support/compressed-json";

/**
 * A pre-rendered JSON object body (`CompressedJson`) with `stale: true` added at its top, rendered
 * and compressed once per rendering: `/api/coins/latest` is hundreds of KiB, and while the board
 * fails every request would otherwise parse and compress it again.
 */
export class StaleRendering {
  private made: { etag: string; body: Promise<CompressedJson> } | null = null;

  /** `body` marked stale (its ETag too, so a client's cached fresh copy is not mistaken for it). */
  of(body: CompressedJson): Promise<CompressedJson> {
    if (this.made?.etag !== body.etag) {
      const value = JSON.parse(new TextDecoder().decode(body.identity)) as Record<string, unknown>;
      const etag = `${body.etag.replaceAll('"', "")}-stale`;
      this.made = { etag: body.etag, body: compressJson(JSON.stringify({ ...value, stale: true }), etag) };
    }
    return this.made.body;
  }
}
