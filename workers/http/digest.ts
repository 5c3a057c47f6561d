/**
 * SHA-256 of a validated request, hex: members in the schema's order and unknown members dropped
 * (zod's output), so the same request re-sent with other spacing or member order digests the same.
 */
export async function requestDigest(value: unknown): Promise<string> {
  const bytes = new TextEncoder().encode(JSON.stringify(value));
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(hash, (b) => b.toString(16).padStart(2, "0")).join("");
}
