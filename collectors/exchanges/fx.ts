import type { Feed, FeedContext } from "../core/feed";
import { errorMessage } from "../core/log";
import { restGet } from "../core/rest-client";
import { runPolling } from "../core/rest-poller";
import { FxNormalizer } from "./fx-normalizer";

/**
 * USD/KRW every minute: Dunamu's forex quote (Hana Bank's notice rate, what Korean premium sites use;
 * undocumented, cached ~60 s by its users, stale on weekends), falling back to Frankfurter (ECB, daily)
 * when Dunamu fails or answers something unreadable. The provider is named in every event, so the two
 * series are never mixed silently.
 */
export const fxFeed: Feed = {
  venue: "fx",
  description: "USD/KRW: Dunamu /v1/forex/recent every 60 s, Frankfurter /v1/latest (ECB) as fallback",
  endpoints: { dunamu: "https://quotation-api-cdn.dunamu.com", frankfurter: "https://api.frankfurter.dev" },
  probe: { endpoint: "dunamu", path: "/v1/forex/recent?codes=FRX.KRWUSD" },
  createNormalizer: () => new FxNormalizer(),
  async run(ctx: FeedContext) {
    await runPolling(ctx, {
      name: "USD/KRW",
      intervalMs: ctx.tuning.pollIntervalMs ?? 60_000,
      poll: async () => {
        try {
          const res = await restGet(ctx, "dunamu", "/v1/forex/recent?codes=FRX.KRWUSD");
          if (res.result.kind === "data" && res.result.events.length > 0) return;
          throw new Error(res.result.kind === "error" ? res.result.error : "no rate in the answer");
        } catch (error) {
          if (ctx.signal.aborted) return;
          ctx.log.warn("Dunamu forex failed; using Frankfurter", { error: errorMessage(error) });
        }
        const res = await restGet(ctx, "frankfurter", "/v1/latest?from=USD&to=KRW");
        if (res.result.kind !== "data") throw new Error("Frankfurter answer not understood");
      },
    });
  },
};
