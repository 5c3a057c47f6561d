/**
 * The first admin comes from configuration, not from a public route: when someone signs in with
 * `ADMIN_EMAIL` and no account has that email yet, the account is created with `ADMIN_PASSWORD`
 * (both Worker secrets) and the admin role, and the sign-in then proceeds as usual. Once the account
 * exists the secrets are not read again; change the password through the API afterwards.
 */
import type { Db } from "../db/client";
import { passwordPolicyErrors } from "./password-policy";
import { hashPassword } from "./passwords";
import { createUser, findUserByEmail, normalizeEmail } from "./users";

/** Whether this email is the configured admin's (such an address cannot be registered publicly). */
export function isConfiguredAdminEmail(env: Env, email: string): boolean {
  const admin = env.ADMIN_EMAIL?.trim();
  return !!admin && normalizeEmail(admin) === normalizeEmail(email);
}

/** Creates the configured admin if `email` is theirs and the account does not exist yet. */
export async function ensureConfiguredAdmin(env: Env, db: Db, email: string): Promise<void> {
  if (!isConfiguredAdminEmail(env, email)) return;
  if (await findUserByEmail(db, email)) return;
  const password = env.ADMIN_PASSWORD ?? "";
  const problems = await passwordPolicyErrors(password, { email, username: "admin" });
  if (password.length < 12 || problems.length > 0) {
    console.error(
      JSON.stringify({ msg: "ADMIN_PASSWORD is unset or too weak (12+ characters, not common); no admin created" }),
    );
    return;
  }
  await createUser(db, {
    email: env.ADMIN_EMAIL.trim(),
    username: "admin",
    passwordHash: await hashPassword(password),
    role: "admin",
  });
}
