/**
 * Analytics through the API in workerd: the daily equity snapshot (taken by the cron, once per day,
 * equal to cash plus positions at the prices it stored), the performance of a known equity curve and
 * of a known round trip, the risk of known positions against known daily candles (VaR and expected
 * shortfall worked by hand), and the daily report as JSON and CSV.
 */
import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { DailyReport, Performance, Risk } from "../../protocol/analytics";
import type { Fill } from "../../protocol/trading";
import { EQUITY_SNAPSHOT_CRON } from "../../workers/analytics/equity-snapshots";
import worker from "../../workers/index";
import { call } from "./support/auth";
import { batchOf, postIngest } from "./support/ingest";
import { uniqueBase } from "./support/liquidations";
import { candle } from "./support/market";
import { getJsonAs, newTrader, placed, rates, setPrices } from "./support/trading";

const DAY = 86_400_000;

interface SnapshotRow {
  day: string;
  equity_krw: number;
  cash_krw: number;
  cash_usdt: number;
  usdt_krw: number;
  positions: string;
}

async function snapshotRows(userId: string): Promise<SnapshotRow[]> {
  const { results } = await env.DB.prepare("SELECT * FROM equity_snapshots WHERE user_id = ? ORDER BY day")
    .bind(userId)
    .all<SnapshotRow>();
  return results;
}

describe("the daily equity snapshot", () => {
  it("is taken by the cron once per trader per day and equals cash plus positions at the stored prices", async () => {
    const krwCoin = uniqueBase();
    const usdtCoin = uniqueBase();
    await setPrices(krwCoin, { upbit: 50_000 });
    await setPrices(usdtCoin, { binance: 20 });
    const trader = await newTrader("snap");
    await placed(trader, { symbol: `${krwCoin}/KRW`, side: "BUY", order_type: "MARKET", quantity: 2 });
    await placed(trader, { symbol: `${usdtCoin}/USDT`, side: "SELL", order_type: "MARKET", quantity: 10 });

    const controller = createScheduledController({ cron: EQUITY_SNAPSHOT_CRON, scheduledTime: Date.now() });
    await worker.scheduled(controller, env);
    await worker.scheduled(controller, env); // a repeated run writes the same row, not a second one
    const rows = await snapshotRows(trader.userId);
    expect(rows).toHaveLength(1);
    const row = rows[0] as SnapshotRow;
    const positions = JSON.parse(row.positions) as { quantity: number; market_price: number; currency: string }[];
    expect(positions).toHaveLength(2);
    const valueKrw = positions.reduce(
      (s, p) => s + p.quantity * p.market_price * (p.currency === "USDT" ? row.usdt_krw : 1),
      0,
    );
    // The account's figures are rounded to the won's hundredth.
    expect(row.equity_krw).toBeCloseTo(row.cash_krw + row.cash_usdt * row.usdt_krw + valueKrw, 1);
  });

  it("reconciles for any mix of buys and sells (property, through the real ledger)", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 10_000, binance: 7 }, 10_000_000);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ sell: fc.boolean(), usdt: fc.boolean(), quantity: fc.integer({ min: 1, max: 20 }) }), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.integer({ min: 8_000, max: 12_000 }),
        async (trades, lastKrw) => {
          const trader = await newTrader("recon");
          for (const t of trades) {
            await placed(trader, {
              symbol: `${base}/${t.usdt ? "USDT" : "KRW"}`,
              side: t.sell ? "SELL" : "BUY",
              order_type: "MARKET",
              quantity: t.quantity,
            });
          }
          await setPrices(base, { upbit: lastKrw, binance: lastKrw / 1_400 }, 10_000_000);
          await worker.scheduled(
            createScheduledController({ cron: EQUITY_SNAPSHOT_CRON, scheduledTime: Date.now() }),
            env,
          );
          const [row] = await snapshotRows(trader.userId);
          const positions = JSON.parse((row as SnapshotRow).positions) as {
            quantity: number;
            market_price: number;
            currency: string;
          }[];
          const r = row as SnapshotRow;
          const value = positions.reduce(
            (s, p) => s + p.quantity * p.market_price * (p.currency === "USDT" ? r.usdt_krw : 1),
            0,
          );
          expect(r.equity_krw).toBeCloseTo(r.cash_krw + r.cash_usdt * r.usdt_krw + value, 1);
        },
      ),
      { numRuns: 8 },
    );
  });
});

describe("performance", () => {
  it("gives a known curve's drawdown, Sharpe and Sortino", async () => {
    const trader = await newTrader("curve");
    // 100, 110, 88, 121 (x 1,000,000) on four past days: returns 10 %, -20 %, 37.5 %.
    const days = ["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-04"];
    const equity = [100, 110, 88, 121].map((x) => x * 1_000_000);
    await env.DB.batch(
      days.map((day, i) =>
        env.DB.prepare(
          `INSERT INTO equity_snapshots (user_id, day, equity_krw, cash_krw, cash_usdt, usdt_krw, positions, stale, taken_at)
           VALUES (?, ?, ?, ?, 0, 1400, '[]', 0, ?)`,
        ).bind(trader.userId, day, equity[i], equity[i], Date.parse(`${day}T00:00:00+09:00`)),
      ),
    );
    const { status, body } = await getJsonAs<Performance>(
      trader,
      "/api/analytics/performance?from=2026-01-01&to=2026-01-04",
    );
    expect(status).toBe(200);
    expect(body.equity_curve.map((p) => p.equity_krw)).toEqual(equity);
    expect(body.total_return).toBeCloseTo(0.21, 12);
    expect(body.max_drawdown).toEqual({
      max_drawdown: expect.closeTo(0.2, 12),
      peak_date: "2026-01-02",
      trough_date: "2026-01-03",
      duration_days: 2,
      recovered: true,
    });
    // mean 0.0916667, sample sd 0.287591: x sqrt(365); downside deviation sqrt(0.04 / 3).
    expect(body.sharpe).toBeCloseTo(6.089522, 5);
    expect(body.sortino).toBeCloseTo(15.166609, 5);
    expect(body.method).toContain("sqrt(365)");
  });

  it("counts a round trip's trade at average cost net of the closing fee, per venue and coin", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 }, 10_000_000);
    const trader = await newTrader("trip");
    await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: 1 });
    await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: 1 });
    await setPrices(base, { upbit: 120_000 }, 10_000_000);
    await placed(trader, { symbol: `${base}/KRW`, side: "SELL", order_type: "MARKET", quantity: 1.5 });
    const fills = (await getJsonAs<{ items: Fill[] }>(trader, "/api/fills")).body.items.sort(
      (a, b) => a.timestamp - b.timestamp,
    );
    const [b1, b2, s] = fills as [Fill, Fill, Fill];
    const expected = (s.price - (b1.price + b2.price) / 2) * 1.5 - s.fee;

    const { body } = await getJsonAs<Performance>(trader, "/api/analytics/performance");
    expect(body.trades).toMatchObject({ trades: 1, wins: 1, losses: 0, win_rate: 1, profit_factor: null });
    expect(body.trades.realized_pnl_krw).toBeCloseTo(expected, 6);
    const coin = body.by_coin.find((x) => x.key === `${base}/KRW`);
    expect(coin).toMatchObject({ fills: 3, trades: 1 });
    expect(coin?.fees_krw).toBeCloseTo(b1.fee + b2.fee + s.fee, 6);
    expect(coin?.volume_krw).toBeCloseTo(b1.price + b2.price + 1.5 * s.price, 4);
    expect(body.by_venue.map((x) => x.key)).toEqual(["upbit"]);
    // The ledger's own realised PnL is before fees (it books them apart): the trade's plus its closing fee.
    expect(body.realized_pnl_krw).toBeCloseTo(expected + s.fee, 4);
  });

  it("refuses a range that ends before it starts, naming from", async () => {
    const trader = await newTrader("range");
    const res = await call("/api/analytics/performance?from=2026-02-01&to=2026-01-01", {
      token: trader.tokens.access_token,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("from");
  });
});

describe("risk", () => {
  it("takes exposure, leverage and a hand-worked 1-day VaR from known positions and daily candles", async () => {
    const [a, b] = [uniqueBase(), uniqueBase()];
    // Daily returns on five days: A 1 %, -2 %, 3 %, -5 %, 0 %; B 2 %, -1 %, 1 %, -3 %, 4 %; both close at
    // 1,000,000 yesterday (the last close is the price now, so today's open candle adds a 0 % day).
    const returnsA = [0.01, -0.02, 0.03, -0.05, 0];
    const returnsB = [0.02, -0.01, 0.01, -0.03, 0.04];
    const today = Math.floor(Date.now() / DAY) * DAY;
    const closes = (returns: number[]) => {
      const out = [1_000_000];
      for (let i = returns.length - 1; i >= 0; i--) out.unshift((out[0] as number) / (1 + (returns[i] as number)));
      return out; // six closes, the last yesterday's
    };
    const candles = (base: string, returns: number[]) =>
      closes(returns).map((close, i) =>
        candle("upbit", base, "1d", today - (6 - i) * DAY, [close, close, close, close]),
      );
    const res = await postIngest(batchOf([...rates(), ...candles(a, returnsA), ...candles(b, returnsB)]));
    expect(res.status).toBe(200);
    await setPrices(a, { upbit: 1_000_000 }, 100_000);
    await setPrices(b, { upbit: 1_000_000 }, 100_000);

    const trader = await newTrader("risk");
    await placed(trader, { symbol: `${a}/KRW`, side: "BUY", order_type: "MARKET", quantity: 1 });
    await placed(trader, { symbol: `${b}/KRW`, side: "SELL", order_type: "MARKET", quantity: 0.5 });
    const { status, body } = await getJsonAs<Risk>(trader, "/api/analytics/risk");
    expect(status).toBe(200);
    expect(body.gross_exposure_krw).toBeCloseTo(1_500_000, 6);
    expect(body.net_exposure_krw).toBeCloseTo(500_000, 6);
    expect(body.by_coin.map((e) => [e.key, e.share])).toEqual([
      [a, 1_000_000 / 1_500_000],
      [b, 500_000 / 1_500_000],
    ]);
    expect(body.concentration.largest).toBe(a);
    expect(body.gross_leverage).toBeCloseTo(1_500_000 / (body.equity_krw as number), 9);
    // Scenario PnL = 1,000,000 x A - 500,000 x B: 0, -15,000, 25,000, -35,000, -20,000, and 0 today.
    // Sorted: -35,000, -20,000, -15,000, 0, 0, 25,000. 5th percentile at 0.25 of the first step:
    // -31,250; 1st at 0.05: -34,250. Expected shortfall: the mean of what is at or below: -35,000.
    expect(body.value_at_risk.days).toBe(6);
    expect(body.value_at_risk.var_95_krw).toBeCloseTo(31_250, 4);
    expect(body.value_at_risk.var_99_krw).toBeCloseTo(34_250, 4);
    expect(body.value_at_risk.expected_shortfall_95_krw).toBeCloseTo(35_000, 4);
    expect(body.value_at_risk.expected_shortfall_99_krw).toBeCloseTo(35_000, 4);
    expect(body.limits.find((l) => l.limit === "max_open_orders")?.used).toBe(0);
  });
});

describe("the daily report", () => {
  it("sums the day's fills and trades, as JSON and as CSV", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 10_000 }, 10_000_000);
    const trader = await newTrader("daily");
    await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: 3 });
    await placed(trader, { symbol: `${base}/KRW`, side: "SELL", order_type: "MARKET", quantity: 1 });
    const { body } = await getJsonAs<DailyReport>(trader, "/api/analytics/reports/daily");
    expect(body).toMatchObject({ fills: 2, trades: { trades: 1 } });
    const res = await call("/api/analytics/reports/daily?format=csv", { token: trader.tokens.access_token });
    expect(res.headers.get("content-type")).toContain("text/csv");
    const lines = (await res.text()).trimEnd().split("\r\n");
    expect(lines[0]).toBe("date,market,fills,volume_krw,fees_krw,trades,wins,losses,realized_pnl_krw,equity_krw");
    expect(lines[1]).toMatch(new RegExp(`^${body.date},${base}/KRW,2,`));
    expect(lines[2]).toMatch(new RegExp(`^${body.date},TOTAL,2,`));
  });
});
