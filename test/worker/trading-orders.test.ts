import { describe, expect, it } from "vitest";
import { uniqueBase } from "./support/liquidations";
import { accountOf, newTrader, placed, placeOrder, setPrices } from "./support/trading";

describe("market orders", () => {
  it("fills a market buy at once at the last price plus slippage, and moves cash, fee and position", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    const order = await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: "0.5" });
    expect(order).toMatchObject({ status: "FILLED", filled_quantity: 0.5, venue: "upbit", fee_currency: "KRW" });
    const account = await accountOf(trader);
    expect(account.cash.KRW).toBeCloseTo(10_000_000 - 0.5 * (order.average_fill_price ?? 0) - order.fee, 6);
  });

  it("refuses an unknown market with 400 naming symbol", async () => {
    const trader = await newTrader();
    const res = await placeOrder(trader, { symbol: "NOPE999/KRW", side: "BUY", order_type: "MARKET", quantity: 1 });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path)).toContain("symbol");
  });
});
