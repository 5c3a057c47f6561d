/**
 * Access tokens: short-lived JWTs (RFC 9068 profile, `typ: at+jwt`) signed with HS256 by jose.
 *
 * Keys come from Worker secrets as `<kid>:<base64url secret>`: `JWT_SIGNING_KEY` signs, and it and
 * every key in `JWT_PREVIOUS_KEYS` (comma-separated) verify, chosen by the token's `kid`. Verification
 * allows exactly one algorithm (so `alg: none` and algorithm confusion fail) and requires `iss`,
 * `aud`, `exp`, `nbf`, `iat`, `sub` and `sid`.
 */
import { type JWTVerifyGetKey, jwtVerify, SignJWT } from "jose";
import { z } from "zod";
import { Role } from "../../protocol/auth";
import { authConfig } from "./auth-config";
import { fromBase64 } from "./base64";

const ALGORITHM = "HS256";
const TOKEN_TYPE = "at+jwt";
/** Seconds of clock skew tolerated on `exp`/`nbf`/`iat`. */
const CLOCK_TOLERANCE = 5;
/** Longer input is not a token we issued; refuse it before any parsing. */
const MAX_TOKEN_LENGTH = 2048;

/** What an access token asserts: who (`sub`), which session (`sid`), and the role at issue time. */
export interface AccessClaims {
  sub: string;
  sid: string;
  role: Role;
}

interface KeyRing {
  kid: string;
  secret: Uint8Array;
  verify: Map<string, Uint8Array>;
}

const KEY_SPEC = /^([A-Za-z0-9._-]{1,64}):([A-Za-z0-9_-]{43,})$/;

function parseKey(spec: string, name: string): { kid: string; secret: Uint8Array } {
  const match = KEY_SPEC.exec(spec.trim());
  const secret = match ? fromBase64(match[2]) : null;
  if (!match || !secret || secret.length < 32) {
    throw new Error(`${name} must be "<kid>:<base64url secret of at least 32 bytes>"`);
  }
  return { kid: match[1], secret };
}

let cached: { source: string; ring: KeyRing } | null = null;

/** The signing key and every verification key, parsed once per isolate and configuration. */
function keyRing(env: Env): KeyRing {
  const current = env.JWT_SIGNING_KEY ?? "";
  const previous = env.JWT_PREVIOUS_KEYS ?? "";
  const source = `${current}\n${previous}`;
  if (cached?.source === source) return cached.ring;
  const signing = parseKey(current, "JWT_SIGNING_KEY");
  const verify = new Map([[signing.kid, signing.secret]]);
  for (const spec of previous.split(",").filter((s) => s.trim() !== "")) {
    const key = parseKey(spec, "JWT_PREVIOUS_KEYS");
    if (!verify.has(key.kid)) verify.set(key.kid, key.secret);
  }
  const ring = { kid: signing.kid, secret: signing.secret, verify };
  cached = { source, ring };
  return ring;
}

/** Signs an access token for a session; returns it with its lifetime in seconds. */
export async function signAccessToken(
  env: Env,
  claims: AccessClaims,
  nowMs = Date.now(),
): Promise<{ token: string; expiresIn: number }> {
  const config = authConfig(env);
  const ring = keyRing(env);
  const now = Math.floor(nowMs / 1000);
  const token = await new SignJWT({ sid: claims.sid, role: claims.role })
    .setProtectedHeader({ alg: ALGORITHM, typ: TOKEN_TYPE, kid: ring.kid })
    .setSubject(claims.sub)
    .setIssuer(config.issuer)
    .setAudience(config.audience)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + config.accessTtlSeconds)
    .setJti(crypto.randomUUID())
    .sign(ring.secret);
  return { token, expiresIn: config.accessTtlSeconds };
}

const Payload = z.object({ sub: z.string().min(1).max(64), sid: z.string().min(1).max(64), role: Role });

/**
 * Verifies an access token; returns its claims, or null for anything that is not a valid, current
 * token of ours (any failure looks the same to the caller, and so to the client).
 */
export async function verifyAccessToken(env: Env, token: string): Promise<AccessClaims | null> {
  if (token.length === 0 || token.length > MAX_TOKEN_LENGTH) return null;
  const config = authConfig(env);
  const ring = keyRing(env);
  const getKey: JWTVerifyGetKey = (header) => {
    const key = header.kid === undefined ? undefined : ring.verify.get(header.kid);
    if (!key) throw new Error("unknown kid");
    return key;
  };
  try {
    const { payload } = await jwtVerify(token, getKey, {
      algorithms: [ALGORITHM],
      typ: TOKEN_TYPE,
      issuer: config.issuer,
      audience: config.audience,
      requiredClaims: ["exp", "nbf", "iat", "sub", "sid"],
      clockTolerance: CLOCK_TOLERANCE,
      maxTokenAge: config.accessTtlSeconds + CLOCK_TOLERANCE,
    });
    const parsed = Payload.safeParse(payload);
    return parsed.success ? parsed.data : null;
  } catch {
    return null;
  }
}
