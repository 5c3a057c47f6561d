import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TokenResponse } from "../../protocol/auth";
import { hashOpaqueToken } from "../../workers/auth/opaque-tokens";
import type { ProblemBody } from "../../workers/http/problem";
import { claimsOf, me, newAccount, postJson, signIn } from "./support/auth";

async function refresh(token: string): Promise<Response> {
  return postJson("/api/auth/refresh", { refresh_token: token });
}

async function sessionRow(sid: string) {
  return env.DB.prepare("SELECT revoked_at, revoked_reason FROM sessions WHERE id = ?1")
    .bind(sid)
    .first<{ revoked_at: number | null; revoked_reason: string | null }>();
}

describe("refresh-token rotation", () => {
  it("revokes the whole family when a rotated token is presented again", async () => {
    const account = await newAccount("reuse");
    const first = account.tokens;
    const second = (await (await refresh(first.refresh_token)).json()) as TokenResponse;
    const third = (await (await refresh(second.refresh_token)).json()) as TokenResponse;
    expect((await me(third.access_token)).status).toBe(200);

    // The stolen copy of the first token comes back.
    const replay = await refresh(first.refresh_token);
    expect(replay.status).toBe(401);
    expect(((await replay.json()) as ProblemBody).type).toBe("/problems/invalid-refresh-token");

    // Every token of that sign-in is now dead: the newest refresh token and every access token.
    expect((await refresh(third.refresh_token)).status).toBe(401);
    expect((await me(third.access_token)).status).toBe(401);
    expect((await me(first.access_token)).status).toBe(401);
    expect((await sessionRow(claimsOf(first.access_token).sid))?.revoked_reason).toBe("reuse");
  });

  it("leaves the user's other sessions alone", async () => {
    const account = await newAccount("reuse-other");
    const other = (await (await signIn(account.email, account.password)).json()) as TokenResponse;
    await refresh(account.tokens.refresh_token);
    await refresh(account.tokens.refresh_token);
    expect((await me(other.access_token)).status).toBe(200);
    expect((await refresh(other.refresh_token)).status).toBe(200);
  });

  it("lets exactly one of two concurrent refreshes with one token win, and treats the other as reuse", async () => {
    const account = await newAccount("race");
    const [a, b] = await Promise.all([refresh(account.tokens.refresh_token), refresh(account.tokens.refresh_token)]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    expect((await sessionRow(claimsOf(account.tokens.access_token).sid))?.revoked_reason).toBe("reuse");
  });

  it("refuses an expired refresh token without revoking the session", async () => {
    const account = await newAccount("expired");
    const hash = await hashOpaqueToken(account.tokens.refresh_token);
    await env.DB.prepare("UPDATE refresh_tokens SET expires_at = ?1 WHERE token_hash = ?2")
      .bind(Date.now() - 1000, hash)
      .run();
    expect((await refresh(account.tokens.refresh_token)).status).toBe(401);
    expect((await sessionRow(claimsOf(account.tokens.access_token).sid))?.revoked_at).toBeNull();
  });

  it("stores refresh tokens only as hashes", async () => {
    const account = await newAccount("hashed");
    const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM refresh_tokens WHERE token_hash = ?1")
      .bind(account.tokens.refresh_token)
      .first<{ n: number }>();
    expect(row?.n).toBe(0);
    const hashed = await env.DB.prepare("SELECT COUNT(*) AS n FROM refresh_tokens WHERE token_hash = ?1")
      .bind(await hashOpaqueToken(account.tokens.refresh_token))
      .first<{ n: number }>();
    expect(hashed?.n).toBe(1);
  });

  it("answers a malformed refresh request with 400 naming refresh_token", async () => {
    for (const body of [{}, { refresh_token: "short" }, { refresh_token: 42 }]) {
      const res = await postJson("/api/auth/refresh", body);
      expect(res.status).toBe(400);
      expect(((await res.json()) as ProblemBody).errors?.map((e) => e.path)).toContain("refresh_token");
    }
  });
});
