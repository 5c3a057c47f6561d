import { describe, expect, it } from "vitest";
import type { CoinsLatest } from "../../protocol/market";
import { batchOf, getJson, postIngest } from "./support/ingest";

describe("ingest computes both premiums", () => {
  it("matches a hand computation for Upbit KRW-BTC against Binance BTCUSDT", async () => {
    const now = Date.now();
    const res = await postIngest(
      batchOf([
        {
          kind: "ticker",
          venue: "upbit",
          base: "BTC",
          quote: "KRW",
          venue_symbol: "KRW-BTC",
          price: 135_000_000,
          change_percent: 1.27,
          volume: 7158.8,
          quote_volume: 228_827_082_483.7,
          timestamp: now,
        },
        {
          kind: "ticker",
          venue: "binance",
          base: "BTC",
          quote: "USDT",
          venue_symbol: "BTCUSDT",
          price: 91_000.5,
          change_percent: 0.5,
          volume: 20_000,
          quote_volume: 1.8e9,
          timestamp: now,
        },
        {
          kind: "ticker",
          venue: "upbit",
          base: "USDT",
          quote: "KRW",
          venue_symbol: "KRW-USDT",
          price: 1_452,
          change_percent: 0.1,
          volume: 1e8,
          quote_volume: 1.4e11,
          timestamp: now,
        },
        { kind: "fx", pair: "USD/KRW", rate: 1_438.5, provider: "test", timestamp: now },
      ]),
    );
    expect(res.status).toBe(200);
    const { body } = await getJson<CoinsLatest>("/api/coins/latest");
    const btc = body.coins.find((c) => c.symbol === "BTC");
    const expected = (135_000_000 / (91_000.5 * 1_438.5) - 1) * 100;
    const expectedUsdt = (135_000_000 / (91_000.5 * 1_452) - 1) * 100;
    expect(Math.abs((btc?.premium?.premium_percent as number) - expected) / Math.abs(expected)).toBeLessThan(1e-9);
    expect(
      Math.abs((btc?.premium?.usdt_premium_percent as number) - expectedUsdt) / Math.abs(expectedUsdt),
    ).toBeLessThan(1e-9);
    expect(btc?.premium?.stale).toBe(false);
  });
});
