import type { Endpoints, Feed } from "../core/feed";
import type { Normalizer } from "../core/frames";
import { collectCandles } from "./candle-collector";
import type { CandleVenue } from "./candle-venue";

/** What makes a venue's candle feed: its id, its live base URLs, its normaliser and its candle API. */
export interface CandleFeedSpec {
  /** The feed id (`upbit-candles`). */
  venue: string;
  description: string;
  endpoints: Endpoints;
  createNormalizer(): Normalizer;
  candles: CandleVenue;
}

/**
 * A candle feed: the venue's closed candles for every market its ticker feed has seen, backfilled and
 * kept up to date by the {@link collectCandles} collector; answered by the venue's own simulator module.
 */
export function candleFeed(spec: CandleFeedSpec): Feed {
  return {
    venue: spec.venue,
    description: spec.description,
    endpoints: spec.endpoints,
    simulatedBy: spec.candles.venue,
    createNormalizer: spec.createNormalizer,
    run: (ctx) => collectCandles(ctx, spec.candles),
  };
}
