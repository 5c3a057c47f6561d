import type { Feed, FeedContext } from "../core/feed";
import { parseJson } from "../core/parse";
import { restGet } from "../core/rest-client";
import { runPolling } from "../core/rest-poller";
import { BithumbNormalizer } from "./bithumb-normalizer";
import { krwMarketCodes } from "./upbit-normalizer";

/** Codes per `/v1/ticker` request: Bithumb answers 400 above 200 (changelog 2026-10-13). */
export const BITHUMB_CODES_PER_REQUEST = 100;

/**
 * Bithumb (KRW), REST polling every 3 s as the seed asks: `GET /v1/market/all` for every KRW market
 * (refreshed every 10 min), then `GET /v1/ticker?markets=...` in chunks of 100. Public REST allows
 * 150 req/s per IP per category, so 3-4 requests every 3 s are far below it.
 */
export const bithumbFeed: Feed = {
  venue: "bithumb",
  description: "Bithumb: REST /v1/ticker for every KRW market every 3 s (chunks of 100); /v1/market/all every 10 min",
  endpoints: { rest: "https://api.bithumb.com" },
  probe: { endpoint: "rest", path: "/v1/market/all" },
  createNormalizer: () => new BithumbNormalizer(),
  async run(ctx: FeedContext) {
    let codes: string[] = [];
    let listedAt = 0;
    const refreshMs = ctx.tuning.refreshMs ?? 10 * 60_000;
    await runPolling(ctx, {
      name: "tickers",
      intervalMs: ctx.tuning.pollIntervalMs ?? 3000,
      poll: async () => {
        if (codes.length === 0 || Date.now() - listedAt > refreshMs) {
          const res = await restGet(ctx, "rest", "/v1/market/all?isDetails=false");
          const list = krwMarketCodes(parseJson(res.text));
          if (list.length > 0) {
            codes = list;
            listedAt = Date.now();
          } else if (codes.length === 0) {
            throw new Error("the market list had no KRW markets");
          }
        }
        for (let i = 0; i < codes.length; i += BITHUMB_CODES_PER_REQUEST) {
          const chunk = codes.slice(i, i + BITHUMB_CODES_PER_REQUEST);
          await restGet(ctx, "rest", `/v1/ticker?markets=${chunk.join(",")}`);
        }
      },
    });
  },
};
