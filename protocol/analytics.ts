/**
 * Analytics as clients see them (seed: analytics-service): a trader's performance over a period
 * (`GET /api/analytics/performance`), the risk of the current positions (`GET /api/analytics/risk`)
 * and the daily report (`GET /api/analytics/reports/daily`). Money is in KRW (USDT amounts at the
 * Korean USDT/KRW market, as the ledger values them); ratios are fractions (0.25 is 25 %).
 */
import { z } from "zod";
import { EpochMs } from "./common";

const Day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, "a day such as 2026-12-04");

/** `from` and `to` (Asia/Seoul days, inclusive). Default: the last 90 days. */
export const PerformanceQuery = z
  .object({ from: Day.optional(), to: Day.optional() })
  .refine((q) => !q.from || !q.to || q.from <= q.to, { path: ["from"], message: "must not be after to" });

export const TradeStatsView = z.object({
  trades: z.number().int(),
  wins: z.number().int(),
  losses: z.number().int(),
  win_rate: z.number().nullable(),
  profit_factor: z.number().nullable(),
  average_win_krw: z.number().nullable(),
  average_loss_krw: z.number().nullable(),
  realized_pnl_krw: z.number(),
});

export const Breakdown = TradeStatsView.extend({
  key: z.string().meta({ description: "the venue, or the market (`BTC/KRW`)" }),
  fees_krw: z.number(),
  volume_krw: z.number(),
  fills: z.number().int(),
});

export const Performance = z
  .object({
    user_id: z.string(),
    from: Day,
    to: Day,
    currency: z.literal("KRW"),
    /** Daily snapshots (Asia/Seoul), then the account now as the last point. */
    equity_curve: z.array(z.object({ date: z.string(), equity_krw: z.number() })),
    total_return: z.number().nullable(),
    daily_returns: z.array(z.object({ date: z.string(), return: z.number() })),
    realized_pnl_krw: z.number(),
    unrealized_pnl_krw: z.number(),
    max_drawdown: z.object({
      max_drawdown: z.number(),
      peak_date: z.string().nullable(),
      trough_date: z.string().nullable(),
      duration_days: z.number().int(),
      recovered: z.boolean(),
    }),
    sharpe: z.number().nullable(),
    sortino: z.number().nullable(),
    trades: TradeStatsView,
    by_venue: z.array(Breakdown),
    by_coin: z.array(Breakdown),
    method: z.string(),
    stale: z.boolean(),
    timestamp: EpochMs,
  })
  .meta({ id: "Performance" });
export type Performance = z.infer<typeof Performance>;

const ExposureView = z.object({ key: z.string(), gross_krw: z.number(), net_krw: z.number(), share: z.number() });

export const Risk = z
  .object({
    user_id: z.string(),
    equity_krw: z.number().nullable(),
    gross_exposure_krw: z.number(),
    net_exposure_krw: z.number(),
    gross_leverage: z.number().nullable(),
    net_leverage: z.number().nullable(),
    by_coin: z.array(ExposureView),
    by_venue: z.array(ExposureView),
    by_currency: z.array(ExposureView),
    concentration: z.object({
      largest: z.string().nullable(),
      largest_share: z.number(),
      herfindahl: z.number(),
    }),
    limits: z.array(
      z.object({ limit: z.string(), value: z.number(), used: z.number().nullable(), share: z.number().nullable() }),
    ),
    value_at_risk: z.object({
      horizon_days: z.literal(1),
      days: z.number().int(),
      var_95_krw: z.number().nullable(),
      var_99_krw: z.number().nullable(),
      expected_shortfall_95_krw: z.number().nullable(),
      expected_shortfall_99_krw: z.number().nullable(),
    }),
    method: z.string(),
    stale: z.boolean(),
    timestamp: EpochMs,
  })
  .meta({ id: "Risk" });
export type Risk = z.infer<typeof Risk>;

export const DailyReportQuery = z.object({
  date: Day.optional(),
  format: z.enum(["json", "csv"]).default("json"),
});

export const DailyReport = z
  .object({
    user_id: z.string(),
    date: Day,
    /** The day's snapshot (null before the first daily run that day). */
    equity_krw: z.number().nullable(),
    fills: z.number().int(),
    volume_krw: z.number(),
    fees_krw: z.number(),
    trades: TradeStatsView,
    by_coin: z.array(Breakdown),
  })
  .meta({ id: "DailyReport" });
export type DailyReport = z.infer<typeof DailyReport>;
