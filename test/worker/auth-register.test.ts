import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ProblemBody } from "../../workers/http/problem";
import { call, register, strongPassword, uniqueEmail } from "./support/auth";

async function problem(res: Response): Promise<ProblemBody> {
  expect(res.headers.get("Content-Type")).toContain("application/problem+json");
  return (await res.json()) as ProblemBody;
}

async function userCount(): Promise<number> {
  const row = await env.DB.prepare("SELECT COUNT(*) AS n FROM users").first<{ n: number }>();
  return row?.n ?? 0;
}

describe("registration", () => {
  it("refuses the same email in another letter case with 409", async () => {
    const email = uniqueEmail("dup");
    expect((await register({ email, username: "first", password: strongPassword() })).status).toBe(201);
    const again = await register({ email: email.toUpperCase(), username: "second", password: strongPassword() });
    expect(again.status).toBe(409);
    expect((await problem(again)).type).toBe("/problems/email-taken");
  });

  it("refuses concurrent registrations of one address but one", async () => {
    const email = uniqueEmail("race");
    const results = await Promise.all([
      register({ email, username: "racer1", password: strongPassword() }),
      register({ email: email.toUpperCase(), username: "racer2", password: strongPassword() }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([201, 409]);
  });

  it.each([
    [{ username: "x1", password: "a long enough one" }, ["email"]],
    [{ email: "not-an-email", username: "x1", password: "a long enough one" }, ["email"]],
    [{ email: "ok@example.com", username: "x", password: "a long enough one" }, ["username"]],
    [{ email: "ok@example.com", username: "has space", password: "a long enough one" }, ["username"]],
    [{ email: "ok@example.com", username: "x1", password: "short" }, ["password"]],
    [{ email: "ok@example.com", username: "x1", password: "p".repeat(129) }, ["password"]],
    [{ email: "ok@example.com", username: "x1", password: 12345678 }, ["password"]],
    [{ email: "ok@example.com", username: "x1", password: "a long enough one", role: "admin" }, ["(body)"]],
    [{}, ["email", "username", "password"]],
  ])("answers %j with 400 naming %j, and stores nothing", async (body, paths) => {
    const before = await userCount();
    const res = await register(body);
    expect(res.status).toBe(400);
    const p = await problem(res);
    for (const path of paths) expect(p.errors?.map((e) => e.path)).toContain(path);
    expect(await userCount()).toBe(before);
  });

  it("counts length in characters, so 8 Korean syllables are enough", async () => {
    const res = await register({ email: uniqueEmail("ko"), username: "김치", password: "김치프리미엄확인" });
    expect(res.status).toBe(201);
  });

  it("accepts 128 characters, including spaces and any symbols", async () => {
    const password = `${"correct horse battery staple ".repeat(4)}!@#$%^&*()_+ 가나다라마바사`.slice(0, 128);
    const res = await register({ email: uniqueEmail("long"), username: "long", password });
    expect(res.status).toBe(201);
  });

  it("refuses common passwords and ones made of the email or username", async () => {
    for (const password of ["password123", "qwertyuiop", "Iloveyou1"]) {
      const res = await register({ email: uniqueEmail("common"), username: "common", password });
      expect(res.status).toBe(400);
      expect((await problem(res)).errors?.[0].path).toBe("password");
    }
    const email = uniqueEmail("myself");
    const own = await register({ email, username: "trader", password: `${email.split("@")[0]}!!` });
    expect(own.status).toBe(400);
    const named = await register({ email: uniqueEmail("n"), username: "bitcoiner", password: "bitcoiner-2025" });
    expect(named.status).toBe(400);
  });

  it("refuses a body that is not JSON with 400 or 415, never 500", async () => {
    const bad = await call("/api/auth/register", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{not json",
    });
    expect(bad.status).toBe(400);
    const form = await call("/api/auth/register", {
      method: "POST",
      headers: { "Content-Type": "text/plain" },
      body: "email=a",
    });
    expect(form.status).toBe(415);
  });

  it("reserves the configured admin's address", async () => {
    const res = await register({
      email: env.ADMIN_EMAIL.toUpperCase(),
      username: "mallory",
      password: strongPassword(),
    });
    expect(res.status).toBe(409);
  });
});
