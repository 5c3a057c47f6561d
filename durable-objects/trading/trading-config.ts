import type { RiskLimits } from "../../protocol/trading";
import type { PerCurrency } from "./records";

/** What the paper-trading desk is configured with (wrangler vars; every one has a default). */
export interface TradingConfig {
  /** A new (or reset) account's cash: 10,000,000 KRW and 10,000 USDT. */
  startingCash: PerCurrency;
  /** Every account's limits until the user or an admin changes them (the seed's RiskManager, plus two). */
  defaultLimits: RiskLimits;
  /** A market order pays this much above the last price (buys; below for sells), in basis points... */
  slippageBaseBps: number;
  /** ...plus this many basis points times the square root of the order's share of the 24 h traded value... */
  slippageImpactBps: number;
  /** ...at most this many in all. */
  slippageMaxBps: number;
  /** A resting order fills at most this share of the volume the venue traded since it began to rest. */
  participation: number;
  /** A price older than this fills nothing (ms). */
  priceStaleMs: number;
}

function numberVar(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return value !== undefined && value !== "" && Number.isFinite(n) && n >= 0 ? n : fallback;
}

function decimalVar(value: string | undefined, fallback: string): string {
  return value !== undefined && /^\d{1,15}(\.\d{1,8})?$/.test(value) ? value : fallback;
}

/** The configuration from the Worker's vars (wrangler.toml; a missing or malformed one takes its default). */
export function readTradingConfig(env: Env): TradingConfig {
  const vars: Partial<Record<string, string>> = env as unknown as Record<string, string>;
  return {
    startingCash: {
      KRW: decimalVar(vars.PAPER_STARTING_KRW, "10000000"),
      USDT: decimalVar(vars.PAPER_STARTING_USDT, "10000"),
    },
    defaultLimits: {
      max_position_value_usd: numberVar(vars.RISK_MAX_POSITION_USD, 1_000_000),
      max_leverage: numberVar(vars.RISK_MAX_LEVERAGE, 10),
      max_daily_loss_usd: numberVar(vars.RISK_MAX_DAILY_LOSS_USD, 100_000),
      max_open_orders: numberVar(vars.RISK_MAX_OPEN_ORDERS, 200),
      loss_cooldown_minutes: numberVar(vars.RISK_LOSS_COOLDOWN_MINUTES, 60),
    },
    slippageBaseBps: numberVar(vars.SLIPPAGE_BASE_BPS, 2),
    slippageImpactBps: numberVar(vars.SLIPPAGE_IMPACT_BPS, 1000),
    slippageMaxBps: numberVar(vars.SLIPPAGE_MAX_BPS, 500),
    participation: numberVar(vars.FILL_PARTICIPATION, 0.1),
    priceStaleMs: numberVar(vars.TICKER_STALE_MS, 30_000),
  };
}
