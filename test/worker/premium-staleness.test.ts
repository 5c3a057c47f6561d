import { describe, expect, it } from "vitest";
import type { Coin, ExchangeRate } from "../../protocol/market";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";

const MINUTE = 60_000;

describe("premium freshness", () => {
  it("marks the premium stale when the USD/KRW rate is older than its bound (10 min)", async () => {
    const now = Date.now();
    await postIngest(
      batchOf([
        ticker("upbit", "ETH", 5_000_000, now),
        ticker("binance", "ETH", 3_400, now),
        { kind: "fx", pair: "USD/KRW", rate: 1_400, provider: "test", timestamp: now - 11 * MINUTE },
      ]),
    );
    const { body } = await getJson<Coin>("/api/prices/ETH");
    expect(body.premium?.stale).toBe(true);
    expect(body.premium?.inputs.exchange_rate_at).toBe(now - 11 * MINUTE);
    const rate = await getJson<ExchangeRate>("/api/market/exchange-rate");
    expect(rate.body.stale).toBe(true);

    // A fresh rate clears it.
    await postIngest(batchOf([{ kind: "fx", pair: "USD/KRW", rate: 1_401, provider: "test", timestamp: Date.now() }]));
    const after = await getJson<Coin>("/api/prices/ETH");
    expect(after.body.premium?.stale).toBe(false);
    expect(after.body.premium?.exchange_rate).toBe(1_401);
  });

  it("marks a venue price and the premium stale when a ticker is older than 30 s", async () => {
    const now = Date.now();
    await postIngest(
      batchOf([
        ticker("upbit", "LINK", 30_000, now - 31_000),
        ticker("binance", "LINK", 21, now),
        { kind: "fx", pair: "USD/KRW", rate: 1_400, provider: "test", timestamp: now },
      ]),
    );
    const { body } = await getJson<Coin>("/api/prices/LINK");
    expect(body.prices.upbit?.stale).toBe(true);
    expect(body.prices.binance?.stale).toBe(false);
    expect(body.premium?.stale).toBe(true);
  });

  it("falls back to Bithumb when Upbit has no price, and to Bybit when Binance has none", async () => {
    const now = Date.now();
    await postIngest(
      batchOf([
        ticker("bithumb", "KAIA", 200, now),
        ticker("bybit", "KAIA", 0.14, now),
        { kind: "fx", pair: "USD/KRW", rate: 1_400, provider: "test", timestamp: now },
      ]),
    );
    const { body } = await getJson<Coin>("/api/prices/KAIA");
    expect(body.premium).toMatchObject({ krw_venue: "bithumb", global_venue: "bybit" });
    expect(body.premium?.premium_percent).toBeCloseTo((200 / (0.14 * 1_400) - 1) * 100, 9);
  });

  it("answers 404 problem+json for a coin no venue quotes, and 400 for a malformed symbol", async () => {
    const missing = await getJson<{ status: number }>("/api/prices/NOPE");
    expect(missing.status).toBe(404);
    const bad = await getJson<{ errors: { path: string }[] }>("/api/prices/B%20TC");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("symbol");
  });
});
