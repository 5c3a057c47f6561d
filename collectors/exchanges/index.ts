import type { Feed } from "../core/feed";
import { binanceFeed } from "./binance";
import { binanceCandlesFeed } from "./binance-candles";
import { binanceFuturesFeed } from "./binance-futures";
import { bithumbFeed } from "./bithumb";
import { bithumbCandlesFeed } from "./bithumb-candles";
import { bitmexFeed } from "./bitmex";
import { bybitFeed } from "./bybit";
import { bybitCandlesFeed } from "./bybit-candles";
import { bybitLinearFeed } from "./bybit-linear";
import { fearGreedFeed } from "./fear-greed";
import { fxFeed } from "./fx";
import { fxHistoryFeed } from "./fx-history";
import { okxFeed } from "./okx";
import { upbitFeed } from "./upbit";
import { upbitCandlesFeed } from "./upbit-candles";

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
  // history: closed candles of the markets the feeds above list, and USD/KRW by day
  upbitCandlesFeed,
  bithumbCandlesFeed,
  binanceCandlesFeed,
  bybitCandlesFeed,
  fxHistoryFeed,
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
