/**
 * Password hashing: Argon2id (RFC 9106) through WebAssembly, stored as a PHC string that carries its
 * parameters (`$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`), so a stronger policy applies to each
 * account at its next successful login. PBKDF2-SHA256 hashes (`$pbkdf2-sha256$i=...`) are verified
 * too and upgraded the same way; the README has the measurements behind the choice.
 */
import { type Argon2Params, argon2id } from "./argon2id";
import { fromBase64, toBase64NoPad } from "./base64";

/**
 * The current policy: OWASP's first Argon2id configuration (19 MiB, 2 passes, 1 lane). A Worker has
 * one thread, so lanes would run one after another and buy nothing.
 */
export const ARGON2_POLICY: Readonly<Argon2Params> = { memoryKiB: 19_456, iterations: 2, parallelism: 1 };

/** workerd refuses PBKDF2 above 100,000 iterations. */
export const PBKDF2_MAX_ITERATIONS = 100_000;

const SALT_BYTES = 16;
const TAG_BYTES = 32;

/** The outcome of checking a password against a stored hash. */
export interface PasswordCheck {
  ok: boolean;
  /** The stored hash uses another algorithm or parameters than the policy: store a fresh one. */
  needsRehash: boolean;
}

/** Passwords are compared in NFKC (NIST SP 800-63B 5.1.1.2), so visually equal input matches. */
function passwordBytes(password: string): Uint8Array {
  return new TextEncoder().encode(password.normalize("NFKC"));
}

function sameParams(a: Argon2Params, b: Argon2Params): boolean {
  return a.memoryKiB === b.memoryKiB && a.iterations === b.iterations && a.parallelism === b.parallelism;
}

/** Hashes a password under `params` (the policy unless given) with a fresh random salt. */
export async function hashPassword(password: string, params: Argon2Params = ARGON2_POLICY): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const tag = argon2id(passwordBytes(password), { salt, hashLength: TAG_BYTES }, params);
  return `$argon2id$v=19$m=${params.memoryKiB},t=${params.iterations},p=${params.parallelism}$${toBase64NoPad(salt)}$${toBase64NoPad(tag)}`;
}

/** Hashes with PBKDF2-HMAC-SHA256 through WebCrypto (the comparison baseline; and hashes imported from elsewhere). */
export async function hashPasswordPbkdf2(password: string, iterations = PBKDF2_MAX_ITERATIONS): Promise<string> {
  const salt = crypto.getRandomValues(new Uint8Array(SALT_BYTES));
  const tag = await pbkdf2(passwordBytes(password), salt, iterations, TAG_BYTES);
  return `$pbkdf2-sha256$i=${iterations}$${toBase64NoPad(salt)}$${toBase64NoPad(tag)}`;
}

async function pbkdf2(password: Uint8Array, salt: Uint8Array, iterations: number, length: number): Promise<Uint8Array> {
  const key = await crypto.subtle.importKey("raw", password, "PBKDF2", false, ["deriveBits"]);
  const bits = await crypto.subtle.deriveBits({ name: "PBKDF2", hash: "SHA-256", salt, iterations }, key, length * 8);
  return new Uint8Array(bits);
}

const ARGON2_PHC = /^\$argon2id\$v=19\$m=(\d{1,6}),t=(\d{1,3}),p=(\d{1,2})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{6,})$/;
const PBKDF2_PHC = /^\$pbkdf2-sha256\$i=(\d{1,7})\$([A-Za-z0-9+/]{11,})\$([A-Za-z0-9+/]{6,})$/;

/**
 * Checks a password against a stored PHC string in constant time. A malformed or unsupported stored
 * hash never matches (and is logged: it means the database holds something we did not write).
 */
export async function verifyPassword(password: string, stored: string): Promise<PasswordCheck> {
  const argon = ARGON2_PHC.exec(stored);
  if (argon) {
    const params = { memoryKiB: Number(argon[1]), iterations: Number(argon[2]), parallelism: Number(argon[3]) };
    const salt = fromBase64(argon[4]);
    const expected = fromBase64(argon[5]);
    if (salt && expected) {
      try {
        const actual = argon2id(passwordBytes(password), { salt, hashLength: expected.length }, params);
        return { ok: equalBytes(actual, expected), needsRehash: !sameParams(params, ARGON2_POLICY) };
      } catch (err) {
        console.error(JSON.stringify({ msg: "argon2 verify failed", error: String(err) }));
        return { ok: false, needsRehash: true };
      }
    }
  }
  const pb = PBKDF2_PHC.exec(stored);
  if (pb) {
    const iterations = Number(pb[1]);
    const salt = fromBase64(pb[2]);
    const expected = fromBase64(pb[3]);
    if (salt && expected && iterations >= 1 && iterations <= PBKDF2_MAX_ITERATIONS) {
      const actual = await pbkdf2(passwordBytes(password), salt, iterations, expected.length);
      return { ok: equalBytes(actual, expected), needsRehash: true };
    }
  }
  console.error(JSON.stringify({ msg: "unrecognised password hash format" }));
  return { ok: false, needsRehash: true };
}

/**
 * A hash under the current policy that no password matches. Verifying against it when an email is
 * unknown costs what a real check costs, so response time does not reveal which emails exist.
 */
export const UNMATCHABLE_HASH = `$argon2id$v=19$m=${ARGON2_POLICY.memoryKiB},t=${ARGON2_POLICY.iterations},p=${ARGON2_POLICY.parallelism}$${toBase64NoPad(new Uint8Array(SALT_BYTES))}$${toBase64NoPad(new Uint8Array(TAG_BYTES))}`;

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && crypto.subtle.timingSafeEqual(a, b);
}
