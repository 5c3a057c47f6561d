/** The order ticket's arithmetic (web/src/trader/order-math.ts): Korean amounts, price units, estimates. */
import { describe, expect, it } from "vitest";
import {
  estimateOrder,
  parseKoreanAmount,
  positionAfter,
  quantityForAmount,
  quantityText,
  snapPrice,
} from "../../web/src/trader/order-math";

describe("parseKoreanAmount", () => {
  it.each([
    ["1,500,000", 1_500_000],
    ["1500000원", 1_500_000],
    ["50만", 500_000],
    ["50만원", 500_000],
    ["1억", 100_000_000],
    ["1억 2,500만", 125_000_000],
    ["1억2500만원", 125_000_000],
    ["3.5억", 350_000_000],
    ["2천만", 20_000_000],
    ["1조 5억", 1_000_500_000_000],
    ["1억 5천", 100_005_000],
    ["0.5", 0.5],
  ])("reads %s as %d", (text, value) => {
    expect(parseKoreanAmount(text)).toBe(value);
  });

  it.each(["", "abc", "만", "5만 3억", "1..5", "-3", "1억억"])("refuses %j", (text) => {
    expect(parseKoreanAmount(text)).toBeNull();
  });
});

describe("snapPrice", () => {
  it("moves a price to the venue's unit: Upbit BTC in 1,000 KRW steps above 1,000,000", () => {
    expect(snapPrice("upbit", "BTC", 135_123_456)).toBe(135_123_000);
    expect(snapPrice("upbit", "BTC", 135_123_600)).toBe(135_124_000);
    expect(snapPrice("upbit", "BTC", 135_123_600, "BUY")).toBe(135_123_000);
    expect(snapPrice("upbit", "BTC", 135_123_100, "SELL")).toBe(135_124_000);
  });

  it("keeps a price already on the unit, including fractional units", () => {
    expect(snapPrice("upbit", "BTC", 135_000_000)).toBe(135_000_000);
    const small = snapPrice("upbit", "XRP", 3_068.4);
    expect(small).not.toBeNull();
    expect(Number.isInteger((small as number) * 10)).toBe(true);
  });

  it("refuses a price that is not positive", () => {
    expect(snapPrice("upbit", "BTC", 0)).toBeNull();
    expect(snapPrice("upbit", "BTC", Number.NaN)).toBeNull();
  });
});

describe("quantities", () => {
  it("turns an amount into a quantity cut to 8 decimals, never rounding up", () => {
    expect(quantityForAmount("upbit", 1_000_000, 135_000_000)).toBe(0.0074074);
    expect(quantityText("upbit", 0.0074074)).toBe("0.0074074");
    expect(quantityText("upbit", 2)).toBe("2");
  });
});

describe("estimateOrder", () => {
  const base = {
    venue: "upbit" as const,
    base: "BTC",
    stopPrice: null,
    lastPrice: 100_000_000,
    held: null,
  };

  it("prices a resting limit buy as maker, with the fee on top of the value", () => {
    const e = estimateOrder({ ...base, side: "BUY", kind: "LIMIT", quantity: 0.01, limitPrice: 99_000_000 });
    expect(e?.liquidity).toBe("maker");
    expect(e?.value).toBeCloseTo(990_000, 6);
    expect(e?.fee).toBeCloseTo(495, 6);
    expect(e?.total).toBeCloseTo(990_495, 6);
    expect(e?.after).toEqual({ quantity: 0.01, avgPrice: 99_000_000 });
  });

  it("prices a limit that crosses the market as taker and a sell's total net of the fee", () => {
    const e = estimateOrder({
      ...base,
      side: "SELL",
      kind: "LIMIT",
      quantity: 0.01,
      limitPrice: 99_000_000,
      held: { quantity: 0.03, avgPrice: 90_000_000 },
    });
    expect(e?.liquidity).toBe("taker");
    expect(e?.total).toBeCloseTo(990_000 - 495, 6);
    expect(e?.after).toEqual({ quantity: 0.02, avgPrice: 90_000_000 });
  });

  it("flags an order under the venue's minimum value", () => {
    const e = estimateOrder({ ...base, side: "BUY", kind: "MARKET", quantity: 0.00001, limitPrice: null });
    expect(e?.belowMinimum).toBe(true);
    expect(e?.minimum).toBe(5000);
  });

  it("has nothing to estimate without a quantity or a price", () => {
    expect(estimateOrder({ ...base, side: "BUY", kind: "LIMIT", quantity: 0.01, limitPrice: null })).toBeNull();
    expect(estimateOrder({ ...base, side: "BUY", kind: "MARKET", quantity: 0, limitPrice: null })).toBeNull();
  });
});

describe("positionAfter", () => {
  it("averages when adding, keeps the average when reducing, restarts when crossing zero", () => {
    expect(positionAfter({ quantity: 1, avgPrice: 100 }, 1, 200)).toEqual({ quantity: 2, avgPrice: 150 });
    expect(positionAfter({ quantity: 2, avgPrice: 150 }, -1, 300)).toEqual({ quantity: 1, avgPrice: 150 });
    expect(positionAfter({ quantity: 1, avgPrice: 100 }, -3, 90)).toEqual({ quantity: -2, avgPrice: 90 });
    expect(positionAfter({ quantity: 1, avgPrice: 100 }, -1, 90)).toEqual({ quantity: 0, avgPrice: null });
  });
});
