/**
 * Compares two secrets in constant time. Both are hashed first so their lengths don't leak;
 * `crypto.subtle.timingSafeEqual` is a workerd extension:
 * https://developers.cloudflare.com/workers/runtime-apis/web-crypto/#timingsafeequal
 */
export async function timingSafeEqualStrings(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [ha, hb] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(ha, hb);
}
