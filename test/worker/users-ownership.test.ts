import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { TokenResponse, UserProfile } from "../../protocol/auth";
import { call, me, newAccount, signIn, type TestAccount } from "./support/auth";

let alice: TestAccount;
let bob: TestAccount;
let admin: TokenResponse;

beforeAll(async () => {
  alice = await newAccount("alice");
  bob = await newAccount("bob");
  const res = await signIn(env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
  expect(res.status).toBe(200);
  admin = (await res.json()) as TokenResponse;
});

function setRole(token: string, id: string, role: string): Promise<Response> {
  return call(`/api/users/${id}/role`, {
    method: "PATCH",
    token,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ role }),
  });
}

describe("one user's data is not another's", () => {
  it("shows a user their own profile by id", async () => {
    const res = await call(`/api/users/${alice.userId}`, { token: alice.tokens.access_token });
    expect(res.status).toBe(200);
    expect(((await res.json()) as UserProfile).email).toBe(alice.email);
  });

  it("answers 404 when a user asks for another user's profile", async () => {
    // The same request id for both (it is echoed in the body), so the answers must match byte for byte.
    const headers = { "X-Request-Id": "ownership-probe" };
    const res = await call(`/api/users/${bob.userId}`, { token: alice.tokens.access_token, headers });
    expect(res.status).toBe(404);
    const missing = await call(`/api/users/${crypto.randomUUID()}`, { token: alice.tokens.access_token, headers });
    expect(await res.text()).toBe(await missing.text());
  });

  it("changes only the caller's own profile, whatever the body says", async () => {
    const before = (await me(bob.tokens.access_token)).body;
    const res = await call("/api/users/me", {
      method: "PATCH",
      token: alice.tokens.access_token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ id: bob.userId, display_name: "not bob" }),
    });
    expect(res.status).toBe(400);
    const ok = await call("/api/users/me", {
      method: "PATCH",
      token: alice.tokens.access_token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ display_name: "alice" }),
    });
    expect(((await ok.json()) as UserProfile).id).toBe(alice.userId);
    expect((await me(bob.tokens.access_token)).body).toEqual(before);
  });

  it("refuses a forged token claiming another user's id with one's own session", async () => {
    const { forgeToken, claimsOf } = await import("./support/auth");
    const token = await forgeToken(bob.userId, claimsOf(alice.tokens.access_token).sid);
    expect((await me(token)).status).toBe(401);
  });
});

describe("roles", () => {
  it("creates the first admin from configuration", async () => {
    const profile = await me(admin.access_token);
    expect(profile.body?.role).toBe("admin");
    expect(profile.body?.email).toBe(env.ADMIN_EMAIL);
  });

  it("lets an admin read any profile", async () => {
    const res = await call(`/api/users/${bob.userId}`, { token: admin.access_token });
    expect(res.status).toBe(200);
  });

  it("refuses role changes from a user with 403, and applies an admin's at once", async () => {
    expect((await setRole(alice.tokens.access_token, alice.userId, "admin")).status).toBe(403);
    expect((await me(alice.tokens.access_token)).body?.role).toBe("user");

    const promoted = await setRole(admin.access_token, alice.userId, "admin");
    expect(promoted.status).toBe(200);
    // The same access token carries the new role: roles are read from D1 per request.
    const read = await call(`/api/users/${bob.userId}`, { token: alice.tokens.access_token });
    expect(read.status).toBe(200);

    expect((await setRole(admin.access_token, alice.userId, "user")).status).toBe(200);
    expect((await call(`/api/users/${bob.userId}`, { token: alice.tokens.access_token })).status).toBe(404);
  });

  it("answers 400 for a bad id or role, 404 for an unknown user", async () => {
    expect((await setRole(admin.access_token, "not-a-uuid", "admin")).status).toBe(400);
    expect((await setRole(admin.access_token, bob.userId, "root")).status).toBe(400);
    expect((await setRole(admin.access_token, crypto.randomUUID(), "admin")).status).toBe(404);
  });
});
