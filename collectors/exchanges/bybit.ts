import type { Feed, FeedContext } from "../core/feed";
import { restGet } from "../core/rest-client";
import { runPolling } from "../core/rest-poller";
import { BybitNormalizer } from "./bybit-normalizer";

/**
 * Bybit spot (USDT), REST polling every 5 s as the seed asks: one `GET /v5/market/tickers?category=spot`
 * returns every spot symbol. HTTP limit: 600 requests per 5 s per IP (above it, 403 and a 10 min ban).
 */
export const bybitFeed: Feed = {
  venue: "bybit",
  description: "Bybit spot: REST /v5/market/tickers?category=spot every 5 s (all symbols in one call)",
  endpoints: { rest: "https://api.bybit.com" },
  probe: { endpoint: "rest", path: "/v5/market/time" },
  createNormalizer: () => new BybitNormalizer(),
  async run(ctx: FeedContext) {
    await runPolling(ctx, {
      name: "tickers",
      intervalMs: ctx.tuning.pollIntervalMs ?? 5000,
      poll: async () => {
        const res = await restGet(ctx, "rest", "/v5/market/tickers?category=spot");
        if (res.result.kind === "error") throw new Error(`tickers answer not understood: ${res.result.error}`);
      },
    });
  },
};
