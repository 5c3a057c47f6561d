import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch, diffPatch } from "../../protocol/patch";

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

// JSON has no -0 (it is written as 0), so neither do the states.
const number = fc.double({ noNaN: true, noDefaultInfinity: true }).map((x) => (x === 0 ? 0 : x));
const leaf = fc.oneof(fc.constant(null), fc.boolean(), number, fc.string());
const json: fc.Arbitrary<Json> = fc.letrec<{ value: Json }>((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    leaf,
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(fc.constantFrom("a", "b", "c", "price", "premium"), tie("value"), { maxKeys: 4 }),
  ),
})).value;
const object = fc.dictionary(fc.constantFrom("a", "b", "c", "prices", "premium", "symbol"), json, { maxKeys: 5 });

/** `next` with every member of `previous` it lacks added back: our states never drop members. */
function withoutRemovals(previous: Json, next: Json): Json {
  const isObj = (v: Json): v is { [key: string]: Json } => typeof v === "object" && v !== null && !Array.isArray(v);
  if (!isObj(previous) || !isObj(next)) return next;
  const out: { [key: string]: Json } = { ...previous };
  for (const [k, v] of Object.entries(next)) out[k] = withoutRemovals(previous[k] as Json, v);
  return out;
}

describe("state patches (what market updates carry)", () => {
  it("turn the previous state into the next one, for any pair of states that never drop a member", () => {
    fc.assert(
      fc.property(object, object, (previous, rawNext) => {
        const next = withoutRemovals(previous, rawNext) as object;
        const patch = diffPatch(previous, next) ?? {};
        expect(applyPatch(previous, patch)).toEqual(next);
        // Round-tripped through JSON as on the wire, too.
        expect(applyPatch(previous, JSON.parse(JSON.stringify(patch)))).toEqual(next);
      }),
      { numRuns: 2000 },
    );
  });

  it("are undefined for equal states and never modify what they are applied to", () => {
    fc.assert(
      fc.property(object, object, (a, b) => {
        expect(diffPatch(a, structuredClone(a))).toBeUndefined();
        const frozen = JSON.stringify(a);
        applyPatch(a, b);
        expect(JSON.stringify(a)).toBe(frozen);
      }),
    );
  });

  it("carry only what changed, down to the member, with null as a value and arrays replaced whole", () => {
    const before = {
      symbol: "BTC",
      korean_name: "비트코인",
      prices: { upbit: { price: 100, volume: 5, stale: false }, binance: { price: 0.07, volume: 9 } },
      premium: { premium_percent: 1.5, inputs: { krw_price_at: 1, global_price_at: 2 } },
      warnings: ["CAUTION"],
    };
    const after = {
      ...before,
      prices: { ...before.prices, upbit: { price: 101, volume: 5, stale: false } },
      premium: { premium_percent: null, inputs: { krw_price_at: 3, global_price_at: 2 } },
      warnings: [],
    };
    expect(diffPatch(before, after)).toEqual({
      prices: { upbit: { price: 101 } },
      premium: { premium_percent: null, inputs: { krw_price_at: 3 } },
      warnings: [],
    });
  });
});
