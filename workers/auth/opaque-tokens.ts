import { toBase64Url } from "./base64";

/**
 * Opaque bearer secrets (refresh tokens, WebSocket tickets): 256 random bits, base64url (43 chars).
 * Only their SHA-256 is stored, so reading the database does not yield a usable token; a fast hash
 * is enough because the input has full entropy (no dictionary to try).
 */
export function newOpaqueToken(): string {
  return toBase64Url(crypto.getRandomValues(new Uint8Array(32)));
}

/** The stored form of an opaque token: hex SHA-256. */
export async function hashOpaqueToken(token: string): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token)));
  return [...digest].map((b) => b.toString(16).padStart(2, "0")).join("");
}
