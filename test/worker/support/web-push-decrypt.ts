/**
 * The browser's side of RFC 8291 (Message Encryption for Web Push), written from the RFC with
 * WebCrypto so a test can check what our server sends: parses the aes128gcm header (RFC 8188:
 * salt, record size, key id = the server's ephemeral public key), derives the key and nonce from the
 * ECDH secret and the subscription's auth secret, decrypts the single record and strips its padding.
 */
const enc = new TextEncoder();

async function hkdf(salt: Uint8Array, ikm: Uint8Array, info: Uint8Array, bytes: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", ikm, "HKDF", false, ["deriveBits"]);
  return new Uint8Array(await crypto.subtle.deriveBits({ name: "HKDF", hash: "SHA-256", salt, info }, key, bytes * 8));
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Decrypts an aes128gcm Web Push body with the subscription's key pair and auth secret. */
export async function decryptWebPush(
  body: Uint8Array,
  subscription: { keys: CryptoKeyPair; publicKey: Uint8Array; auth: Uint8Array },
): Promise<string> {
  const salt = body.slice(0, 16);
  const recordSize = new DataView(body.buffer, body.byteOffset + 16, 4).getUint32(0);
  const idLength = body[20];
  const serverPublic = body.slice(21, 21 + idLength);
  const ciphertext = body.slice(21 + idLength);
  if (idLength !== 65) throw new Error(`key id of ${idLength} bytes; RFC 8291 says 65`);
  if (ciphertext.length > recordSize) throw new Error("more than one record");

  const serverKey = await crypto.subtle.importKey(
    "raw",
    serverPublic,
    { name: "ECDH", namedCurve: "P-256" },
    false,
    [],
  );
  const ecdhSecret = new Uint8Array(
    await crypto.subtle.deriveBits(
      { name: "ECDH", public: serverKey } as unknown as SubtleCryptoDeriveKeyAlgorithm,
      subscription.keys.privateKey,
      256,
    ),
  );
  const keyInfo = concat(enc.encode("WebPush: info\0"), subscription.publicKey, serverPublic);
  const ikm = await hkdf(subscription.auth, ecdhSecret, keyInfo, 32);
  const cek = await hkdf(salt, ikm, enc.encode("Content-Encoding: aes128gcm\0"), 16);
  const nonce = await hkdf(salt, ikm, enc.encode("Content-Encoding: nonce\0"), 12);

  const key = await crypto.subtle.importKey("raw", cek, "AES-GCM", false, ["decrypt"]);
  const padded = new Uint8Array(await crypto.subtle.decrypt({ name: "AES-GCM", iv: nonce }, key, ciphertext));
  let end = padded.length - 1;
  while (end >= 0 && padded[end] === 0) end--;
  if (padded[end] !== 2) throw new Error("the last record's delimiter is not 0x02");
  return new TextDecoder().decode(padded.slice(0, end));
}
