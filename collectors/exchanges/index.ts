import type { Feed } from "../core/feed";
import { binance } from "./binance";
import { binanceFuturesFeed } from "./binance-futures";
import { bithumb } from "./bithumb";
import { bitmexFeed } from "./bitmex";
import { bybit } from "./bybit";
import { bybitLinearFeed } from "./bybit-linear";
import { fearGreed } from "./fear-greed";
import { fx } from "./fx";
import { okxFeed } from "./okx";
import { upbit } from "./upbit";

/**
 * Every feed the collectors can run, one line each (see collectors/README.md, "Adding a venue").
 * `--venues` selects among them by `venue` id.
 */
export const FEEDS: readonly Feed[] = [
  upbit,
  bithumb,
  binance,
  bybit,
  fx,
  fearGreed,
  // liquidation venues
  binanceFuturesFeed,
  bybitLinearFeed,
  okxFeed,
  bitmexFeed,
];

/** A feed by id, or undefined. */
export function feedById(venue: string): Feed | undefined {
  return FEEDS.find((f) => f.venue === venue);
}
