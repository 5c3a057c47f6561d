import { createRoute, z } from "@hono/zod-openapi";
import { marketSymbol } from "../../durable-objects/addresses";
import { Base, MarketVenue, Quote } from "../../protocol/common";
import { CandleCoverageAnswer } from "../../protocol/ingest";
import { isBoardMarket } from "../../protocol/venues";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { collectorAuth } from "../middleware/collector-auth";

/** What the collectors ask before fetching candles: which ranges of a market are covered already. */
export const candleCoverageRoutes = router();

candleCoverageRoutes.openapi(
  createRoute({
    method: "get",
    path: "/coverage",
    tags: ["Ingest"],
    summary: "The candle ranges of one market the collectors have covered",
    description:
      "Per resolution (1m, 1h, 1d), the sorted, merged, half-open ranges of `open_time` every candle of " +
      "which the collectors have sent (`candle_coverage` events), within retention. A collector fetches " +
      "the rest after a restart or an outage. A market that is not on the board (not KRW on a Korean " +
      "venue, not USDT on a global one) has none. Requires the collectors' bearer token.",
    security: [{ CollectorToken: [] }],
    middleware: [collectorAuth()] as const,
    request: { query: z.object({ venue: MarketVenue, base: Base, quote: Quote }) },
    responses: { 200: json(CandleCoverageAnswer, "Covered ranges per resolution"), ...problems(400, 401) },
  }),
  async (c) => {
    const { venue, base, quote } = c.req.valid("query");
    const intervals = isBoardMarket(venue, quote)
      ? await marketSymbol(c.env, base).candleCoverage(venue)
      : { "1m": [], "1h": [], "1d": [] };
    return c.json({ venue, base, quote, intervals: intervals as CandleCoverageAnswer["intervals"] }, 200);
  },
);
