import type { Feed } from "../core/feed";
import { binanceFeed } from "./binance";
import { binanceFuturesFeed } from "./binance-futures";
import { bithumbFeed } from "./bithumb";
import { bitmexFeed } from "./bitmex";
import { bybitFeed } from "./bybit";
import { bybitLinearFeed } from "./bybit-linear";
import { fearGreedFeed } from "./fear-greed";
import { fxFeed } from "./fx";
import { okxFeed } from "./okx";
import { upbitFeed } from "./upbit";

/**
 * Every feed the collectors can run, one line each (see collectors/README.md, "Adding a venue").
 * `--venues` selects among them by `venue` id.
 */
export const FEEDS: readonly Feed[] = [
  upbitFeed,
  bithumbFeed,
  binanceFeed,
  bybitFeed,
  fxFeed,
  fearGreedFeed,
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
