import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";

describe("the D1 migrations the tests apply (the same files wrangler applies)", () => {
  it("create the user and auth tables", async () => {
    const { results } = await env.DB.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").all<{
      name: string;
    }>();
    const tables = results.map((r) => r.name);
    for (const t of ["users", "sessions", "refresh_tokens", "ws_tickets", "auth_throttle"]) expect(tables).toContain(t);
  });

  it("make emails unique in their normalised form and enforce the role and locale sets", async () => {
    const insert = (id: string, normalized: string, role = "user", locale = "ko") =>
      env.DB.prepare(
        `INSERT INTO users (id, email, email_normalized, username, password_hash, role, locale, created_at, updated_at, password_changed_at)
         VALUES (?1, ?2, ?2, 'u', 'x', ?3, ?4, 0, 0, 0)`,
      )
        .bind(id, normalized, role, locale)
        .run();
    const email = `schema-${crypto.randomUUID()}@example.com`;
    await insert(crypto.randomUUID(), email);
    await expect(insert(crypto.randomUUID(), email)).rejects.toThrow(/UNIQUE/);
    await expect(insert(crypto.randomUUID(), `r-${email}`, "root")).rejects.toThrow(/CHECK/);
    await expect(insert(crypto.randomUUID(), `l-${email}`, "user", "ja")).rejects.toThrow(/CHECK/);
  });

  it("delete a user's sessions and tokens with the user", async () => {
    const id = crypto.randomUUID();
    await env.DB.batch([
      env.DB.prepare(
        `INSERT INTO users (id, email, email_normalized, username, password_hash, created_at, updated_at, password_changed_at)
         VALUES (?1, ?2, ?2, 'u', 'x', 0, 0, 0)`,
      ).bind(id, `cascade-${id}@example.com`),
      env.DB.prepare(
        "INSERT INTO sessions (id, user_id, created_at, last_used_at, expires_at) VALUES (?1, ?2, 0, 0, 1)",
      ).bind(`s-${id}`, id),
      env.DB.prepare(
        "INSERT INTO refresh_tokens (token_hash, session_id, created_at, expires_at) VALUES (?1, ?2, 0, 1)",
      ).bind(`h-${id}`, `s-${id}`),
    ]);
    await env.DB.prepare("DELETE FROM users WHERE id = ?1").bind(id).run();
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM refresh_tokens WHERE session_id = ?1")
      .bind(`s-${id}`)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });
});
