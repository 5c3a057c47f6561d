import { Validator } from "@seriousme/openapi-schema-validator";
import { describe, expect, it } from "vitest";
import { createApp } from "../../workers/app";

/** The gateway's routes as OpenAPI paths (`/api/prices/:symbol` -> `/api/prices/{symbol}`). */
function servedPaths(app: ReturnType<typeof createApp>): Set<string> {
  const paths = new Set<string>();
  for (const route of app.routes) {
    if (route.method === "ALL" || route.path.includes("*")) continue; // middleware
    if (route.path === "/openapi.json" || route.path === "/docs") continue; // the docs themselves
    paths.add(route.path.replace(/:(\w+)/g, "{$1}"));
  }
  return paths;
}

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3 and documents every route the gateway serves", async () => {
    const app = createApp();
    const res = await app.request("/openapi.json");
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };

    const result = await new Validator().validate(doc as never);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(doc.openapi).toMatch(/^3\./);

    const documented = new Set(Object.keys(doc.paths));
    const missing = [...servedPaths(app)].filter((p) => !documented.has(p));
    expect(missing).toEqual([]);
  });
});
