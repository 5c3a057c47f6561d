import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { Problem } from "./problem";

/** The limit for the JSON and form bodies of the API (sign-in, profiles, orders): 16 KiB. */
export const SMALL_BODY_BYTES = 16 * 1024;

/** Refuses a request body larger than `maxBytes` with a problem+json naming the body. */
export function limitBody(maxBytes: number): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new Problem(400, "too-large", `The body is larger than ${maxBytes} bytes`, [
        { path: "(body)", message: `at most ${maxBytes} bytes` },
      ]);
    },
  });
}
