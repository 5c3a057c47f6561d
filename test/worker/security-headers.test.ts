/**
 * Security headers on what the Worker answers: API data (a CSP that allows nothing, no framing, no
 * sniffing, no referrer) and the docs page (a CSP that allows exactly its inline script, by hash).
 * The dashboard's static files get theirs from web/public/_headers (test/e2e/security-headers.test.ts).
 */
import { describe, expect, it } from "vitest";
import { inlineScriptHashes } from "../../workers/middleware/security-headers";
import { call } from "./support/auth";

function expectCommonHeaders(res: Response): void {
  expect(res.headers.get("X-Content-Type-Options")).toBe("nosniff");
  expect(res.headers.get("X-Frame-Options")).toBe("DENY");
  expect(res.headers.get("Referrer-Policy")).toBe("no-referrer");
  expect(res.headers.get("Permissions-Policy")).toContain("camera=()");
  expect(res.headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
}

describe("security headers", () => {
  it("are on API answers, errors included, with a CSP that allows nothing", async () => {
    for (const path of ["/api/coin-names", "/api/no-such-route", "/openapi.json", "/health"]) {
      const res = await call(path);
      expectCommonHeaders(res);
      expect(res.headers.get("Content-Security-Policy")).toMatch(/^default-src 'none'/);
    }
  });

  it("give /docs a CSP that allows its one inline script by hash, and scripts only from this origin", async () => {
    const res = await call("/docs");
    expect(res.status).toBe(200);
    expectCommonHeaders(res);
    const csp = res.headers.get("Content-Security-Policy") ?? "";
    const hashes = await inlineScriptHashes(await res.text());
    expect(hashes).toHaveLength(1);
    const scriptSrc = csp.split("; ").find((d) => d.startsWith("script-src "));
    expect(scriptSrc).toBe(`script-src 'self' '${hashes[0]}'`);
    expect(csp).not.toContain("unsafe-eval");
  });
});
