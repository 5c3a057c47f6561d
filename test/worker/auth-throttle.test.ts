import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newAccount, randomIp, register, signIn, uniqueEmail } from "./support/auth";

function retryAfter(res: Response): number {
  return Number(res.headers.get("Retry-After"));
}

/** Pretends the account's current lock has run out (tests do not wait for real time). */
async function expireLock(email: string): Promise<void> {
  await env.DB.prepare("UPDATE auth_throttle SET locked_until = ?1 WHERE key = ?2")
    .bind(Date.now() - 1, `acct:${email.toLowerCase()}`)
    .run();
}

describe("sign-in throttling per account", () => {
  it("locks an account after 5 failures, even against the right password, with Retry-After", async () => {
    const account = await newAccount("lock");
    for (let i = 0; i < 5; i++) {
      expect((await signIn(account.email, "wrong password here", randomIp())).status).toBe(401);
    }
    const locked = await signIn(account.email, account.password, randomIp());
    expect(locked.status).toBe(429);
    expect(locked.headers.get("Content-Type")).toContain("application/problem+json");
    expect(retryAfter(locked)).toBeGreaterThanOrEqual(1);
    expect(retryAfter(locked)).toBeLessThanOrEqual(15);
  });

  it("doubles the wait with each failure after the lock", async () => {
    const account = await newAccount("backoff");
    for (let i = 0; i < 5; i++) await signIn(account.email, "wrong password here", randomIp());
    await expireLock(account.email);
    expect((await signIn(account.email, "wrong password again", randomIp())).status).toBe(401);
    const second = await signIn(account.email, account.password, randomIp());
    expect(second.status).toBe(429);
    expect(retryAfter(second)).toBeGreaterThan(15);
    expect(retryAfter(second)).toBeLessThanOrEqual(30);
  });

  it("lets the right password through after the lock ends, and a success starts the count again", async () => {
    const account = await newAccount("reset");
    for (let i = 0; i < 5; i++) await signIn(account.email, "wrong password here", randomIp());
    await expireLock(account.email);
    expect((await signIn(account.email, account.password, randomIp())).status).toBe(200);
    for (let i = 0; i < 4; i++) {
      expect((await signIn(account.email, "wrong password here", randomIp())).status).toBe(401);
    }
    expect((await signIn(account.email, account.password, randomIp())).status).toBe(200);
  });

  it("lets only 5 of a burst of 20 parallel guesses be checked", async () => {
    const account = await newAccount("burst");
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => signIn(account.email, `wrong guess number ${i}`, randomIp())),
    );
    const statuses = results.map((r) => r.status);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it("throttles an unknown email exactly like a known one", async () => {
    const email = uniqueEmail("ghost");
    for (let i = 0; i < 5; i++) expect((await signIn(email, "some password 1", randomIp())).status).toBe(401);
    expect((await signIn(email, "some password 1", randomIp())).status).toBe(429);
  });
});

describe("throttling per client address", () => {
  it("refuses an address after 30 failed sign-ins across accounts", async () => {
    const ip = randomIp();
    for (let i = 0; i < 30; i++) {
      expect((await signIn(uniqueEmail("spray"), "Summer of 2024!", ip)).status).toBe(401);
    }
    const res = await signIn(uniqueEmail("spray"), "Summer of 2024!", ip);
    expect(res.status).toBe(429);
    expect(retryAfter(res)).toBeGreaterThan(0);
    expect(retryAfter(res)).toBeLessThanOrEqual(15 * 60);
    // Another address is unaffected.
    expect((await signIn(uniqueEmail("spray"), "Summer of 2024!", randomIp())).status).toBe(401);
  }, 120_000);

  it("allows 10 registrations an hour per address", async () => {
    const ip = randomIp();
    // Refused passwords still count, and cost no hashing: a cheap way to fill the bucket.
    for (let i = 0; i < 10; i++) {
      const res = await register({ email: uniqueEmail("reg"), username: "reg", password: "password123" }, ip);
      expect(res.status).toBe(400);
    }
    const res = await register({ email: uniqueEmail("reg"), username: "reg", password: "a fine long passphrase" }, ip);
    expect(res.status).toBe(429);
    expect(retryAfter(res)).toBeGreaterThan(0);
  });
});
