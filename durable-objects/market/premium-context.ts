import type { PremiumContext, PremiumContextBasis, PremiumDistributionSummary } from "../../protocol/market";
import { type PremiumDistribution, percentileOf, zScoreOf } from "./premium-distribution";

/** A coin's premium distributions on both bases over the last 30 and 90 days, as its MarketSymbol sums them up. */
export interface PremiumWindows {
  "30d": { usd: PremiumDistribution | null; usdt: PremiumDistribution | null };
  "90d": { usd: PremiumDistribution | null; usdt: PremiumDistribution | null };
  as_of: number;
}

/** Whether any window holds a distribution (a day of hourly premiums on some basis). */
export function hasHistory(windows: PremiumWindows | null): boolean {
  if (!windows) return false;
  return [windows["30d"], windows["90d"]].some((w) => w.usd !== null || w.usdt !== null);
}

/** Where the current premiums sit in a coin's windows; null while they hold no history. */
export function premiumContext(
  windows: PremiumWindows,
  premium: { premium_percent: number | null; usdt_premium_percent: number | null },
): PremiumContext | null {
  if (!hasHistory(windows)) return null;
  return {
    premium_percent: basis(windows["30d"].usd, windows["90d"].usd, premium.premium_percent),
    usdt_premium_percent: basis(windows["30d"].usdt, windows["90d"].usdt, premium.usdt_premium_percent),
    samples_30d: Math.max(windows["30d"].usd?.samples ?? 0, windows["30d"].usdt?.samples ?? 0),
    samples_90d: Math.max(windows["90d"].usd?.samples ?? 0, windows["90d"].usdt?.samples ?? 0),
    as_of: windows.as_of,
  };
}

function basis(
  d30: PremiumDistribution | null,
  d90: PremiumDistribution | null,
  value: number | null,
): PremiumContextBasis | null {
  if (!d30 && !d90) return null;
  const round = (v: number | null) => (v === null ? null : Math.round(v * 100) / 100);
  return {
    percentile_30d: d30 && value !== null ? round(percentileOf(d30, value)) : null,
    z_score_30d: d30 && value !== null ? round(zScoreOf(d30, value)) : null,
    percentile_90d: d90 && value !== null ? round(percentileOf(d90, value)) : null,
    z_score_90d: d90 && value !== null ? round(zScoreOf(d90, value)) : null,
    min_30d: d30 ? d30.quantiles[0] : null,
    median_30d: d30 ? d30.quantiles[50] : null,
    max_30d: d30 ? d30.quantiles[100] : null,
  };
}

/** A distribution as the stats route shows it. */
export function distributionSummary(d: PremiumDistribution | null): PremiumDistributionSummary | null {
  if (!d) return null;
  const q = d.quantiles;
  return {
    samples: d.samples,
    min: q[0],
    p10: q[10],
    p25: q[25],
    median: q[50],
    p75: q[75],
    p90: q[90],
    max: q[100],
    mean: d.mean,
    std: d.std,
    from: d.from,
    to: d.to,
  };
}
