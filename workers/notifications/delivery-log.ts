/**
 * The delivery log (D1 `notification_deliveries`): one row per event, channel and target, the key
 * that makes delivery idempotent. A consumer claims a row (`sending`, with a lease and its own claim
 * token) before it calls a provider and records the outcome after, only while the row is still its
 * claim: `sent`, `skipped` or `failed` are final, `pending` is tried again. A row another consumer
 * holds under a live lease is left alone; a lease that ran out (its consumer died mid-batch) may be
 * taken over. Provider calls time out well inside the lease (see `channels/channel.ts`), so a live
 * consumer always records before its lease ends.
 */
import type { Channel } from "../../protocol/notifications";
import type { Outcome } from "./channels/channel";

/**
 * How long a claim holds before another consumer may take the delivery over (ms): longer than a whole
 * batch's sends can take (100 events' provider calls, 16 at a time, each cut off after 10 s).
 */
export const LEASE_MS = 10 * 60_000;
/** Ids per `IN` list (D1 bounds a statement's parameters at 100). */
const CHUNK = 50;
/** Statements per D1 batch (one round trip each). */
const BATCH = 250;

export interface PlannedDelivery {
  eventId: string;
  channel: Channel;
  target: string;
  userId: string;
  eventType: string;
  /** Set when the delivery is not to be attempted (quiet hours, no credentials, no address). */
  skip?: string;
}

export type LoggedStatus = "sending" | "pending" | "sent" | "skipped" | "failed";

export function keyOf(d: { eventId: string; channel: string; target: string }): string {
  return `${d.eventId}\u0000${d.channel}\u0000${d.target}`;
}

/** The rows already logged for these events, by key. */
export async function loggedDeliveries(
  db: D1Database,
  eventIds: string[],
): Promise<Map<string, { status: LoggedStatus; leaseUntil: number }>> {
  const out = new Map<string, { status: LoggedStatus; leaseUntil: number }>();
  const statements = chunks(eventIds).map((ids) =>
    db
      .prepare(
        `SELECT event_id, channel, target, status, lease_until FROM notification_deliveries
         WHERE event_id IN (${ids.map(() => "?").join(",")})`,
      )
      .bind(...ids),
  );
  for (const group of chunks(statements)) {
    for (const result of await db.batch<{
      event_id: string;
      channel: string;
      target: string;
      status: LoggedStatus;
      lease_until: number;
    }>(group)) {
      for (const r of result.results) {
        out.set(keyOf({ eventId: r.event_id, channel: r.channel, target: r.target }), {
          status: r.status,
          leaseUntil: r.lease_until,
        });
      }
    }
  }
  return out;
}

/**
 * Claims the deliveries to attempt and logs the ones to skip, in as few round trips as the batch
 * allows. Answers the keys this consumer now holds (a claim lost to another consumer is not among them).
 */
export async function claimDeliveries(
  db: D1Database,
  attempt: PlannedDelivery[],
  skip: PlannedDelivery[],
  now: number,
  claim: string,
): Promise<Set<string>> {
  const statements: D1PreparedStatement[] = [];
  for (const d of attempt) {
    statements.push(
      db
        .prepare(
          `INSERT INTO notification_deliveries
             (event_id, channel, target, user_id, event_type, status, attempts, lease_until, claim, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, 'sending', 1, ?6, ?8, ?7, ?7)
           ON CONFLICT(event_id, channel, target) DO UPDATE SET
             status = 'sending', attempts = attempts + 1, lease_until = ?6, claim = ?8, updated_at = ?7
           WHERE status = 'pending' OR (status = 'sending' AND lease_until < ?7)
           RETURNING event_id, channel, target`,
        )
        .bind(d.eventId, d.channel, d.target, d.userId, d.eventType, now + LEASE_MS, now, claim),
    );
  }
  for (const d of skip) {
    statements.push(
      db
        .prepare(
          `INSERT INTO notification_deliveries
             (event_id, channel, target, user_id, event_type, status, attempts, reason, created_at, updated_at)
           VALUES (?1, ?2, ?3, ?4, ?5, 'skipped', 0, ?6, ?7, ?7)
           ON CONFLICT(event_id, channel, target) DO UPDATE SET status = 'skipped', reason = ?6, updated_at = ?7
           WHERE status = 'pending'`,
        )
        .bind(d.eventId, d.channel, d.target, d.userId, d.eventType, d.skip ?? "skipped", now),
    );
  }
  const claimed = new Set<string>();
  for (const group of chunks(statements, BATCH)) {
    for (const result of await db.batch<{ event_id: string; channel: string; target: string }>(group)) {
      for (const r of result.results ?? [])
        claimed.add(keyOf({ eventId: r.event_id, channel: r.channel, target: r.target }));
    }
  }
  return claimed;
}

/**
 * Records what the providers answered for deliveries this consumer claimed (`claim`); a row another
 * consumer has taken over since is left as that consumer records it.
 */
export async function recordOutcomes(
  db: D1Database,
  outcomes: { delivery: PlannedDelivery; outcome: Outcome }[],
  now: number,
  claim: string,
): Promise<void> {
  const statements = outcomes.map(({ delivery: d, outcome }) => {
    const status = outcome.status === "retry" ? "pending" : outcome.status;
    const reason = outcome.status === "sent" ? null : outcome.reason;
    const providerId = outcome.status === "sent" ? (outcome.providerId ?? null) : null;
    return db
      .prepare(
        `UPDATE notification_deliveries SET status = ?4, reason = ?5, provider_id = ?6, lease_until = 0, updated_at = ?7
         WHERE event_id = ?1 AND channel = ?2 AND target = ?3 AND status = 'sending' AND claim = ?8`,
      )
      .bind(d.eventId, d.channel, d.target, status, reason, providerId, now, claim);
  });
  for (const group of chunks(statements, BATCH)) await db.batch(group);
}

/** Sets an event's failed deliveries back to pending, so a re-driven event is tried on them again. */
export async function reopenFailed(db: D1Database, eventId: string, now: number): Promise<void> {
  await db
    .prepare(
      "UPDATE notification_deliveries SET status = 'pending', updated_at = ? WHERE event_id = ? AND status = 'failed'",
    )
    .bind(now, eventId)
    .run();
}

function chunks<T>(items: T[], size = CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
