import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TokenResponse, UserProfile } from "../../protocol/auth";
import type { ProblemBody } from "../../workers/http/problem";
import { call, me, newAccount, postJson, signIn, strongPassword } from "./support/auth";

function patchMe(token: string, body: unknown): Promise<Response> {
  return call("/api/users/me", {
    method: "PATCH",
    token,
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
}

describe("profile", () => {
  it("changes the caller's profile fields and clears optional ones with null", async () => {
    const account = await newAccount("profile");
    const token = account.tokens.access_token;
    const res = await patchMe(token, {
      display_name: "김치 트레이더",
      locale: "en",
      timezone: "America/New_York",
      phone: "+821012345678",
      username: "kimchi_trader",
    });
    expect(res.status).toBe(200);
    const updated = (await res.json()) as UserProfile;
    expect(updated).toMatchObject({
      display_name: "김치 트레이더",
      locale: "en",
      timezone: "America/New_York",
      phone: "+821012345678",
      username: "kimchi_trader",
      email: account.email,
    });
    expect((await me(token)).body).toMatchObject({ locale: "en", phone: "+821012345678" });

    const cleared = (await (await patchMe(token, { phone: null, display_name: null })).json()) as UserProfile;
    expect(cleared.phone).toBeNull();
    expect(cleared.display_name).toBeNull();
    expect(cleared.locale).toBe("en");
  });

  it.each([
    [{ locale: "ja" }, "locale"],
    [{ timezone: "Mars/Olympus_Mons" }, "timezone"],
    [{ phone: "010-1234-5678" }, "phone"],
    [{ role: "admin" }, "(body)"],
    [{ email: "other@example.com" }, "(body)"],
    [{ password_hash: "$argon2id$..." }, "(body)"],
    [{}, "(body)"],
  ])("refuses %j with 400 naming %s, changing nothing", async (body, path) => {
    const account = await newAccount("bad-profile");
    const before = (await me(account.tokens.access_token)).body;
    const res = await patchMe(account.tokens.access_token, body);
    expect(res.status).toBe(400);
    expect(((await res.json()) as ProblemBody).errors?.map((e) => e.path)).toContain(path);
    expect((await me(account.tokens.access_token)).body).toEqual(before);
  });

  it("requires a token", async () => {
    const res = await call("/api/users/me", {
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ locale: "en" }),
    });
    expect(res.status).toBe(401);
  });
});

describe("password change", () => {
  it("needs the current password, ends every other session, keeps this one", async () => {
    const account = await newAccount("pwchange");
    const other = (await (await signIn(account.email, account.password)).json()) as TokenResponse;
    const newPassword = strongPassword();

    const wrong = await postJson(
      "/api/users/me/password",
      { current_password: "not my password", new_password: newPassword },
      { token: account.tokens.access_token },
    );
    expect(wrong.status).toBe(400);
    expect(((await wrong.json()) as ProblemBody).errors?.[0].path).toBe("current_password");

    const ok = await postJson(
      "/api/users/me/password",
      { current_password: account.password, new_password: newPassword },
      { token: account.tokens.access_token },
    );
    expect(ok.status).toBe(204);

    expect((await me(account.tokens.access_token)).status).toBe(200);
    expect((await me(other.access_token)).status).toBe(401);
    expect((await postJson("/api/auth/refresh", { refresh_token: other.refresh_token })).status).toBe(401);
    expect((await signIn(account.email, account.password)).status).toBe(401);
    expect((await signIn(account.email, newPassword)).status).toBe(200);
  });

  it("applies the password policy to the new password", async () => {
    const account = await newAccount("pwpolicy");
    const res = await postJson(
      "/api/users/me/password",
      { current_password: account.password, new_password: "password1" },
      { token: account.tokens.access_token },
    );
    expect(res.status).toBe(400);
    expect(((await res.json()) as ProblemBody).errors?.[0].path).toBe("new_password");
    const stored = await env.DB.prepare("SELECT password_changed_at, created_at FROM users WHERE id = ?1")
      .bind(account.userId)
      .first<{ password_changed_at: number; created_at: number }>();
    expect(stored?.password_changed_at).toBe(stored?.created_at);
  });
});
