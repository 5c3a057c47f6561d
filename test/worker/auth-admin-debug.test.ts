import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { TokenResponse } from "../../protocol/auth";
import { call, newAccount, signIn } from "./support/auth";
import { TOKEN as COLLECTOR_TOKEN } from "./support/ingest";

describe("admin-only operator routes: /api/liquidations/debug", () => {
  it("admits an admin's access token", async () => {
    const admin = (await (await signIn(env.ADMIN_EMAIL, env.ADMIN_PASSWORD)).json()) as TokenResponse;
    const res = await call("/api/liquidations/debug", { token: admin.access_token });
    expect(res.status).toBe(200);
  });

  it("refuses a user's access token with 403", async () => {
    const user = await newAccount("not-admin");
    const res = await call("/api/liquidations/debug", { token: user.tokens.access_token });
    expect(res.status).toBe(403);
  });

  it("still admits the collectors' token, and refuses no token or a bad one with 401", async () => {
    expect((await call("/api/liquidations/debug", { token: COLLECTOR_TOKEN })).status).toBe(200);
    expect((await call("/api/liquidations/debug")).status).toBe(401);
    expect((await call("/api/liquidations/debug", { token: "not-a-token" })).status).toBe(401);
  });
});
