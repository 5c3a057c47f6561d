import type { Env, MiddlewareHandler } from "hono";
import { Problem } from "./problem";

/** The limit for the JSON and form bodies of the API (sign-in, profiles, orders): 16 KiB. */
export const SMALL_BODY_BYTES = 16 * 1024;

/** How much of a refused body is read and dropped before the connection is given up instead. */
const MAX_DISCARDED_BYTES = 16 * 1024 * 1024;

function tooLarge(maxBytes: number): Problem {
  return new Problem(413, "too-large", `The body is larger than ${maxBytes} bytes`, [
    { path: "(body)", message: `at most ${maxBytes} bytes` },
  ]);
}

/**
 * Refuses a request body larger than `maxBytes` with 413 problem+json, before reading it whole: at
 * once when `Content-Length` says so, else as soon as the streamed bytes pass the limit, and then
 * the rest of the stream is cancelled rather than left half-read. A body within the limit is kept
 * in memory for the handler.
 */
export function limitBody<E extends Env = Env>(maxBytes: number): MiddlewareHandler<E> {
  return async function limitBody(c, next) {
    const request = c.req.raw;
    if (!request.body) return next();
    const declared = request.headers.get("Content-Length");
    if (declared !== null && !request.headers.has("Transfer-Encoding")) {
      if (Number(declared) > maxBytes) {
        await discardRest(request.body.getReader());
        throw tooLarge(maxBytes);
      }
      return next();
    }
    const reader = request.body.getReader();
    const chunks: Uint8Array[] = [];
    let size = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > maxBytes) {
        chunks.length = 0;
        await discardRest(reader);
        throw tooLarge(maxBytes);
      }
      chunks.push(value);
    }
    const body = new Uint8Array(size);
    let offset = 0;
    for (const chunk of chunks) {
      body.set(chunk, offset);
      offset += chunk.byteLength;
    }
    c.req.raw = new Request(request, { body });
    return next();
  };
}

/**
 * Reads and drops what is left of a refused body, so the client can read our 413 and keep using its
 * connection (an HTTP/1.1 server that answers before the body ends must read the rest or close the
 * connection; workerd closes it when the body is cancelled). Nothing is kept; past `MAX_DISCARDED_BYTES`
 * the stream is cancelled instead, so a client cannot hold the request open with an endless body.
 */
async function discardRest(reader: ReadableStreamDefaultReader<Uint8Array>): Promise<void> {
  let discarded = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return;
    discarded += value.byteLength;
    if (discarded > MAX_DISCARDED_BYTES) {
      await reader.cancel("body too large");
      return;
    }
  }
}
