/**
 * JSON.stringify, with every non-ASCII character written as a `\uXXXX` escape. The result parses to
 * the same value, but V8 keeps it as a one-byte string, so the UTF-8 encoding that every
 * `WebSocket.send` and `Response` does is a plain copy. With Korean coin names in every coin, the
 * two-byte encoding was the largest cost of the fan-out (bench/RESULTS.md, "What limits us").
 */
export function toAsciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u0080-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}
