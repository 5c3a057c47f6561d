/**
 * Accounts in D1: lookups by normalised email, creation, profile changes, and the one shape in which a
 * user leaves the server (`toProfile`, which has no password hash).
 */
import { eq } from "drizzle-orm";
import type { ProfileUpdate, Role, UserProfile } from "../../protocol/auth";
import type { Db } from "../db/client";
import { type UserRow, users } from "../db/schema";

/** The form in which emails are unique and looked up: trimmed, NFC, lower case. */
export function normalizeEmail(email: string): string {
  return email.trim().normalize("NFC").toLowerCase();
}

/** The account with this email (any case), if any. */
export async function findUserByEmail(db: Db, email: string): Promise<UserRow | undefined> {
  return db.query.users.findFirst({ where: eq(users.emailNormalized, normalizeEmail(email)) });
}

/** The account with this id, if any. */
export async function findUserById(db: Db, id: string): Promise<UserRow | undefined> {
  return db.query.users.findFirst({ where: eq(users.id, id) });
}

/** A new account's fields. */
export interface NewUser {
  email: string;
  username: string;
  passwordHash: string;
  role?: Role;
}

/**
 * Inserts an account. Returns null when the email is taken (in any case): the unique index decides,
 * so two concurrent registrations of one address cannot both succeed.
 */
export async function createUser(db: Db, input: NewUser, now = Date.now()): Promise<UserRow | null> {
  const rows = await db
    .insert(users)
    .values({
      id: crypto.randomUUID(),
      email: input.email.trim(),
      emailNormalized: normalizeEmail(input.email),
      username: input.username,
      passwordHash: input.passwordHash,
      role: input.role ?? "user",
      createdAt: now,
      updatedAt: now,
      passwordChangedAt: now,
    })
    .onConflictDoNothing({ target: users.emailNormalized })
    .returning();
  return rows[0] ?? null;
}

/** Applies a profile change to one account; returns the updated row. */
export async function updateProfile(
  db: Db,
  id: string,
  change: ProfileUpdate,
  now = Date.now(),
): Promise<UserRow | undefined> {
  const rows = await db
    .update(users)
    .set({
      ...(change.username !== undefined ? { username: change.username } : {}),
      ...(change.display_name !== undefined ? { displayName: change.display_name } : {}),
      ...(change.locale !== undefined ? { locale: change.locale } : {}),
      ...(change.timezone !== undefined ? { timezone: change.timezone } : {}),
      ...(change.phone !== undefined ? { phone: change.phone } : {}),
      updatedAt: now,
    })
    .where(eq(users.id, id))
    .returning();
  return rows[0];
}

/** The user as the API shows it: every profile field, never the password hash. */
export function toProfile(row: UserRow): UserProfile {
  return {
    id: row.id,
    email: row.email,
    username: row.username,
    role: row.role,
    display_name: row.displayName,
    locale: row.locale,
    timezone: row.timezone,
    phone: row.phone,
    created_at: new Date(row.createdAt).toISOString(),
    updated_at: new Date(row.updatedAt).toISOString(),
  };
}
