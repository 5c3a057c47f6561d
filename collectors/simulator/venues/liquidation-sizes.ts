import type { SimCoin } from "../market-model";
import { gaussian } from "../random";

/**
 * What the simulated futures venues share: which coins have perpetuals, and plausible random
 * liquidations (a log-normal notional around a few thousand dollars with a fat tail, majors more
 * often, the price a little through the market on the liquidated side).
 */

/** A random liquidation of a coin, in coin units and USD. */
export interface SimLiquidation {
  coin: SimCoin;
  /** The side of the position that was liquidated. */
  side: "long" | "short";
  /** Price per coin (USD). */
  price: number;
  /** Coins. */
  quantity: number;
  notionalUsd: number;
}

/** How many coins the simulated futures venues list (the first ones of the catalog: the real majors). */
export const SIM_FUTURES_COINS = 60;

/** The coins with perpetuals on the simulated futures venues: real majors, not USDT itself. */
export function futuresCoins(coins: readonly SimCoin[], count = SIM_FUTURES_COINS): SimCoin[] {
  return coins.filter((c) => c.base !== "USDT" && c.listings.binance).slice(0, count);
}

/** Rounds to `digits` significant digits (venues quote sizes and prices with limited precision). */
export function significant(value: number, digits = 6): number {
  return Number(value.toPrecision(digits));
}

/** A random liquidation among `coins` (earlier coins, the majors, more often). */
export function randomLiquidation(coins: readonly SimCoin[], random: () => number): SimLiquidation {
  const coin = coins[Math.min(coins.length - 1, Math.floor(coins.length * random() ** 2))];
  const side = random() < 0.5 ? "long" : "short";
  const notionalUsd = Math.min(3_000_000, Math.max(20, Math.exp(Math.log(3000) + 1.6 * gaussian(random))));
  // A long is closed by selling a little below the market, a short by buying a little above.
  const slip = 1 + (side === "long" ? -1 : 1) * random() * 0.002;
  const price = significant(coin.usdPrice * slip);
  return { coin, side, price, quantity: notionalUsd / price, notionalUsd };
}
