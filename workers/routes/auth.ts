import { createRoute } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import {
  RefreshRequest,
  RegisterRequest,
  RegisterResponse,
  TokenRequest,
  TokenResponse,
  UserProfile,
  WsTicketResponse,
} from "../../protocol/auth";
import { signAccessToken, verifyAccessToken } from "../auth/access-tokens";
import { ensureConfiguredAdmin, isConfiguredAdminEmail } from "../auth/admin-bootstrap";
import { authConfig } from "../auth/auth-config";
import { passwordPolicyErrors } from "../auth/password-policy";
import { hashPassword, UNMATCHABLE_HASH, verifyPassword } from "../auth/passwords";
import { openSession, revokeSession, rotateRefreshToken, sessionOfRefreshToken } from "../auth/sessions";
import { ACCOUNT_LOGIN, countAttempt, forgiveAttempt, IP_LOGIN, IP_REGISTER } from "../auth/throttle";
import { createUser, findUserByEmail, normalizeEmail, toProfile } from "../auth/users";
import { issueWsTicket } from "../auth/ws-tickets";
import { database } from "../db/client";
import { users } from "../db/schema";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { clientAddressKey } from "../http/client-ip";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { bearerToken, requireAuth } from "../middleware/auth";

/**
 * Authentication (seed: user-service): registration, the OAuth2 password grant, refresh-token
 * rotation, logout, the current user, WebSocket tickets.
 */
export const authRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

authRoutes.openAPIRegistry.registerComponent("securitySchemes", "BearerAuth", {
  type: "http",
  scheme: "bearer",
  bearerFormat: "JWT",
  description: "An access token from `POST /api/auth/token` or `POST /api/auth/refresh` (15 min)",
});

/** Token responses must not be cached (RFC 6749 section 5.1). */
const NO_STORE = { "Cache-Control": "no-store", Pragma: "no-cache" };

/** The one answer to a failed sign-in, whether the email is unknown or the password wrong. */
function badCredentials(): Problem {
  return new Problem(401, "invalid-credentials", "Incorrect email or password", undefined, {
    "WWW-Authenticate": 'Bearer realm="api"',
  });
}

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/register",
    tags: ["Auth"],
    summary: "Create an account",
    description:
      "Passwords: 8 to 128 characters, no composition rules; common passwords and ones containing the " +
      "email or username are refused (400). An email already registered, in any letter case, is a 409. " +
      "At most 10 registrations per client address an hour (429 with Retry-After).",
    request: { body: { content: { "application/json": { schema: RegisterRequest } }, required: true } },
    responses: { 201: json(RegisterResponse, "Registered"), ...problems(400, 409, 429) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    await countAttempt(c.env.DB, [{ policy: IP_REGISTER, id: clientAddressKey(c.req.raw) }]);
    const policyErrors = await passwordPolicyErrors(body.password, body);
    if (policyErrors.length > 0) {
      throw new Problem(400, "weak-password", "The password was refused", policyErrors);
    }
    const taken = () => new Problem(409, "email-taken", "An account with this email already exists");
    // The configured admin's address is reserved for the admin bootstrap.
    if (isConfiguredAdminEmail(c.env, body.email)) throw taken();
    const db = database(c.env);
    const user = await createUser(db, {
      email: body.email,
      username: body.username,
      passwordHash: await hashPassword(body.password),
    });
    if (!user) throw taken();
    return c.json({ message: "User registered successfully", user_id: user.id, user: toProfile(user) }, 201);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/token",
    tags: ["Auth"],
    summary: "Sign in (OAuth2 password grant)",
    description:
      "Form-encoded: `username` is the email. Returns a 15-minute access token and a refresh token. An " +
      "unknown email and a wrong password get the same 401. After 5 failures an account waits 15 s, " +
      "doubling per further failure up to 15 min; a client address may fail 30 times in 15 min " +
      "(429 with Retry-After).",
    request: {
      body: { content: { "application/x-www-form-urlencoded": { schema: TokenRequest } }, required: true },
    },
    responses: { 200: json(TokenResponse, "Signed in"), ...problems(400, 401, 429) },
  }),
  async (c) => {
    const form = c.req.valid("form");
    const email = normalizeEmail(form.username);
    const account = { policy: ACCOUNT_LOGIN, id: email };
    const address = { policy: IP_LOGIN, id: clientAddressKey(c.req.raw) };
    await countAttempt(c.env.DB, [address, account]);

    const db = database(c.env);
    await ensureConfiguredAdmin(c.env, db, email);
    const user = await findUserByEmail(db, email);
    // An unknown email is checked against a hash no password matches: the same work, the same answer.
    const check = await verifyPassword(form.password, user?.passwordHash ?? UNMATCHABLE_HASH);
    if (!user || !check.ok) throw badCredentials();

    await forgiveAttempt(c.env.DB, account, address);
    if (check.needsRehash) {
      await db
        .update(users)
        .set({ passwordHash: await hashPassword(form.password) })
        .where(eq(users.id, user.id));
    }
    const config = authConfig(c.env);
    const session = await openSession(db, user.id, config);
    const access = await signAccessToken(c.env, { sub: user.id, sid: session.sessionId, role: user.role });
    return c.json(
      {
        access_token: access.token,
        token_type: "bearer" as const,
        expires_in: access.expiresIn,
        refresh_token: session.refreshToken,
        refresh_expires_in: session.refreshExpiresIn,
        user_id: user.id,
        email: user.email,
      },
      200,
      NO_STORE,
    );
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/refresh",
    tags: ["Auth"],
    summary: "Exchange a refresh token for new tokens",
    description:
      "Every refresh token works once: the answer carries its replacement. Presenting a token that was " +
      "already exchanged ends the whole session (every token descended from that sign-in), since it " +
      "means the token was copied.",
    request: { body: { content: { "application/json": { schema: RefreshRequest } }, required: true } },
    responses: { 200: json(TokenResponse, "New tokens"), ...problems(400, 401) },
  }),
  async (c) => {
    const { refresh_token } = c.req.valid("json");
    const config = authConfig(c.env);
    const result = await rotateRefreshToken(database(c.env), refresh_token, config);
    if (result.kind !== "rotated") {
      if (result.kind === "reused") {
        console.warn(JSON.stringify({ msg: "refresh token reuse; session revoked", session: result.sessionId }));
      }
      throw new Problem(401, "invalid-refresh-token", "The refresh token is invalid, expired or revoked");
    }
    const access = await signAccessToken(c.env, { sub: result.user.id, sid: result.sessionId, role: result.user.role });
    return c.json(
      {
        access_token: access.token,
        token_type: "bearer" as const,
        expires_in: access.expiresIn,
        refresh_token: result.refreshToken,
        refresh_expires_in: result.refreshExpiresIn,
        user_id: result.user.id,
        email: result.user.email,
      },
      200,
      NO_STORE,
    );
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/logout",
    tags: ["Auth"],
    summary: "End a session",
    description:
      "Ends the session the refresh token belongs to, and with it every access token of that session. " +
      "Answers 204 whether or not the token was known (RFC 7009). A bearer access token, if sent, ends " +
      "its session too.",
    request: { body: { content: { "application/json": { schema: RefreshRequest } }, required: true } },
    responses: { 204: { description: "Signed out" }, ...problems(400) },
  }),
  async (c) => {
    const { refresh_token } = c.req.valid("json");
    const db = database(c.env);
    const sessionId = await sessionOfRefreshToken(db, refresh_token);
    if (sessionId) await revokeSession(db, sessionId, "logout");
    const bearer = bearerToken(c.req.raw);
    const claims = bearer ? await verifyAccessToken(c.env, bearer) : null;
    if (claims) await revokeSession(db, claims.sid, "logout");
    return c.body(null, 204);
  },
);

authRoutes.openapi(
  createRoute({
    method: "get",
    path: "/me",
    tags: ["Auth"],
    summary: "The signed-in user",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    responses: { 200: json(UserProfile, "The user's profile"), ...problems(401) },
  }),
  async (c) => {
    const user = await database(c.env).query.users.findFirst({ where: eq(users.id, c.var.user.id) });
    if (!user) throw new Problem(401, "unauthorized", "A valid access token is required");
    return c.json(toProfile(user), 200);
  },
);

authRoutes.openapi(
  createRoute({
    method: "post",
    path: "/ws-ticket",
    tags: ["Auth"],
    summary: "A single-use ticket for a private WebSocket",
    description:
      "Open the private stream within 30 s as `/ws/user?ticket=<ticket>`. The ticket admits one upgrade; " +
      "the access token never appears in a URL.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    responses: { 200: json(WsTicketResponse, "A ticket"), ...problems(401) },
  }),
  async (c) => {
    const { ticket, expiresIn } = await issueWsTicket(database(c.env), c.var.user, authConfig(c.env));
    return c.json({ ticket, expires_in: expiresIn }, 200, NO_STORE);
  },
);
