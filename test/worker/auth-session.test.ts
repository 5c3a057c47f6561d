import { describe, expect, it } from "vitest";
import type { TokenResponse } from "../../protocol/auth";
import {
  call,
  claimsOf,
  me,
  newAccount,
  postJson,
  randomIp,
  register,
  signIn,
  strongPassword,
  uniqueEmail,
} from "./support/auth";

describe("a session from sign-in to sign-out", () => {
  it("registers, signs in, reads /me, refreshes and signs out", async () => {
    const email = uniqueEmail("flow");
    const password = strongPassword();
    const reg = await register({ email, username: "flow", password });
    expect(reg.status).toBe(201);
    const registered = (await reg.json()) as { user_id: string; user: { email: string; role: string } };
    expect(registered.user.email).toBe(email);
    expect(registered.user.role).toBe("user");

    const res = await signIn(email, password);
    expect(res.status).toBe(200);
    expect(res.headers.get("Cache-Control")).toBe("no-store");
    const tokens = (await res.json()) as TokenResponse;
    expect(tokens.token_type).toBe("bearer");
    expect(tokens.expires_in).toBe(900);
    expect(tokens.user_id).toBe(registered.user_id);
    expect(tokens.email).toBe(email);
    expect(tokens.refresh_token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const profile = await me(tokens.access_token);
    expect(profile.status).toBe(200);
    expect(profile.body?.id).toBe(registered.user_id);
    expect(profile.body?.locale).toBe("ko");

    const refreshed = await postJson("/api/auth/refresh", { refresh_token: tokens.refresh_token });
    expect(refreshed.status).toBe(200);
    const next = (await refreshed.json()) as TokenResponse;
    expect(next.refresh_token).not.toBe(tokens.refresh_token);
    expect(claimsOf(next.access_token).sid).toBe(claimsOf(tokens.access_token).sid);
    expect((await me(next.access_token)).status).toBe(200);

    const out = await postJson("/api/auth/logout", { refresh_token: next.refresh_token });
    expect(out.status).toBe(204);
    // Signing out ends the session's access tokens too, not only its refresh token.
    expect((await me(next.access_token)).status).toBe(401);
    expect((await postJson("/api/auth/refresh", { refresh_token: next.refresh_token })).status).toBe(401);
  });

  it("signs in with the email in another letter case", async () => {
    const account = await newAccount("case");
    const res = await signIn(account.email.toUpperCase(), account.password);
    expect(res.status).toBe(200);
  });

  it("keeps other sessions alive when one signs out", async () => {
    const account = await newAccount("multi");
    const second = (await (await signIn(account.email, account.password)).json()) as TokenResponse;
    await postJson("/api/auth/logout", { refresh_token: account.tokens.refresh_token });
    expect((await me(account.tokens.access_token)).status).toBe(401);
    expect((await me(second.access_token)).status).toBe(200);
  });

  it("answers an unknown email exactly as a wrong password", async () => {
    const account = await newAccount("enum");
    const ip = randomIp();
    // The same request id for both, so the answers must match byte for byte (body and headers).
    const wrong = await signIn(account.email, `${account.password}x`, ip, "enum-probe");
    const unknown = await signIn(uniqueEmail("nobody"), account.password, ip, "enum-probe");
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(await unknown.text()).toBe(await wrong.text());
    const headers = (r: Response) => [...r.headers.entries()].filter(([k]) => k !== "date");
    expect(headers(unknown)).toEqual(headers(wrong));
  });

  it("answers 204 to a sign-out with a token it never issued", async () => {
    const res = await postJson("/api/auth/logout", { refresh_token: "A".repeat(43) });
    expect(res.status).toBe(204);
  });

  it("rejects /me without a token, with a malformed header, and with a refresh token as bearer", async () => {
    const account = await newAccount("bearer");
    expect((await call("/api/auth/me")).status).toBe(401);
    const basic = await call("/api/auth/me", { headers: { Authorization: `Basic ${btoa("a:b")}` } });
    expect(basic.status).toBe(401);
    expect(basic.headers.get("WWW-Authenticate")).toContain("Bearer");
    expect((await me(account.tokens.refresh_token)).status).toBe(401);
  });
});
