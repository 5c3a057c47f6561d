import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { expectProblem } from "./support/http";

function get(path: string) {
  return exports.default.fetch(`http://gateway${path}`);
}

describe("problems quote little of the client's input, and numbers are decimal digits", () => {
  it("cuts a long unknown path to a short, escaped prefix in the 404's detail", async () => {
    const path = `/api/${"a".repeat(64 * 1024)}`;
    const problem = await expectProblem(await get(path), 404);
    expect(problem.detail.length).toBeLessThan(200);
    expect(problem.detail).toContain("cut at 64 characters");

    const odd = await expectProblem(await get("/api/%E2%80%AEevil%0Aline%22quote"), 404);
    expect(odd.detail).toMatch(/^[\x20-\x7e]*$/);
    expect(odd.detail).not.toContain("\n");
  });

  for (const path of [
    "/api/market/candles/BTC?limit=",
    "/api/market/premiums/BTC/history?limit=",
    "/api/liquidations/recent?limit=",
  ]) {
    it(`reads ${path}... as decimal digits only`, async () => {
      for (const bad of ["0x10", "1e2", "+5", "%2010", "1.0", "-1"]) {
        await expectProblem(await get(`${path}${bad}`), 400, "limit");
      }
      expect((await get(`${path}16`)).status).toBe(200);
    });
  }
});
