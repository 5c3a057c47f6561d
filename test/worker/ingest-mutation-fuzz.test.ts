/**
 * An ingest batch mutated at random (a member removed, replaced by junk of another type or size,
 * an event's kind swapped, times moved, the id reused) is answered 200, 400, 409 or 413, never a
 * 5xx, and a refused batch changes nothing on the board or in the liquidation feed.
 */
import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { LiquidationDebug } from "../../protocol/liquidations";
import { batchOf, postIngest } from "./support/ingest";
import { getWithToken, liquidation, uniqueBase } from "./support/liquidations";
import { ticker } from "./support/market";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

const junk: fc.Arbitrary<Json> = fc.oneof(
  fc.constantFrom<Json>(null, true, "", "NaN", -1, 0, 1e308, -1e308, 2 ** 53 + 1, [], {}, "ticker", "liquidation"),
  fc.string({ maxLength: 50 }),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constant("x".repeat(5_000)),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Every path to a member of a JSON value, e.g. ["events", 2, "price"]. */
function pathsOf(value: Json, prefix: (string | number)[] = []): (string | number)[][] {
  if (value === null || typeof value !== "object") return [];
  const entries: [string | number, Json][] = Array.isArray(value) ? value.map((v, i) => [i, v]) : Object.entries(value);
  return entries.flatMap(([k, v]) => [[...prefix, k], ...pathsOf(v, [...prefix, k])]);
}

function mutate(batch: Json, path: (string | number)[], how: "delete" | "replace", replacement: Json): Json {
  const copy = structuredClone(batch);
  let parent = copy as Record<string | number, Json>;
  for (const key of path.slice(0, -1)) parent = parent[key] as Record<string | number, Json>;
  const last = path[path.length - 1];
  if (how === "delete" && Array.isArray(parent)) parent.splice(last as number, 1);
  else if (how === "delete") delete parent[last];
  else parent[last] = replacement;
  return copy;
}

/** The coin as the API shows it (a 404 problem before its first batch), read with one fixed request id. */
async function coinOf(base: string): Promise<unknown> {
  const res = await exports.default.fetch(`http://gateway/api/prices/${base}`, {
    headers: { "X-Request-Id": "fuzz-read" },
  });
  return res.json();
}

async function accepted(): Promise<number> {
  const res = await getWithToken("/api/liquidations/debug");
  const venues = ((await res.json()) as LiquidationDebug).venues;
  return Object.values(venues).reduce((sum, v) => sum + v.accepted, 0);
}

describe("ingest under random mutations of a valid batch", () => {
  it("never answers 5xx, and a refused batch changes nothing", async () => {
    const base = uniqueBase();
    const valid = () =>
      batchOf([
        ticker("upbit", base, 1_000 + Math.floor(Math.random() * 100)),
        ticker("binance", base, 0.7),
        liquidation("bybit", base, "short", 2, 3),
        { kind: "fx", pair: "USD/KRW", rate: 1_380, provider: "fuzz", timestamp: Date.now() },
      ]) as unknown as Json;
    const ids: string[] = [];
    const statuses = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(
        fc.nat(),
        fc.constantFrom("delete", "replace"),
        junk,
        fc.boolean(),
        async (pick, how, value, reuseId) => {
          const original = valid();
          const paths = pathsOf(original);
          let body = mutate(original, paths[pick % paths.length], how as "delete" | "replace", value);
          if (reuseId && ids.length > 0 && body && typeof body === "object" && !Array.isArray(body)) {
            body = { ...body, batch_id: ids[pick % ids.length] };
          }
          const before = { coin: await coinOf(base), liquidations: await accepted() };
          const res = await postIngest(body);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          expect([200, 400, 409, 413]).toContain(res.status);
          if (res.status === 200) {
            ids.push((body as { batch_id: string }).batch_id);
            return;
          }
          expect(res.headers.get("Content-Type")).toContain("application/problem+json");
          expect(await coinOf(base)).toEqual(before.coin);
          expect(await accepted()).toBe(before.liquidations);
        },
      ),
      { numRuns: 200 },
    );
    // The mutations reached both sides: some batches were applied and some refused.
    expect(statuses.get(200)).toBeGreaterThan(0);
    expect(statuses.get(400)).toBeGreaterThan(0);
  });
});
