import { expect } from "vitest";
import { getJson } from "./ingest";

/** The board's state as a client sees it, without the fields that move on their own. */
export async function boardState(): Promise<unknown> {
  const { body } = await getJson<Record<string, unknown>>("/api/coins/latest");
  const { timestamp: _t, ...rest } = body;
  return JSON.parse(JSON.stringify(rest, (k, v) => (k === "stale" ? undefined : v)));
}

/** Asserts a problem+json response with this status (and, if given, an error at `path`); returns its body. */
export async function expectProblem(res: Response, status: number, path?: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("Content-Type")).toContain("application/problem+json");
  const body = (await res.json()) as {
    status: number;
    title: string;
    type: string;
    detail: string;
    errors?: { path: string; message: string }[];
  };
  expect(body.status).toBe(status);
  expect(body.type).toMatch(/^\/problems\//);
  if (path) expect(body.errors?.map((e) => e.path)).toContain(path);
  return body;
}
