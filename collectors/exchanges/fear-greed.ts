import type { Feed, FeedContext } from "../core/feed";
import { restGet } from "../core/rest-client";
import { runPolling } from "../core/rest-poller";
import { FearGreedNormalizer } from "./fear-greed-normalizer";

/** The crypto Fear & Greed index from alternative.me, hourly (it changes once a day; no documented limit). */
export const fearGreedFeed: Feed = {
  venue: "fear-greed",
  description: "Fear & Greed: alternative.me /fng/?limit=1 every hour",
  endpoints: { rest: "https://api.alternative.me" },
  probe: { endpoint: "rest", path: "/fng/?limit=1" },
  createNormalizer: () => new FearGreedNormalizer(),
  async run(ctx: FeedContext) {
    await runPolling(ctx, {
      name: "index",
      intervalMs: ctx.tuning.pollIntervalMs ?? 3_600_000,
      poll: async () => {
        const res = await restGet(ctx, "rest", "/fng/?limit=1&format=json");
        if (res.result.kind === "error") throw new Error(res.result.error);
      },
    });
  },
};
