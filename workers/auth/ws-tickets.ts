/**
 * WebSocket tickets. Browsers cannot set headers on a WebSocket, and an access token in a URL ends up
 * in logs and history; so an authenticated request asks for a ticket (30 s, single use, stored hashed),
 * and the upgrade presents the ticket instead. Redeeming is one conditional UPDATE: a ticket admits
 * exactly one upgrade even when raced.
 */
import { and, eq, gt, isNull, lt } from "drizzle-orm";
import type { Db } from "../db/client";
import { wsTickets } from "../db/schema";
import type { AuthConfig } from "./auth-config";
import { hashOpaqueToken, newOpaqueToken } from "./opaque-tokens";
import { liveSessionUser, type SessionUser } from "./sessions";

/** Issues a ticket for this user's session. */
export async function issueWsTicket(
  db: Db,
  user: SessionUser,
  config: AuthConfig,
  now = Date.now(),
): Promise<{ ticket: string; expiresIn: number }> {
  const ticket = newOpaqueToken();
  await db.batch([
    db.delete(wsTickets).where(lt(wsTickets.expiresAt, now - 60_000)),
    db.insert(wsTickets).values({
      ticketHash: await hashOpaqueToken(ticket),
      userId: user.id,
      sessionId: user.sessionId,
      expiresAt: now + config.wsTicketTtlSeconds * 1000,
    }),
  ]);
  return { ticket, expiresIn: config.wsTicketTtlSeconds };
}

/** Redeems a ticket: the user it was issued to, if it is unused, unexpired and its session still live. */
export async function redeemWsTicket(db: Db, ticket: string, now = Date.now()): Promise<SessionUser | undefined> {
  if (!/^[A-Za-z0-9_-]{43}$/.test(ticket)) return undefined;
  const claimed = await db
    .update(wsTickets)
    .set({ usedAt: now })
    .where(
      and(
        eq(wsTickets.ticketHash, await hashOpaqueToken(ticket)),
        isNull(wsTickets.usedAt),
        gt(wsTickets.expiresAt, now),
      ),
    )
    .returning({ sessionId: wsTickets.sessionId });
  if (claimed.length === 0) return undefined;
  return liveSessionUser(db, claimed[0].sessionId, now);
}
