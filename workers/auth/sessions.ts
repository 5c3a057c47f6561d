/**
 * Sessions and their refresh tokens in D1.
 *
 * A login opens a session and issues its first refresh token. Each refresh exchanges the token for a
 * new one (rotation); the old one is marked used. Presenting a used token again means it was copied:
 * the whole session (every token rotated from that login) is revoked, so whichever party holds the
 * newest token, attacker or user, loses it (OAuth 2.0 Security BCP, RFC 9700 section 4.14.2).
 */
import { and, eq, gt, isNull, lt, ne } from "drizzle-orm";
import type { Role } from "../../protocol/auth";
import type { Db } from "../db/client";
import { refreshTokens, sessions, users } from "../db/schema";
import type { AuthConfig } from "./auth-config";
import { hashOpaqueToken, newOpaqueToken } from "./opaque-tokens";

/** A refresh token as handed to the client, with its session. */
export interface IssuedRefresh {
  sessionId: string;
  refreshToken: string;
  refreshExpiresIn: number;
}

/** The account behind a live session: what `c.var.user` holds. */
export interface SessionUser {
  id: string;
  email: string;
  role: Role;
  sessionId: string;
}

/** Why a session ended. */
export type RevokeReason = "logout" | "reuse" | "password_change" | "role_change";

async function issueRefreshToken(
  sessionId: string,
  sessionExpiresAt: number,
  config: AuthConfig,
  now: number,
): Promise<{ token: string; row: typeof refreshTokens.$inferInsert; expiresIn: number }> {
  const token = newOpaqueToken();
  const expiresAt = Math.min(now + config.refreshTtlSeconds * 1000, sessionExpiresAt);
  return {
    token,
    row: { tokenHash: await hashOpaqueToken(token), sessionId, createdAt: now, expiresAt },
    expiresIn: Math.max(1, Math.floor((expiresAt - now) / 1000)),
  };
}

/** Opens a session for a user who just proved who they are, and issues its first refresh token. */
export async function openSession(
  db: Db,
  userId: string,
  config: AuthConfig,
  now = Date.now(),
): Promise<IssuedRefresh> {
  const sessionId = crypto.randomUUID();
  const expiresAt = now + config.sessionMaxAgeSeconds * 1000;
  const refresh = await issueRefreshToken(sessionId, expiresAt, config, now);
  await db.batch([
    // Sessions past their absolute end are dead weight (their tokens go with them: ON DELETE CASCADE).
    db.delete(sessions).where(and(eq(sessions.userId, userId), lt(sessions.expiresAt, now))),
    db.insert(sessions).values({ id: sessionId, userId, createdAt: now, lastUsedAt: now, expiresAt }),
    db.insert(refreshTokens).values(refresh.row),
  ]);
  return { sessionId, refreshToken: refresh.token, refreshExpiresIn: refresh.expiresIn };
}

/** The outcome of presenting a refresh token. */
export type RotateResult =
  | ({ kind: "rotated"; user: SessionUser } & IssuedRefresh)
  | { kind: "invalid" }
  | { kind: "reused"; sessionId: string };

/**
 * Exchanges a refresh token for a new one. The old token is claimed with one conditional UPDATE, so
 * of two concurrent requests with the same token exactly one wins; the loser is treated as reuse.
 */
export async function rotateRefreshToken(
  db: Db,
  token: string,
  config: AuthConfig,
  now = Date.now(),
): Promise<RotateResult> {
  const tokenHash = await hashOpaqueToken(token);
  const claimed = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(and(eq(refreshTokens.tokenHash, tokenHash), isNull(refreshTokens.usedAt), gt(refreshTokens.expiresAt, now)))
    .returning({ sessionId: refreshTokens.sessionId });
  if (claimed.length === 0) {
    const known = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, tokenHash) });
    if (known?.usedAt != null) {
      await revokeSession(db, known.sessionId, "reuse", now);
      return { kind: "reused", sessionId: known.sessionId };
    }
    return { kind: "invalid" };
  }
  const sessionId = claimed[0].sessionId;
  const user = await liveSessionUser(db, sessionId, now);
  if (!user) return { kind: "invalid" };
  const session = await db.query.sessions.findFirst({ where: eq(sessions.id, sessionId) });
  if (!session) return { kind: "invalid" };
  const refresh = await issueRefreshToken(sessionId, session.expiresAt, config, now);
  await db.batch([
    db.insert(refreshTokens).values(refresh.row),
    db.update(sessions).set({ lastUsedAt: now }).where(eq(sessions.id, sessionId)),
  ]);
  return { kind: "rotated", user, sessionId, refreshToken: refresh.token, refreshExpiresIn: refresh.expiresIn };
}

/**
 * The user behind a session that is neither revoked nor past its end, or undefined. Checked on every
 * authenticated request, so logout, reuse detection and password changes end access tokens at once,
 * and a role change applies to the next request.
 */
export async function liveSessionUser(db: Db, sessionId: string, now = Date.now()): Promise<SessionUser | undefined> {
  const rows = await db
    .select({ id: users.id, email: users.email, role: users.role, sessionId: sessions.id })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .limit(1);
  return rows[0];
}

/** Ends one session (idempotent: the first reason recorded stays). */
export async function revokeSession(db: Db, sessionId: string, reason: RevokeReason, now = Date.now()): Promise<void> {
  await db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)));
}

/** The statement that ends every session of a user except `keep` (for use inside a batch). */
export function revokeOtherSessionsStatement(
  db: Db,
  userId: string,
  keep: string,
  reason: RevokeReason,
  now = Date.now(),
) {
  return db
    .update(sessions)
    .set({ revokedAt: now, revokedReason: reason })
    .where(and(eq(sessions.userId, userId), ne(sessions.id, keep), isNull(sessions.revokedAt)));
}

/** The session a refresh token belongs to, used or not (logout accepts either). */
export async function sessionOfRefreshToken(db: Db, token: string): Promise<string | undefined> {
  const row = await db.query.refreshTokens.findFirst({
    where: eq(refreshTokens.tokenHash, await hashOpaqueToken(token)),
  });
  return row?.sessionId;
}
