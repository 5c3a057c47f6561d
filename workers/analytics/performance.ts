/**
 * `GET /api/analytics/performance`: a trader's equity curve (daily snapshots, then the account now),
 * returns, PnL, drawdown, Sharpe and Sortino, and trade statistics overall, per venue and per market.
 */
import { seoulDay } from "../../durable-objects/trading/account-book";
import type { Performance } from "../../protocol/analytics";
import type { Account, PnlSummary } from "../../protocol/trading";
import { ledgerValue } from "../http/ledger-result";
import type { AnalyticsReads } from "./analytics-reads";
import { snapshotsBetween } from "./equity-snapshots";
import { fillHistory } from "./fill-history";
import { closedTrades, dailyReturns, type EquityPoint, maxDrawdown, sharpe, sortino } from "./performance-math";
import { breakdown, tradeStatsKrw } from "./trade-breakdown";

const DAY_MS = 86_400_000;

export const PERFORMANCE_METHOD =
  "Equity: daily snapshots at Asia/Seoul midnight (cash plus positions at the venues' last prices, USDT at " +
  "USDT/KRW), then the account now. Returns: simple returns between consecutive points. Sharpe: mean over " +
  "sample standard deviation of the daily returns x sqrt(365), risk-free rate 0; Sortino: mean over downside " +
  "deviation (sqrt of the mean of squared negative returns) x sqrt(365); null with fewer than two returns. " +
  "Trades: each fill that reduces a position, at average cost, net of its fee; USDT amounts at today's USDT/KRW.";

/** The performance over `from`..`to` (Asia/Seoul days, inclusive), computed now. */
export async function performanceOf(
  env: Env,
  reads: Pick<AnalyticsReads, "ledger">,
  userId: string,
  range: { from?: string; to?: string },
  now: number,
): Promise<Performance> {
  const to = range.to ?? seoulDay(now);
  const from = range.from ?? seoulDay(now - 89 * DAY_MS);
  const { ledger } = reads;
  const [snapshots, accountResult, pnlResult, fills] = await Promise.all([
    snapshotsBetween(env, userId, from, to),
    ledger.account(),
    ledger.pnl(),
    fillHistory(env.DB, userId),
  ]);
  const account = ledgerValue(accountResult) as Account;
  const pnl = ledgerValue(pnlResult) as PnlSummary;
  const usdtKrw = account.rates.usdt_krw;

  const curve: EquityPoint[] = snapshots
    .filter((s) => s.equity_krw !== null)
    .map((s) => ({ date: s.day, equity: s.equity_krw as number }));
  if (to >= seoulDay(now) && account.equity_krw !== null) {
    curve.push({ date: new Date(now).toISOString(), equity: account.equity_krw });
  }
  const returns = dailyReturns(curve);
  const drawdown = maxDrawdown(curve);
  const first = curve[0];
  const last = curve[curve.length - 1];

  const fromMs = Date.parse(`${from}T00:00:00+09:00`);
  const toMs = Date.parse(`${to}T00:00:00+09:00`) + DAY_MS;
  const inRange = (t: { timestamp: number }) => t.timestamp >= fromMs && t.timestamp < toMs;
  const trades = closedTrades(fills).filter(inRange);
  const windowFills = fills.filter(inRange);

  return {
    user_id: userId,
    from,
    to,
    currency: "KRW",
    equity_curve: curve.map((p) => ({ date: p.date, equity_krw: p.equity })),
    total_return: first && last && first.equity > 0 ? last.equity / first.equity - 1 : null,
    daily_returns: returns.map((r, i) => ({ date: (curve[i + 1] as EquityPoint).date, return: r })),
    realized_pnl_krw: pnl.realized_pnl,
    unrealized_pnl_krw: pnl.unrealized_pnl,
    max_drawdown: {
      max_drawdown: drawdown.max_drawdown,
      peak_date: drawdown.peak_date,
      trough_date: drawdown.trough_date,
      duration_days: drawdown.duration_points,
      recovered: drawdown.recovered,
    },
    sharpe: sharpe(returns),
    sortino: sortino(returns),
    trades: tradeStatsKrw(trades, usdtKrw),
    by_venue: breakdown(trades, windowFills, (x) => x.venue, usdtKrw),
    by_coin: breakdown(trades, windowFills, (x) => x.symbol, usdtKrw),
    method: PERFORMANCE_METHOD,
    stale: account.stale || pnl.stale,
    timestamp: now,
  };
}
