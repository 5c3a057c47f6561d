/**
 * The analytics formulas (workers/analytics/*-math.ts) against examples worked by hand, and a property:
 * the trades a fill history closes add up to the realised PnL of replaying it.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  closedTrades,
  dailyReturns,
  type FillInput,
  maxDrawdown,
  sharpe,
  sortino,
  tradeStats,
} from "../../workers/analytics/performance-math";
import { exposureBy, herfindahl, historicalVar, quantile, returnsFromCloses } from "../../workers/analytics/risk-math";

const curve = [100, 110, 88, 121, 108.9].map((equity, i) => ({ date: `2026-12-0${i + 1}`, equity }));

describe("the equity curve", () => {
  it("gives daily returns 10 %, -20 %, 37.5 %, -10 %", () => {
    const r = dailyReturns(curve);
    expect(r.map((x) => Number(x.toFixed(6)))).toEqual([0.1, -0.2, 0.375, -0.1]);
  });

  it("finds the 20 % drawdown from 110 to 88, recovered two days after its peak", () => {
    expect(maxDrawdown(curve)).toEqual({
      max_drawdown: expect.closeTo(0.2, 12),
      peak_date: "2026-12-02",
      trough_date: "2026-12-03",
      duration_points: 2,
      recovered: true,
    });
  });

  it("says a drawdown not yet recovered lasts until the last point", () => {
    const falling = [100, 120, 90, 100].map((equity, i) => ({ date: `d${i}`, equity }));
    expect(maxDrawdown(falling)).toMatchObject({
      max_drawdown: 0.25,
      peak_date: "d1",
      trough_date: "d2",
      duration_points: 2,
      recovered: false,
    });
  });

  it("annualises Sharpe (sample deviation) and Sortino (downside deviation) over 365 days", () => {
    // mean 0.04375; sample sd 0.253619; downside deviation sqrt((0.04 + 0.01) / 4) = 0.111803.
    expect(sharpe(dailyReturns(curve))).toBeCloseTo(3.295654, 5);
    expect(sortino(dailyReturns(curve))).toBeCloseTo(7.476003, 5);
    expect(sharpe([0.01])).toBeNull();
    expect(sharpe([0.01, 0.01])).toBeNull();
    expect(sortino([0.01, 0.02])).toBeNull();
  });
});

describe("closed trades", () => {
  const t = (side: "BUY" | "SELL", quantity: number, price: number, fee: number, timestamp: number): FillInput => ({
    venue: "upbit",
    symbol: "BTC/KRW",
    side,
    quantity,
    price,
    fee,
    timestamp,
  });

  it("closes at average cost, through zero into a short, and back", () => {
    const trades = closedTrades([
      t("BUY", 1, 100, 0, 1),
      t("BUY", 1, 200, 0, 2), // 2 @ 150
      t("SELL", 1.5, 180, 1, 3), // (180 - 150) x 1.5 - 1 = 44
      t("SELL", 1, 120, 0, 4), // closes 0.5: (120 - 150) x 0.5 = -15, then short 0.5 @ 120
      t("BUY", 0.5, 100, 0, 5), // (120 - 100) x 0.5 = 10
    ]);
    expect(trades.map((x) => x.pnl)).toEqual([44, -15, 10]);
    expect(tradeStats(trades)).toEqual({
      trades: 3,
      wins: 2,
      losses: 1,
      win_rate: 2 / 3,
      profit_factor: 54 / 15,
      average_win: 27,
      average_loss: -15,
      realized_pnl: 39,
    });
  });

  it("keeps venues and coins apart", () => {
    const trades = closedTrades([
      t("BUY", 1, 100, 0, 1),
      { ...t("BUY", 1, 300, 0, 2), venue: "bithumb" },
      t("SELL", 1, 110, 0, 3),
      { ...t("SELL", 1, 290, 0, 4), venue: "bithumb" },
    ]);
    expect(trades.map((x) => [x.venue, x.pnl])).toEqual([
      ["upbit", 10],
      ["bithumb", -10],
    ]);
  });

  it("adds up to cash in minus cash out once every position is closed (property)", () => {
    const fill = fc.record({
      side: fc.constantFrom("BUY" as const, "SELL" as const),
      quantity: fc.integer({ min: 1, max: 5 }),
      price: fc.integer({ min: 50, max: 150 }),
    });
    fc.assert(
      fc.property(fc.array(fill, { minLength: 1, maxLength: 30 }), (raw) => {
        const fills = raw.map((f, i) => t(f.side, f.quantity, f.price, 0, i));
        const open = fills.reduce((q, f) => q + (f.side === "BUY" ? f.quantity : -f.quantity), 0);
        // Close whatever is left at the last price, so all PnL is realised.
        const last = fills[fills.length - 1] as FillInput;
        if (open !== 0) fills.push(t(open > 0 ? "SELL" : "BUY", Math.abs(open), last.price, 0, fills.length));
        const cash = fills.reduce((s, f) => s + (f.side === "SELL" ? 1 : -1) * f.quantity * f.price, 0);
        const realised = closedTrades(fills).reduce((s, x) => s + x.pnl, 0);
        expect(realised).toBeCloseTo(cash, 6);
      }),
      { numRuns: 500 },
    );
  });
});

describe("risk", () => {
  it("groups exposure with gross, net and share, and measures concentration", () => {
    const by = exposureBy(
      [
        { venue: "upbit", base: "BTC", currency: "KRW", value_krw: 600 },
        { venue: "binance", base: "BTC", currency: "USDT", value_krw: -200 },
        { venue: "upbit", base: "ETH", currency: "KRW", value_krw: 200 },
      ],
      (p) => p.base,
    );
    expect(by).toEqual([
      { key: "BTC", gross_krw: 800, net_krw: 400, share: 0.8 },
      { key: "ETH", gross_krw: 200, net_krw: 200, share: 0.2 },
    ]);
    expect(herfindahl(by.map((e) => e.share))).toBeCloseTo(0.68, 12);
  });

  it("takes 1-day historical VaR and expected shortfall from the coins' daily returns", () => {
    // Day PnL = 1,000,000 x BTC - 500,000 x ETH: 0, -15,000, 25,000, -35,000, -20,000.
    const days = ["d1", "d2", "d3", "d4", "d5"];
    const series = (values: number[]) => new Map(days.map((d, i) => [d, values[i] as number]));
    const result = historicalVar(
      new Map([
        ["BTC", 1_000_000],
        ["ETH", -500_000],
      ]),
      new Map([
        ["BTC", series([0.01, -0.02, 0.03, -0.05, 0])],
        ["ETH", series([0.02, -0.01, 0.01, -0.03, 0.04])],
      ]),
    );
    // Sorted: -35,000, -20,000, -15,000, 0, 25,000. The 5th percentile sits 0.2 of the way from the
    // first to the second (-32,000); the 1st, 0.04 of the way (-34,400).
    expect(result.days).toBe(5);
    expect(result.var_95).toBeCloseTo(32_000, 6);
    expect(result.var_99).toBeCloseTo(34_400, 6);
    expect(result.expected_shortfall_95).toBeCloseTo(35_000, 6);
    expect(result.expected_shortfall_99).toBeCloseTo(35_000, 6);
  });

  it("uses only days every held coin has, and has nothing to say without positions", () => {
    const result = historicalVar(new Map([["A", 100]]), new Map([["A", new Map([["d1", -0.1]])]]));
    expect(result).toMatchObject({ days: 1, var_95: 10, var_99: 10 });
    expect(historicalVar(new Map(), new Map()).var_95).toBeNull();
    expect(quantile([1, 2, 3, 4, 5], 0.5)).toBe(3);
    expect(
      [
        ...returnsFromCloses([
          ["a", 100],
          ["b", 110],
          ["c", 99],
        ]).entries(),
      ].map(([d, r]) => [d, Number(r.toFixed(6))]),
    ).toEqual([
      ["b", 0.1],
      ["c", -0.1],
    ]);
  });
});
