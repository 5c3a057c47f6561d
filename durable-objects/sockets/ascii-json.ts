/**
 * JSON.stringify, with every non-ASCII character written as a `\uXXXX` escape, returned as a
 * one-byte V8 string. The result parses to the same value. `WebSocket.send` and `Response` encode
 * their string to UTF-8 on every call; for a one-byte string that is a plain copy, for a two-byte one
 * V8 encodes character by character (perf: 41.6% of the fan-out's samples were in
 * `unibrow::Utf8::Encode<unsigned short>`, bench/analysis.md).
 *
 * Escaping alone is not enough: `String.prototype.replace` on a two-byte string (any JSON holding a
 * Korean name) builds a two-byte result even when every character of it is ASCII. So the escaped text
 * is copied once more through `String.fromCharCode` over its bytes, which V8 stores as one-byte.
 */
export function toAsciiJson(value: unknown): string {
  const json = JSON.stringify(value);
  if (!NON_ASCII.test(json)) return json;
  return oneByteCopy(json.replace(NON_ASCII_ALL, escapeChar));
}

const NON_ASCII = /[\u0080-\uffff]/;
const NON_ASCII_ALL = /[\u0080-\uffff]/g;
const escapeChar = (c: string) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`;

const encoder = new TextEncoder();
/** Below V8's limit on the number of arguments a call takes. */
const CHUNK = 8192;

/** The same ASCII text, as a string V8 stores one byte per character. */
function oneByteCopy(ascii: string): string {
  const bytes = encoder.encode(ascii);
  let out = "";
  for (let i = 0; i < bytes.length; i += CHUNK) {
    out += String.fromCharCode.apply(null, bytes.subarray(i, i + CHUNK) as unknown as number[]);
  }
  return out;
}
