/**
 * The risk figures, pure: exposure by coin, venue and currency, gross and net leverage,
 * concentration, and a one-day historical Value at Risk and expected shortfall of the current
 * positions from the coins' own daily returns.
 *
 * Method: each past day's scenario PnL is sum(position value in KRW x that coin's return that day),
 * over the days every held coin has a return; VaR at 95 % (99 %) is the loss at the 5th (1st)
 * percentile of those scenarios (linear interpolation between order statistics), expected shortfall
 * the mean loss at or beyond it. Both are reported as positive KRW amounts (0 when no scenario loses).
 */

export interface ExposureInput {
  venue: string;
  base: string;
  currency: string;
  /** Signed market value in KRW (negative for a short). */
  value_krw: number;
}

export interface Exposure {
  key: string;
  gross_krw: number;
  net_krw: number;
  /** Gross over the account's total gross (0..1). */
  share: number;
}

/** Gross and net exposure grouped by `keyOf`, largest gross first. */
export function exposureBy(positions: ExposureInput[], keyOf: (p: ExposureInput) => string): Exposure[] {
  const total = positions.reduce((s, p) => s + Math.abs(p.value_krw), 0);
  const groups = new Map<string, { gross: number; net: number }>();
  for (const p of positions) {
    const g = groups.get(keyOf(p)) ?? { gross: 0, net: 0 };
    g.gross += Math.abs(p.value_krw);
    g.net += p.value_krw;
    groups.set(keyOf(p), g);
  }
  return [...groups.entries()]
    .map(([key, g]) => ({ key, gross_krw: g.gross, net_krw: g.net, share: total > 0 ? g.gross / total : 0 }))
    .sort((a, b) => b.gross_krw - a.gross_krw);
}

/** Herfindahl-Hirschman index of the shares (1 is everything in one place, 1/n is spread evenly). */
export function herfindahl(shares: number[]): number {
  return shares.reduce((s, x) => s + x * x, 0);
}

/** The value at the `q` quantile (0..1) of sorted values, interpolating linearly between neighbours. */
export function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const position = (sorted.length - 1) * q;
  const below = Math.floor(position);
  const above = Math.ceil(position);
  const low = sorted[below] as number;
  return low + ((sorted[above] as number) - low) * (position - below);
}

export interface VarResult {
  /** Scenario days used. */
  days: number;
  var_95: number | null;
  var_99: number | null;
  expected_shortfall_95: number | null;
  expected_shortfall_99: number | null;
}

/**
 * Historical VaR and expected shortfall of positions `valueByCoin` (KRW, signed) from `returnsByCoin`
 * (each coin's daily returns by day). Days where a held coin has no return are left out.
 */
export function historicalVar(
  valueByCoin: Map<string, number>,
  returnsByCoin: Map<string, Map<string, number>>,
): VarResult {
  const coins = [...valueByCoin.keys()];
  const empty = { days: 0, var_95: null, var_99: null, expected_shortfall_95: null, expected_shortfall_99: null };
  if (coins.length === 0) return empty;
  const days = [...(returnsByCoin.get(coins[0] as string)?.keys() ?? [])].filter((day) =>
    coins.every((c) => returnsByCoin.get(c)?.has(day)),
  );
  if (days.length === 0) return empty;
  const pnl = days
    .map((day) =>
      coins.reduce((s, c) => s + (valueByCoin.get(c) as number) * (returnsByCoin.get(c)?.get(day) as number), 0),
    )
    .sort((a, b) => a - b);
  const loss = (q: number) => Math.max(0, -quantile(pnl, q));
  const shortfall = (q: number) => {
    const cut = quantile(pnl, q);
    const tail = pnl.filter((x) => x <= cut);
    return Math.max(0, -(tail.reduce((s, x) => s + x, 0) / tail.length));
  };
  return {
    days: days.length,
    var_95: loss(0.05),
    var_99: loss(0.01),
    expected_shortfall_95: shortfall(0.05),
    expected_shortfall_99: shortfall(0.01),
  };
}

/** Daily returns by day from daily closes (`[day, close]`, oldest first). */
export function returnsFromCloses(closes: [string, number][]): Map<string, number> {
  const returns = new Map<string, number>();
  for (let i = 1; i < closes.length; i++) {
    const [, before] = closes[i - 1] as [string, number];
    const [day, close] = closes[i] as [string, number];
    if (before > 0) returns.set(day, close / before - 1);
  }
  return returns;
}
