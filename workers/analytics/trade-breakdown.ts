/** Trade statistics in KRW, overall and grouped by venue or market, from closed trades and fills. */
import { type HistoricFill, krw } from "./fill-history";
import { type ClosedTrade, tradeStats } from "./performance-math";

const currencyOf = (symbol: string) => (symbol.endsWith("/USDT") ? "USDT" : "KRW");

/** The API's trade figures (amounts in KRW) of some closed trades. */
export function tradeStatsKrw(trades: ClosedTrade[], usdtKrw: number | null) {
  const s = tradeStats(trades.map((t) => ({ pnl: krw(t.pnl, currencyOf(t.symbol), usdtKrw) })));
  return {
    trades: s.trades,
    wins: s.wins,
    losses: s.losses,
    win_rate: s.win_rate,
    profit_factor: s.profit_factor,
    average_win_krw: s.average_win,
    average_loss_krw: s.average_loss,
    realized_pnl_krw: s.realized_pnl,
  };
}

/** Figures per group (`keyOf` a venue or a market): the trades it closed, its fees, volume and fill count. */
export function breakdown(
  trades: ClosedTrade[],
  fills: HistoricFill[],
  keyOf: (x: { venue: string; symbol: string }) => string,
  usdtKrw: number | null,
) {
  const keys = new Set([...fills.map(keyOf), ...trades.map(keyOf)]);
  return [...keys]
    .map((key) => {
      const own = fills.filter((f) => keyOf(f) === key);
      return {
        key,
        ...tradeStatsKrw(
          trades.filter((t) => keyOf(t) === key),
          usdtKrw,
        ),
        fees_krw: own.reduce((s, f) => s + krw(f.fee, f.currency, usdtKrw), 0),
        volume_krw: own.reduce((s, f) => s + krw(f.quantity * f.price, f.currency, usdtKrw), 0),
        fills: own.length,
      };
    })
    .sort((a, b) => b.volume_krw - a.volume_krw);
}
