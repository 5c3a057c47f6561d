/**
 * Login and registration throttling, kept in D1 (one primary, so every isolate and location sees the
 * same counters).
 *
 * Each attempt is counted *before* the password is checked, by one atomic upsert that also tells the
 * caller whether its own attempt was let through. So a burst of parallel guesses cannot slip past the
 * limit while the first ones are still hashing. A successful login takes its attempt back.
 */
import { Problem } from "../http/problem";

/** How a key is limited. */
export interface ThrottlePolicy {
  /** Key prefix: `acct`, `ip`, `reg`. */
  scope: string;
  /** Attempts allowed before a lock. */
  free: number;
  /** The counter restarts this long after its first attempt. */
  windowMs: number;
  /**
   * `backoff`: from the `free`-th counted attempt, each locks the key for base × 2^(n − free), up to
   * max. `window`: the `free`-th attempt locks the key until the window ends.
   */
  lock: { kind: "backoff"; baseMs: number; maxMs: number } | { kind: "window" };
}

/** Per account (keyed by normalised email, known or not): 5 failures, then 15 s, 30 s, ... up to 15 min. */
export const ACCOUNT_LOGIN: ThrottlePolicy = {
  scope: "acct",
  free: 5,
  windowMs: 24 * 3_600_000,
  lock: { kind: "backoff", baseMs: 15_000, maxMs: 15 * 60_000 },
};

/**
 * Per client address: 30 failed logins in 15 min. Generous, since carrier-grade NAT (common on Korean
 * mobile networks) puts many users behind one address; the per-account limit is the tight one.
 */
export const IP_LOGIN: ThrottlePolicy = { scope: "ip", free: 30, windowMs: 15 * 60_000, lock: { kind: "window" } };

/** Per client address: 10 registrations an hour, successful or not. */
export const IP_REGISTER: ThrottlePolicy = { scope: "reg", free: 10, windowMs: 3_600_000, lock: { kind: "window" } };

/** One key under one policy. */
export interface ThrottleKey {
  policy: ThrottlePolicy;
  id: string;
}

function storageKey(k: ThrottleKey): string {
  return `${k.policy.scope}:${k.id}`;
}

// The new count: the old one plus this attempt, or 1 when the window has passed. In an upsert's SET,
// column names are the row's values before the update.
const NEW_COUNT = "CASE WHEN window_start <= ?2 - ?3 THEN 1 ELSE failures + 1 END";
const NEW_START = "CASE WHEN window_start <= ?2 - ?3 THEN ?2 ELSE window_start END";

function lockExpression(policy: ThrottlePolicy, count: string, start: string): string {
  if (policy.lock.kind === "window") return `CASE WHEN ${count} >= ?4 THEN ${start} + ?3 ELSE 0 END`;
  return `CASE WHEN ${count} >= ?4 THEN ?2 + MIN(?6 * (1 << MIN(${count} - ?4, 20)), ?7) ELSE 0 END`;
}

function upsertSql(policy: ThrottlePolicy): string {
  return `INSERT INTO auth_throttle (key, failures, window_start, locked_until, last_attempt)
VALUES (?1, 1, ?2, ${lockExpression(policy, "1", "?2")}, ?5)
ON CONFLICT (key) DO UPDATE SET
  failures = CASE WHEN locked_until > ?2 THEN failures ELSE ${NEW_COUNT} END,
  window_start = CASE WHEN locked_until > ?2 THEN window_start ELSE ${NEW_START} END,
  last_attempt = CASE WHEN locked_until > ?2 THEN last_attempt ELSE ?5 END,
  locked_until = CASE WHEN locked_until > ?2 THEN locked_until ELSE ${lockExpression(policy, NEW_COUNT, NEW_START)} END
RETURNING locked_until, last_attempt`;
}

/**
 * Counts an attempt against every key, in one transaction. Throws a 429 problem with `Retry-After`
 * when any key is locked; the attempt then changed nothing on the locked keys.
 */
export async function countAttempt(d1: D1Database, keys: ThrottleKey[], now = Date.now()): Promise<void> {
  const attempt = crypto.randomUUID();
  // Parameters: ?1 key, ?2 now, ?3 window, ?4 free, ?5 attempt id, and for backoff ?6 base, ?7 max.
  const statements = keys.map((k) => {
    const { policy } = k;
    const params = [storageKey(k), now, policy.windowMs, policy.free, attempt];
    if (policy.lock.kind === "backoff") params.push(policy.lock.baseMs, policy.lock.maxMs);
    return d1.prepare(upsertSql(policy)).bind(...params);
  });
  const results = await d1.batch<{ locked_until: number; last_attempt: string }>(statements);
  let retryAt = 0;
  for (const result of results) {
    const row = result.results[0];
    if (row && row.last_attempt !== attempt) retryAt = Math.max(retryAt, row.locked_until);
  }
  if (retryAt > now) {
    const retryAfter = Math.max(1, Math.ceil((retryAt - now) / 1000));
    throw new Problem(429, "throttled", `Too many attempts; try again in ${retryAfter} s`, undefined, {
      "Retry-After": String(retryAfter),
    });
  }
  // Rows whose window and lock both ended a day ago tell nothing any more; trim them now and then.
  if (Math.random() < 0.01) {
    await d1
      .prepare("DELETE FROM auth_throttle WHERE window_start < ?1 AND locked_until < ?1")
      .bind(now - 86_400_000)
      .run();
  }
}

/**
 * Takes back a counted attempt that turned out legitimate: the account's counter restarts; an
 * address's counter drops by one, so only failures from it add up.
 */
export async function forgiveAttempt(d1: D1Database, account: ThrottleKey, ip: ThrottleKey): Promise<void> {
  await d1.batch([
    d1.prepare("DELETE FROM auth_throttle WHERE key = ?1").bind(storageKey(account)),
    d1
      .prepare("UPDATE auth_throttle SET failures = MAX(failures - 1, 0) WHERE key = ?1 AND locked_until = 0")
      .bind(storageKey(ip)),
  ]);
}
