import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { PasswordChange, ProfileUpdate, RoleChange, UserProfile } from "../../protocol/auth";
import { passwordPolicyErrors } from "../auth/password-policy";
import { hashPassword, verifyPassword } from "../auth/passwords";
import { revokeOtherSessionsStatement } from "../auth/sessions";
import { ACCOUNT_LOGIN, countAttempt, forgiveAttempt, IP_LOGIN } from "../auth/throttle";
import { findUserById, normalizeEmail, toProfile, updateProfile } from "../auth/users";
import { database } from "../db/client";
import { users } from "../db/schema";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { clientAddressKey } from "../http/client-ip";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { assertOwnerOrAdmin, requireAuth, requireRole } from "../middleware/auth";

/** Profiles (seed: user-service profile management). Every route acts on the caller's own account unless admin. */
export const usersRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });

const IdParam = z.object({
  id: z
    .uuid("a user id")
    .openapi({ param: { name: "id", in: "path" }, example: "7d9f3c1e-7a1b-4c55-9a36-2f1c0e4b8a10" }),
});

usersRoutes.openapi(
  createRoute({
    method: "get",
    path: "/me",
    tags: ["Users"],
    summary: "Your profile (the same as GET /api/auth/me)",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    responses: { 200: json(UserProfile, "Your profile"), ...problems(401) },
  }),
  async (c) => {
    const row = await findUserById(database(c.env), c.var.user.id);
    if (!row) throw new Problem(401, "unauthorized", "A valid access token is required");
    return c.json(toProfile(row), 200);
  },
);

usersRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/me",
    tags: ["Users"],
    summary: "Change your profile",
    description:
      "Any subset of `username`, `display_name`, `locale` (`ko`/`en`), `timezone` (IANA), `phone` (E.164); " +
      "`null` clears `display_name` or `phone`. Other fields (email, role, password) are refused with 400.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    request: { body: { content: { "application/json": { schema: ProfileUpdate } }, required: true } },
    responses: { 200: json(UserProfile, "The updated profile"), ...problems(400, 401) },
  }),
  async (c) => {
    const row = await updateProfile(database(c.env), c.var.user.id, c.req.valid("json"));
    if (!row) throw new Problem(401, "unauthorized", "A valid access token is required");
    return c.json(toProfile(row), 200);
  },
);

usersRoutes.openapi(
  createRoute({
    method: "post",
    path: "/me/password",
    tags: ["Users"],
    summary: "Change your password",
    description:
      "Needs the current password (throttled like sign-in). Ends every other session of the account; " +
      "the session making the change stays signed in.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    request: { body: { content: { "application/json": { schema: PasswordChange } }, required: true } },
    responses: { 204: { description: "Changed" }, ...problems(400, 401, 429) },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const me = c.var.user;
    const db = database(c.env);
    const row = await findUserById(db, me.id);
    if (!row) throw new Problem(401, "unauthorized", "A valid access token is required");

    const account = { policy: ACCOUNT_LOGIN, id: normalizeEmail(row.email) };
    const address = { policy: IP_LOGIN, id: clientAddressKey(c.req.raw) };
    await countAttempt(c.env.DB, [address, account]);
    const check = await verifyPassword(body.current_password, row.passwordHash);
    if (!check.ok) {
      throw new Problem(400, "wrong-password", "The current password is not correct", [
        { path: "current_password", message: "not the current password" },
      ]);
    }
    await forgiveAttempt(c.env.DB, account, address);

    const policyErrors = await passwordPolicyErrors(body.new_password, row, "new_password");
    if (policyErrors.length > 0) throw new Problem(400, "weak-password", "The new password was refused", policyErrors);

    const now = Date.now();
    await db.batch([
      db
        .update(users)
        .set({ passwordHash: await hashPassword(body.new_password), passwordChangedAt: now, updatedAt: now })
        .where(eq(users.id, me.id)),
      revokeOtherSessionsStatement(db, me.id, me.sessionId, "password_change", now),
    ]);
    return c.body(null, 204);
  },
);

usersRoutes.openapi(
  createRoute({
    method: "get",
    path: "/{id}",
    tags: ["Users"],
    summary: "A user's profile (your own, or any for an admin)",
    description: "Another user's id answers 404, as if it did not exist.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth()] as const,
    request: { params: IdParam },
    responses: { 200: json(UserProfile, "The profile"), ...problems(400, 401, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    assertOwnerOrAdmin(c.var.user, id, "user");
    const row = await findUserById(database(c.env), id);
    if (!row) throw new Problem(404, "not-found", "No such user");
    return c.json(toProfile(row), 200);
  },
);

usersRoutes.openapi(
  createRoute({
    method: "patch",
    path: "/{id}/role",
    tags: ["Users"],
    summary: "Grant or withdraw the admin role (admin)",
    description: "Takes effect on the user's next request: roles are read from the database, not the token.",
    security: [{ BearerAuth: [] }],
    middleware: [requireAuth(), requireRole("admin")] as const,
    request: {
      params: IdParam,
      body: { content: { "application/json": { schema: RoleChange } }, required: true },
    },
    responses: { 200: json(UserProfile, "The updated profile"), ...problems(400, 401, 403, 404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { role } = c.req.valid("json");
    const rows = await database(c.env)
      .update(users)
      .set({ role, updatedAt: Date.now() })
      .where(eq(users.id, id))
      .returning();
    if (!rows[0]) throw new Problem(404, "not-found", "No such user");
    return c.json(toProfile(rows[0]), 200);
  },
);
