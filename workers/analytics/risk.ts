/**
 * `GET /api/analytics/risk`: the current positions' exposure by coin, venue and currency, gross and
 * net leverage, concentration, each risk limit's use, and a one-day historical VaR and expected
 * shortfall from each held market's own daily candles (up to 90 days).
 */

import { seoulDay } from "../../durable-objects/trading/account-book";
import type { Risk } from "../../protocol/analytics";
import type { CandleRow } from "../../protocol/market";
import type { Account, Position } from "../../protocol/trading";
import type { MarketVenue } from "../../protocol/venues";
import { ledgerValue } from "../http/ledger-result";
import type { AnalyticsReads } from "./analytics-reads";
import { krw } from "./fill-history";
import { type ExposureInput, exposureBy, herfindahl, historicalVar, returnsFromCloses } from "./risk-math";

const VAR_DAYS = 90;

export const RISK_METHOD =
  "Exposure: each position at its venue's last price in KRW (USDT at USDT/KRW); gross = sum of |value|, net = " +
  "sum of value; leverage = exposure / equity. Concentration: the largest coin's share of gross exposure and " +
  "the Herfindahl index of the coins' shares. VaR: 1-day historical simulation over up to 90 days of each " +
  "held market's daily closes (days every held market has), scenario PnL = sum(value x return); the loss " +
  "at the 5th and 1st percentiles (interpolated), expected shortfall the mean loss beyond them.";

/** Daily returns of one market (venue and coin), keyed by Asia/Seoul day. */
async function dailyReturnsOf(reads: AnalyticsReads, venue: MarketVenue, base: string): Promise<Map<string, number>> {
  try {
    const rows = (await reads.symbol(base).candles(venue, "1d", VAR_DAYS + 1)) as CandleRow[];
    return returnsFromCloses(rows.map((r) => [seoulDay(r[0]), r[4]]));
  } catch {
    return new Map(); // no history: this market leaves the VaR with no common day
  }
}

export async function riskOf(reads: AnalyticsReads, userId: string, now: number): Promise<Risk> {
  const { ledger } = reads;
  const [accountResult, positionsResult] = await Promise.all([ledger.account(), ledger.positions()]);
  const account = ledgerValue(accountResult) as Account;
  const positions = ledgerValue(positionsResult) as Position[];
  const usdtKrw = account.rates.usdt_krw;

  const exposures: ExposureInput[] = positions.map((p) => ({
    venue: p.venue,
    base: p.symbol.split("/")[0] as string,
    currency: p.currency,
    value_krw: krw(p.market_value ?? p.quantity * p.avg_price, p.currency, usdtKrw),
  }));
  const gross = exposures.reduce((s, e) => s + Math.abs(e.value_krw), 0);
  const net = exposures.reduce((s, e) => s + e.value_krw, 0);
  const equity = account.equity_krw;
  const byCoin = exposureBy(exposures, (e) => e.base);

  const markets = exposures.map((e) => `${e.venue}|${e.base}`);
  const valueByMarket = new Map<string, number>();
  for (const e of exposures)
    valueByMarket.set(`${e.venue}|${e.base}`, (valueByMarket.get(`${e.venue}|${e.base}`) ?? 0) + e.value_krw);
  const returns = new Map(
    await Promise.all(
      [...new Set(markets)].map(async (m) => {
        const [venue, base] = m.split("|") as [MarketVenue, string];
        return [m, await dailyReturnsOf(reads, venue, base)] as const;
      }),
    ),
  );
  const risk = historicalVar(valueByMarket, returns);

  const { limits, usage } = account;
  const limit = (name: string, value: number, used: number | null) => ({
    limit: name,
    value,
    used,
    share: used === null || value <= 0 ? null : used / value,
  });
  return {
    user_id: userId,
    equity_krw: equity,
    gross_exposure_krw: gross,
    net_exposure_krw: net,
    gross_leverage: equity && equity > 0 ? gross / equity : null,
    net_leverage: equity && equity > 0 ? net / equity : null,
    by_coin: byCoin,
    by_venue: exposureBy(exposures, (e) => e.venue),
    by_currency: exposureBy(exposures, (e) => e.currency),
    concentration: {
      largest: byCoin[0]?.key ?? null,
      largest_share: byCoin[0]?.share ?? 0,
      herfindahl: herfindahl(byCoin.map((e) => e.share)),
    },
    limits: [
      limit("max_position_value_usd", limits.max_position_value_usd, usage.largest_position_value_usd),
      limit("max_leverage", limits.max_leverage, usage.leverage),
      limit("max_daily_loss_usd", limits.max_daily_loss_usd, Math.max(0, -usage.daily_realized_pnl_usd)),
      limit("max_open_orders", limits.max_open_orders, usage.open_orders),
    ],
    value_at_risk: {
      horizon_days: 1,
      days: risk.days,
      var_95_krw: risk.var_95,
      var_99_krw: risk.var_99,
      expected_shortfall_95_krw: risk.expected_shortfall_95,
      expected_shortfall_99_krw: risk.expected_shortfall_99,
    },
    method: RISK_METHOD,
    stale: account.stale,
    timestamp: now,
  };
}
