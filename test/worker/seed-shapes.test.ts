import { Validator } from "@cfworker/json-schema";
import { describe, expect, it } from "vitest";
import type { LiquidationEvent } from "../../protocol/ingest";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";

interface OpenApiDoc {
  paths: Record<string, { get?: { responses: Record<string, { content?: Record<string, { schema: object }> }> } }>;
  components: { schemas: Record<string, object> };
}

/**
 * The 200 response schema of a GET route, as the OpenAPI document states it (with the document's
 * components, so its `$ref`s resolve).
 */
function responseSchema(doc: OpenApiDoc, path: string): object {
  const schema = doc.paths[path]?.get?.responses["200"]?.content?.["application/json"]?.schema;
  if (!schema) throw new Error(`no 200 JSON response documented for ${path}`);
  return { ...schema, components: doc.components };
}

/** The properties a documented schema requires (following one `$ref`). */
function required(doc: OpenApiDoc, schema: object): string[] {
  const s = schema as { $ref?: string; required?: string[] };
  if (s.$ref) return required(doc, doc.components.schemas[s.$ref.split("/").pop() as string]);
  return s.required ?? [];
}

function validAgainst(doc: OpenApiDoc, path: string, body: unknown): void {
  const validator = new Validator(responseSchema(doc, path) as never, "2020-12");
  const result = validator.validate(body);
  expect(
    result.errors.map((e) => `${e.instanceLocation}: ${e.error}`),
    path,
  ).toEqual([]);
  // The schema does constrain: an empty object is not a valid answer.
  expect(validator.validate({}).valid, path).toBe(false);
}

describe("the seed's response shapes, beside ours, as the OpenAPI document states them", () => {
  it("serves and documents `coins`, `liquidations`, `high_24h`/`low_24h` and `updated_at`", async () => {
    const now = Date.now();
    const liquidation: LiquidationEvent = {
      kind: "liquidation",
      venue: "binance",
      base: "SSX",
      quote: "USDT",
      venue_symbol: "SSXUSDT",
      side: "long",
      price: 10,
      quantity: 3,
      timestamp: now,
      id: `seed-${now}`,
    };
    const res = await postIngest(
      batchOf([
        ticker("upbit", "SSX", 14_500, now, { high: 15_000, low: 14_000 }),
        ticker("binance", "SSX", 10, now, { high: 10.5, low: 9.5 }),
        liquidation,
      ]),
    );
    expect(res.status).toBe(200);
    const { body: doc } = await getJson<OpenApiDoc>("/openapi.json");

    const prices = await getJson<{ coins: { symbol: string }[] }>("/api/market/prices");
    validAgainst(doc, "/api/market/prices", prices.body);
    expect(required(doc, responseSchema(doc, "/api/market/prices"))).toContain("coins");
    expect(prices.body.coins.map((c) => c.symbol)).toContain("SSX");

    const aggregated = await getJson<{ liquidations: { id: string }[] }>("/api/liquidations/aggregated?window=1h");
    validAgainst(doc, "/api/liquidations/aggregated", aggregated.body);
    expect(required(doc, responseSchema(doc, "/api/liquidations/aggregated"))).toContain("liquidations");
    expect(aggregated.body.liquidations.map((l) => l.id)).toContain(`seed-${now}`);

    const coin = await getJson<{ prices: Record<string, { high_24h: number; low_24h: number }> }>("/api/prices/SSX");
    validAgainst(doc, "/api/prices/{symbol}", coin.body);
    expect(required(doc, doc.components.schemas.VenuePrice)).toEqual(expect.arrayContaining(["high_24h", "low_24h"]));
    expect(coin.body.prices.upbit).toMatchObject({ high_24h: 15_000, low_24h: 14_000 });
    expect(coin.body.prices.binance).toMatchObject({ high_24h: 10.5, low_24h: 9.5 });

    const latest = await getJson<{ updated_at: string; timestamp: number }>("/api/coins/latest");
    validAgainst(doc, "/api/coins/latest", latest.body);
    expect(required(doc, responseSchema(doc, "/api/coins/latest"))).toContain("updated_at");
    expect(new Date(latest.body.updated_at).getTime()).toBe(latest.body.timestamp);

    const stats = await getJson("/api/market/premiums/SSX/stats");
    validAgainst(doc, "/api/market/premiums/{symbol}/stats", stats.body);
  });
});
