import { describe, expect, it } from "vitest";
import { MAX_INGEST_BYTES } from "../../protocol/ingest";
import { boardState, expectProblem } from "./support/http";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";

describe("ingest rejects bad input whole and changes nothing", () => {
  const good = () => ticker("upbit", "XRP", 3000);

  const cases: [string, () => unknown, string][] = [
    ["a missing field", () => batchOf([{ ...good(), price: undefined } as never]), "events.0.price"],
    ["a price of the wrong type", () => batchOf([{ ...good(), price: "3000" } as never]), "events.0.price"],
    ["an unknown venue", () => batchOf([{ ...good(), venue: "kraken" } as never]), "events.0.venue"],
    ["an unknown kind", () => batchOf([{ ...good(), kind: "trade" } as never]), "events.0.kind"],
    ["a negative price", () => batchOf([{ ...good(), price: -1 }]), "events.0.price"],
    ["a zero price", () => batchOf([{ ...good(), price: 0 }]), "events.0.price"],
    ["a missing batch_id", () => ({ ...batchOf([good()]), batch_id: undefined }), "batch_id"],
    ["a batch_id that is not a uuid", () => ({ ...batchOf([good()]), batch_id: "42" }), "batch_id"],
    ["an unknown source", () => ({ ...batchOf([good()]), source: "guess" }), "source"],
    [
      "one bad event among good ones",
      () => batchOf([good(), ticker("binance", "XRP", 2.1), { ...good(), volume: -5 }]),
      "events.2.volume",
    ],
  ];

  for (const [name, body, path] of cases) {
    it(`rejects ${name} with 400 naming ${path}`, async () => {
      const before = await boardState();
      await expectProblem(await postIngest(body()), 400, path);
      expect(await boardState()).toEqual(before);
    });
  }

  it("rejects NaN and infinite prices (not representable in JSON) as 400", async () => {
    const before = await boardState();
    for (const bad of ["NaN", "Infinity", "-Infinity", "1e999"]) {
      const raw = JSON.stringify(batchOf([good()])).replace(/"price":3000/, `"price":${bad}`);
      const res = await postIngest(raw, { raw: true });
      expect(res.status).toBe(400);
      expect(res.headers.get("Content-Type")).toContain("application/problem+json");
    }
    expect(await boardState()).toEqual(before);
  });

  it("rejects a body that is not JSON", async () => {
    await expectProblem(await postIngest("{not json", { raw: true }), 400);
  });

  it("refuses an oversized body with 413", async () => {
    const events = Array.from({ length: 4000 }, (_, i) =>
      ticker("upbit", "XRP", 3000 + i, Date.now(), { venue_symbol: "x".repeat(40) }),
    );
    const raw = JSON.stringify(batchOf(events)).padEnd(MAX_INGEST_BYTES + 10, " ");
    const before = await boardState();
    await expectProblem(await postIngest(raw, { raw: true }), 413);
    expect(await boardState()).toEqual(before);
  });

  it("answers 401 without a token or with a wrong one, and applies nothing", async () => {
    const before = await boardState();
    await expectProblem(await postIngest(batchOf([good()]), { token: null }), 401);
    await expectProblem(await postIngest(batchOf([good()]), { token: "wrong" }), 401);
    expect(await boardState()).toEqual(before);
  });
});

describe("ingest is idempotent by batch_id", () => {
  it("acknowledges a re-sent batch without applying it again", async () => {
    const t0 = Date.now();
    const first = batchOf([ticker("upbit", "SOL", 200_000, t0)]);
    const ack1 = await (await postIngest(first)).json();
    expect(ack1).toMatchObject({ batch_id: first.batch_id, duplicate: false, accepted: 1 });

    // A later batch moves the price; re-sending the first one must not move it back or add a candle tick.
    await postIngest(batchOf([ticker("upbit", "SOL", 210_000, t0 + 1)]));
    const res = await postIngest(first);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ batch_id: first.batch_id, duplicate: true });

    const { body } = await getJson<{ prices: { upbit: { price: number } } }>("/api/prices/SOL");
    expect(body.prices.upbit.price).toBe(210_000);
  });

  it("never lets an older ticker replace a newer one", async () => {
    const t0 = Date.now();
    await postIngest(batchOf([ticker("binance", "ADA", 0.9, t0)]));
    await postIngest(batchOf([ticker("binance", "ADA", 0.5, t0 - 5_000)]));
    const { body } = await getJson<{ prices: { binance: { price: number; timestamp: number } } }>("/api/prices/ADA");
    expect(body.prices.binance).toMatchObject({ price: 0.9, timestamp: t0 });
  });
});
