/**
 * The performance figures, pure: daily returns of an equity curve, maximum drawdown and how long it
 * lasted, Sharpe and Sortino ratios, and the closed trades a fill history makes (average-cost method,
 * per venue and coin) with win rate, profit factor and average win and loss.
 *
 * Method (stated in the API's description too):
 * - returns are simple daily returns of equity between consecutive daily snapshots (Asia/Seoul days);
 * - Sharpe = mean / standard deviation (sample, n - 1) of the daily returns x sqrt(365), with a risk-free
 *   rate of 0 (crypto trades every day of the year); Sortino = mean / downside deviation x sqrt(365), the
 *   downside deviation being sqrt(sum(min(r, 0)^2) / n); both are null with fewer than two returns or
 *   no dispersion;
 * - a trade is a fill that reduces a position; its PnL is (fill price - average cost) x quantity closed
 *   (negated for shorts), less the fill's fee when it is in the same currency.
 */

export interface EquityPoint {
  /** The day (Asia/Seoul), `YYYY-MM-DD`, or an ISO time for an intraday point. */
  date: string;
  equity: number;
}

export interface Drawdown {
  /** The deepest fall from a peak, as a fraction of that peak (0.25 is 25 %). */
  max_drawdown: number;
  peak_date: string | null;
  trough_date: string | null;
  /** Points from the peak until equity was back at it (or until the last point, if it never was). */
  duration_points: number;
  recovered: boolean;
}

export const PERIODS_PER_YEAR = 365;

/** Simple returns between consecutive points (a point at zero or below starts nothing). */
export function dailyReturns(points: EquityPoint[]): number[] {
  const returns: number[] = [];
  for (let i = 1; i < points.length; i++) {
    const before = (points[i - 1] as EquityPoint).equity;
    if (before > 0) returns.push((points[i] as EquityPoint).equity / before - 1);
  }
  return returns;
}

/** The maximum drawdown of a curve: the deepest peak-to-trough fall, when it happened and how long it lasted. */
export function maxDrawdown(points: EquityPoint[]): Drawdown {
  let peak = Number.NEGATIVE_INFINITY;
  let peakIndex = -1;
  let worst: Drawdown = { max_drawdown: 0, peak_date: null, trough_date: null, duration_points: 0, recovered: true };
  let worstPeakIndex = -1;
  points.forEach((p, i) => {
    if (p.equity > peak) {
      peak = p.equity;
      peakIndex = i;
    }
    const fall = peak > 0 ? (peak - p.equity) / peak : 0;
    if (fall > worst.max_drawdown) {
      worst = {
        max_drawdown: fall,
        peak_date: points[peakIndex]?.date ?? null,
        trough_date: p.date,
        duration_points: 0,
        recovered: false,
      };
      worstPeakIndex = peakIndex;
    }
  });
  if (worstPeakIndex < 0) return worst;
  const peakEquity = (points[worstPeakIndex] as EquityPoint).equity;
  const back = points.findIndex((p, i) => i > worstPeakIndex && p.equity >= peakEquity);
  worst.recovered = back >= 0;
  worst.duration_points = (back >= 0 ? back : points.length - 1) - worstPeakIndex;
  return worst;
}

function mean(values: number[]): number {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

/** Annualised Sharpe ratio of daily returns (risk-free 0), or null when it is undefined. */
export function sharpe(returns: number[], periodsPerYear = PERIODS_PER_YEAR): number | null {
  if (returns.length < 2) return null;
  const m = mean(returns);
  const variance = returns.reduce((s, r) => s + (r - m) ** 2, 0) / (returns.length - 1);
  if (variance <= 0) return null;
  return (m / Math.sqrt(variance)) * Math.sqrt(periodsPerYear);
}

/** Annualised Sortino ratio of daily returns (target 0), or null when it is undefined. */
export function sortino(returns: number[], periodsPerYear = PERIODS_PER_YEAR): number | null {
  if (returns.length < 2) return null;
  const downside = Math.sqrt(returns.reduce((s, r) => s + Math.min(r, 0) ** 2, 0) / returns.length);
  if (downside <= 0) return null;
  return (mean(returns) / downside) * Math.sqrt(periodsPerYear);
}

/** A fill as the replay needs it. */
export interface FillInput {
  venue: string;
  /** The market, `BTC/KRW`. */
  symbol: string;
  side: "BUY" | "SELL";
  quantity: number;
  price: number;
  fee: number;
  timestamp: number;
}

/** A fill that reduced a position: what it closed and what that earned, in the market's quote currency. */
export interface ClosedTrade {
  venue: string;
  symbol: string;
  quantity: number;
  pnl: number;
  timestamp: number;
}

/** Replays fills oldest first through average-cost positions and returns the trades that closed something. */
export function closedTrades(fills: FillInput[]): ClosedTrade[] {
  const held = new Map<string, { quantity: number; avg: number }>();
  const trades: ClosedTrade[] = [];
  for (const fill of [...fills].sort((a, b) => a.timestamp - b.timestamp)) {
    const key = `${fill.venue}|${fill.symbol}`;
    const position = held.get(key) ?? { quantity: 0, avg: 0 };
    const change = fill.side === "BUY" ? fill.quantity : -fill.quantity;
    const reduces = position.quantity !== 0 && Math.sign(change) !== Math.sign(position.quantity);
    if (reduces) {
      const closed = Math.min(Math.abs(change), Math.abs(position.quantity));
      const perUnit = position.quantity > 0 ? fill.price - position.avg : position.avg - fill.price;
      trades.push({
        venue: fill.venue,
        symbol: fill.symbol,
        quantity: closed,
        pnl: perUnit * closed - fill.fee,
        timestamp: fill.timestamp,
      });
    }
    const next = round(position.quantity + change);
    if (next === 0) held.set(key, { quantity: 0, avg: 0 });
    else if (position.quantity === 0 || Math.sign(next) !== Math.sign(position.quantity))
      held.set(key, { quantity: next, avg: fill.price });
    else if (!reduces) {
      held.set(key, { quantity: next, avg: (position.quantity * position.avg + change * fill.price) / next });
    } else held.set(key, { quantity: next, avg: position.avg });
  }
  return trades;
}

export interface TradeStats {
  trades: number;
  wins: number;
  losses: number;
  win_rate: number | null;
  /** Gross profit over gross loss; null without a losing trade. */
  profit_factor: number | null;
  average_win: number | null;
  average_loss: number | null;
  realized_pnl: number;
}

/** Win rate, profit factor and average win and loss of some closed trades (amounts in one currency). */
export function tradeStats(trades: { pnl: number }[]): TradeStats {
  const wins = trades.filter((t) => t.pnl > 0);
  const losses = trades.filter((t) => t.pnl < 0);
  const grossProfit = wins.reduce((s, t) => s + t.pnl, 0);
  const grossLoss = -losses.reduce((s, t) => s + t.pnl, 0);
  return {
    trades: trades.length,
    wins: wins.length,
    losses: losses.length,
    win_rate: trades.length > 0 ? wins.length / trades.length : null,
    profit_factor: grossLoss > 0 ? grossProfit / grossLoss : null,
    average_win: wins.length > 0 ? grossProfit / wins.length : null,
    average_loss: losses.length > 0 ? -grossLoss / losses.length : null,
    realized_pnl: grossProfit - grossLoss,
  };
}

function round(q: number): number {
  return Math.round(q * 1e10) / 1e10;
}
