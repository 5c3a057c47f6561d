import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { RegisterResponse, TokenResponse } from "../../protocol/auth";
import { call, postJson, register, signIn, strongPassword, uniqueEmail } from "./support/auth";

describe("the password hash never leaves the server", () => {
  it("appears in no response of any user or auth route, nor in the API description", async () => {
    const email = uniqueEmail("leak");
    const password = strongPassword();
    const bodies: string[] = [];
    const keep = async (res: Response) => {
      bodies.push(await res.clone().text());
      return res;
    };

    const reg = await keep(await register({ email, username: "leak", password }));
    const { user_id } = (await reg.clone().json()) as RegisterResponse;
    await keep(await register({ email, username: "leak", password }));
    const tokens = (await (await keep(await signIn(email, password))).json()) as TokenResponse;
    await keep(await signIn(email, "wrong password here"));
    const token = tokens.access_token;
    await keep(await call("/api/auth/me", { token }));
    await keep(await call("/api/users/me", { token }));
    await keep(await call(`/api/users/${user_id}`, { token }));
    await keep(
      await call("/api/users/me", {
        method: "PATCH",
        token,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ display_name: "leak test" }),
      }),
    );
    await keep(
      await call("/api/users/me", {
        method: "PATCH",
        token,
        body: "{}",
        headers: { "Content-Type": "application/json" },
      }),
    );
    await keep(await call("/api/auth/ws-ticket", { method: "POST", token }));
    const refreshed = (await (
      await keep(await postJson("/api/auth/refresh", { refresh_token: tokens.refresh_token }))
    ).json()) as TokenResponse;
    await keep(await postJson("/api/auth/logout", { refresh_token: refreshed.refresh_token }));
    const doc = await keep(await call("/openapi.json"));
    expect(doc.status).toBe(200);
    expect(await doc.clone().text()).toContain("/api/auth/token");

    const row = await env.DB.prepare("SELECT password_hash FROM users WHERE id = ?1")
      .bind(user_id)
      .first<{ password_hash: string }>();
    const stored = row?.password_hash ?? "";
    expect(stored).toMatch(/^\$argon2id\$/);
    const [, , , , salt, hash] = stored.split("$");
    for (const body of bodies) {
      expect(body).not.toContain(hash);
      expect(body).not.toContain(salt);
      expect(body).not.toContain("$argon2");
      expect(body).not.toMatch(/password_?hash/i);
      expect(body).not.toContain(password);
    }
    expect(bodies).toHaveLength(13);
  });
});
