/**
 * The public API's rate limits, with the platform's Rate Limiting binding (miniflare's local one).
 * The tests' Worker runs with `RATE_LIMITS = "off"`; here the app runs with them on and the low
 * TEST_RATE_LIMIT (3 per 10 s, vitest.config.ts) in place of the real limits.
 */
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/app";
import { randomIp } from "./support/auth";
import { expectProblem } from "./support/http";
import { batchOf, TOKEN } from "./support/ingest";
import { ticker } from "./support/market";
import { newTrader } from "./support/trading";

const app = createApp();
const limited = { ...env, RATE_LIMITS: "on", RATE_LIMIT_IP: env.TEST_RATE_LIMIT, RATE_LIMIT_USER: env.TEST_RATE_LIMIT };

async function get(path: string, headers: Record<string, string>): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://gateway${path}`, { headers }), limited as Env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("rate limits", () => {
  it("answers 429 problem+json with Retry-After once an address is over its limit", async () => {
    const ip = randomIp();
    for (let i = 0; i < 3; i++) expect((await get("/api/coin-names", { "CF-Connecting-IP": ip })).status).toBe(200);
    const res = await get("/api/coin-names", { "CF-Connecting-IP": ip });
    const problem = await expectProblem(res, 429);
    expect(problem.type).toBe("/problems/rate-limited");
    expect(res.headers.get("Retry-After")).toBe("10");
    // Another address has its own count.
    expect((await get("/api/coin-names", { "CF-Connecting-IP": randomIp() })).status).toBe(200);
  });

  it("counts a signed-in user's requests per user, from any address", async () => {
    const trader = await newTrader("limited");
    const auth = { Authorization: `Bearer ${trader.tokens.access_token}` };
    for (let i = 0; i < 3; i++) {
      expect((await get("/api/account/limits", { ...auth, "CF-Connecting-IP": randomIp() })).status).toBe(200);
    }
    const res = await get("/api/account/limits", { ...auth, "CF-Connecting-IP": randomIp() });
    await expectProblem(res, 429);
    expect(res.headers.get("Retry-After")).toBe("10");
  });

  it("leaves the collectors' ingest, health and metrics alone", async () => {
    const ip = { "CF-Connecting-IP": randomIp() };
    for (let i = 0; i < 3; i++) await get("/api/coin-names", ip);
    expect((await get("/api/coin-names", ip)).status).toBe(429);
    expect((await get("/health", ip)).status).toBe(200);
    expect((await get("/metrics", { ...ip, Authorization: `Bearer ${TOKEN}` })).status).not.toBe(429);
    const ctx = createExecutionContext();
    const ingest = await app.fetch(
      new Request("http://gateway/internal/ingest", {
        method: "POST",
        headers: { ...ip, Authorization: `Bearer ${TOKEN}`, "Content-Type": "application/json" },
        body: JSON.stringify(batchOf([ticker("upbit", "RLT", 1_000)])),
      }),
      limited as Env,
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(ingest.status).toBe(200);
  });

  it("uses the bindings wrangler.toml declares", () => {
    expect(typeof env.RATE_LIMIT_IP.limit).toBe("function");
    expect(typeof env.RATE_LIMIT_USER.limit).toBe("function");
  });
});
