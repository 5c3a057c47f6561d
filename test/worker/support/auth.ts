import { env, exports } from "cloudflare:workers";
import { SignJWT } from "jose";
import type { RegisterResponse, TokenResponse, UserProfile } from "../../../protocol/auth";
import { fromBase64, toBase64Url } from "../../../workers/auth/base64";

/** A fresh client address per caller, so throttle counters of one test never touch another's. */
export function randomIp(): string {
  const b = crypto.getRandomValues(new Uint8Array(3));
  return `10.${b[0]}.${b[1]}.${b[2]}`;
}

/** A unique email for a test account. */
export function uniqueEmail(tag = "user"): string {
  return `${tag}-${crypto.randomUUID().slice(0, 8)}@example.com`;
}

/** A password the policy accepts (not common, unrelated to the email). */
export function strongPassword(): string {
  return `Kimchi ${crypto.randomUUID().slice(0, 12)} Premium`;
}

/** Calls the gateway as a client would; `ip` becomes CF-Connecting-IP. */
export function call(path: string, init: RequestInit & { ip?: string; token?: string } = {}): Promise<Response> {
  const headers = new Headers(init.headers);
  headers.set("CF-Connecting-IP", init.ip ?? randomIp());
  if (init.token) headers.set("Authorization", `Bearer ${init.token}`);
  return exports.default.fetch(`http://gateway${path}`, { ...init, headers });
}

/** POSTs JSON. */
export function postJson(path: string, body: unknown, init: { ip?: string; token?: string } = {}): Promise<Response> {
  return call(path, {
    ...init,
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

/** Registers an account; returns the response. */
export function register(body: Record<string, unknown>, ip?: string): Promise<Response> {
  return postJson("/api/auth/register", body, { ip });
}

/** Signs in with the OAuth2 password grant (form-encoded); `requestId` is sent as `X-Request-Id`. */
export function signIn(email: string, password: string, ip?: string, requestId?: string): Promise<Response> {
  return call("/api/auth/token", {
    ip,
    method: "POST",
    headers: {
      "Content-Type": "application/x-www-form-urlencoded",
      ...(requestId ? { "X-Request-Id": requestId } : {}),
    },
    body: new URLSearchParams({ grant_type: "password", username: email, password }).toString(),
  });
}

/** A registered, signed-in account. */
export interface TestAccount {
  email: string;
  password: string;
  userId: string;
  tokens: TokenResponse;
}

/** Registers a new account and signs it in. */
export async function newAccount(tag = "user"): Promise<TestAccount> {
  const email = uniqueEmail(tag);
  const password = strongPassword();
  const reg = await register({ email, username: tag, password });
  if (reg.status !== 201) throw new Error(`register: ${reg.status} ${await reg.text()}`);
  const { user_id } = (await reg.json()) as RegisterResponse;
  const res = await signIn(email, password);
  if (res.status !== 200) throw new Error(`sign-in: ${res.status} ${await res.text()}`);
  return { email, password, userId: user_id, tokens: (await res.json()) as TokenResponse };
}

/** GET /api/auth/me with a token. */
export async function me(token: string): Promise<{ status: number; body: UserProfile | null }> {
  const res = await call("/api/auth/me", { token });
  return { status: res.status, body: res.status === 200 ? ((await res.json()) as UserProfile) : null };
}

/** A key spec `<kid>:<base64url>` as the Worker reads it, split. */
export function keyFromSpec(spec: string): { kid: string; secret: Uint8Array } {
  const [kid, secret] = spec.split(":");
  return { kid, secret: fromBase64(secret) as Uint8Array };
}

/** The Worker's current signing key (from the test bindings). */
export function currentKey(): { kid: string; secret: Uint8Array } {
  return keyFromSpec(env.JWT_SIGNING_KEY);
}

/** The Worker's previous (verify-only) key. */
export function previousKey(): { kid: string; secret: Uint8Array } {
  return keyFromSpec(env.JWT_PREVIOUS_KEYS);
}

/** Options for a hand-made token: every claim and header field can be overridden or removed. */
export interface ForgeOptions {
  key?: { kid: string; secret: Uint8Array };
  kid?: string | null;
  typ?: string;
  iss?: string;
  aud?: string;
  /** Seconds relative to now. */
  iat?: number;
  nbf?: number | null;
  exp?: number | null;
  sid?: string | null;
  role?: string;
}

/** Signs an access token like the Worker's, with the given deviations. */
export async function forgeToken(sub: string, sid: string, o: ForgeOptions = {}): Promise<string> {
  const key = o.key ?? currentKey();
  const now = Math.floor(Date.now() / 1000);
  const payload: Record<string, unknown> = { role: o.role ?? "user" };
  if (o.sid !== null) payload.sid = o.sid ?? sid;
  const jwt = new SignJWT(payload)
    .setProtectedHeader({
      alg: "HS256",
      typ: o.typ ?? "at+jwt",
      ...(o.kid === null ? {} : { kid: o.kid ?? key.kid }),
    })
    .setSubject(sub)
    .setIssuer(o.iss ?? env.JWT_ISSUER)
    .setAudience(o.aud ?? env.JWT_AUDIENCE)
    .setIssuedAt(now + (o.iat ?? 0));
  if (o.nbf !== null) jwt.setNotBefore(now + (o.nbf ?? 0));
  if (o.exp !== null) jwt.setExpirationTime(now + (o.exp ?? 900));
  return jwt.sign(key.secret);
}

/** The `sid` and `sub` of a token the Worker issued (read without verifying). */
export function claimsOf(token: string): { sub: string; sid: string; role: string } {
  const payload = token.split(".")[1];
  return JSON.parse(new TextDecoder().decode(fromBase64(payload) as Uint8Array));
}

/** base64url of a JSON value, for hand-built token segments. */
export function segment(value: unknown): string {
  return toBase64Url(new TextEncoder().encode(JSON.stringify(value)));
}
