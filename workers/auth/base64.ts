/** Base64 helpers for binary secrets: PHC strings use standard base64 without padding, tokens base64url. */

/** Standard base64 without `=` padding (the PHC string format's encoding). */
export function toBase64NoPad(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/=+$/, "");
}

/** URL-safe base64 without padding (RFC 4648 section 5). */
export function toBase64Url(bytes: Uint8Array): string {
  return toBase64NoPad(bytes).replaceAll("+", "-").replaceAll("/", "_");
}

/**
 * Decodes standard or URL-safe base64, padded or not. Returns null for anything else, so callers
 * can treat malformed input as a failed check rather than an exception.
 */
export function fromBase64(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(text)) return null;
  const standard = text.replaceAll("-", "+").replaceAll("_", "/").replace(/=+$/, "");
  if (standard.length % 4 === 1) return null;
  try {
    const binary = atob(standard.padEnd(Math.ceil(standard.length / 4) * 4, "="));
    const out = new Uint8Array(binary.length);
    for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
    return out;
  } catch {
    return null;
  }
}
