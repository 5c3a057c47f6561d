/**
 * A trader's daily report (Asia/Seoul day): the day's equity snapshot, fills, volume and fees, and
 * the trades closed that day, overall and per market; as JSON or as CSV (one row per market, then
 * the day's total).
 */
import { seoulDay } from "../../durable-objects/trading/account-book";
import type { DailyReport } from "../../protocol/analytics";
import { csvTable } from "../http/csv";
import { snapshotsBetween } from "./equity-snapshots";
import { fillHistory, krw } from "./fill-history";
import { closedTrades } from "./performance-math";
import { breakdown, tradeStatsKrw } from "./trade-breakdown";

const DAY_MS = 86_400_000;

export async function dailyReportOf(
  env: Env,
  userId: string,
  date: string | undefined,
  now: number,
): Promise<DailyReport> {
  const day = date ?? seoulDay(now);
  const start = Date.parse(`${day}T00:00:00+09:00`);
  const [snapshots, fills] = await Promise.all([snapshotsBetween(env, userId, day, day), fillHistory(env.DB, userId)]);
  const snapshot = snapshots[0] ?? null;
  // USDT amounts at the rate of the day's snapshot, else of the most recent rate the snapshots hold.
  const usdtKrw = snapshot?.usdt_krw ?? null;
  const onDay = (t: { timestamp: number }) => t.timestamp >= start && t.timestamp < start + DAY_MS;
  const trades = closedTrades(fills).filter(onDay);
  const dayFills = fills.filter(onDay);
  return {
    user_id: userId,
    date: day,
    equity_krw: snapshot?.equity_krw ?? null,
    fills: dayFills.length,
    volume_krw: dayFills.reduce((s, f) => s + krw(f.quantity * f.price, f.currency, usdtKrw), 0),
    fees_krw: dayFills.reduce((s, f) => s + krw(f.fee, f.currency, usdtKrw), 0),
    trades: tradeStatsKrw(trades, usdtKrw),
    by_coin: breakdown(trades, dayFills, (x) => x.symbol, usdtKrw),
  };
}

const HEADER = [
  "date",
  "market",
  "fills",
  "volume_krw",
  "fees_krw",
  "trades",
  "wins",
  "losses",
  "realized_pnl_krw",
  "equity_krw",
];

/** The report as CSV: a row per market, then `TOTAL` with the day's equity. */
export function dailyReportCsv(report: DailyReport): string {
  return csvTable(HEADER, [
    ...report.by_coin.map((b) => [
      report.date,
      b.key,
      b.fills,
      b.volume_krw,
      b.fees_krw,
      b.trades,
      b.wins,
      b.losses,
      b.realized_pnl_krw,
      null,
    ]),
    [
      report.date,
      "TOTAL",
      report.fills,
      report.volume_krw,
      report.fees_krw,
      report.trades.trades,
      report.trades.wins,
      report.trades.losses,
      report.trades.realized_pnl_krw,
      report.equity_krw,
    ],
  ]);
}
