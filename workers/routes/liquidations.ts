import { createRoute, z } from "@hono/zod-openapi";
import { liquidationFeed } from "../../durable-objects/addresses";
import {
  filterOf,
  LiquidationAggregate,
  LiquidationDebug,
  LiquidationQuery,
  LiquidationSummary,
  LiquidationWindow,
  RecentLiquidations,
} from "../../protocol/liquidations";
import { json, problems } from "../http/openapi";
import { router } from "../http/router";
import { forwardUpgrade, upgradeResponses } from "../http/websocket-upgrade";
import { requireAdminOr } from "../middleware/auth";
import { collectorAuth } from "../middleware/collector-auth";
import { feedReads } from "../resilience/guarded-objects";

/**
 * Liquidations from Binance, Bybit, OKX and BitMEX: windowed statistics, the newest ones with
 * filters, the feed's state, and the live stream `/ws/liquidations`. Mounted at the root, since it
 * serves both `/api/liquidations/*` and `/ws/liquidations`.
 */
export const liquidationRoutes = router();

const completenessNote =
  "`completeness` is `sampled` for venues whose public feed carries at most one liquidation per symbol " +
  "per second (Binance, OKX): their figures are a floor, not a total. The total is `sampled` when any venue's is.";

liquidationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/liquidations/aggregated",
    tags: ["Liquidations"],
    summary: "Long and short liquidation totals per venue and overall over one window, and the largest",
    description:
      "Counts and values in USD and in KRW (at the current USD/KRW rate) of liquidated long and short " +
      "positions. A window is the current minute and the whole minutes before it (1h = 60 minutes). " +
      completenessNote,
    request: { query: z.object({ window: LiquidationWindow.default("24h") }) },
    responses: { 200: json(LiquidationAggregate, "Totals over the window"), ...problems(400) },
  }),
  async (c) => {
    const { window } = c.req.valid("query");
    return c.json(await feedReads(c).aggregated(window), 200);
  },
);

liquidationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/liquidations/summary",
    tags: ["Liquidations"],
    summary: "Totals for every window (1h, 4h, 12h, 24h), the largest of the last 24 h and the newest",
    description: `The same object is the \`liquidations\` member of \`GET /api/coins/latest\`. ${completenessNote}`,
    responses: { 200: json(LiquidationSummary, "The summary") },
  }),
  async (c) => c.json(await feedReads(c).summary(), 200),
);

liquidationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/liquidations/recent",
    tags: ["Liquidations"],
    summary: "The newest liquidations (of the last 1,000), newest first, with optional filters",
    request: { query: LiquidationQuery },
    responses: { 200: json(RecentLiquidations, "Liquidations, newest first"), ...problems(400) },
  }),
  async (c) => {
    const query = c.req.valid("query");
    return c.json(await feedReads(c).recent(filterOf(query), query.limit ?? 100), 200);
  },
);

liquidationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/liquidations/debug",
    tags: ["Liquidations"],
    summary: "Per-venue feed state: counts, duplicates, last event times, storage figures",
    description: "For operators: an admin's access token, or the collectors' bearer token.",
    security: [{ BearerAuth: [] }, { CollectorToken: [] }],
    middleware: [requireAdminOr(collectorAuth())] as const,
    responses: { 200: json(LiquidationDebug, "Feed state"), ...problems(401, 403) },
  }),
  async (c) => c.json(await liquidationFeed(c.env).debug(), 200),
);

liquidationRoutes.openapi(
  createRoute({
    method: "get",
    path: "/ws/liquidations",
    tags: ["WebSockets"],
    summary: "Live liquidations: a snapshot (the newest matching ones and the summary), then updates",
    description:
      "The query string takes the filters of `/api/liquidations/recent` (`limit` sizes the snapshot). " +
      "Updates (at most one per 50 ms, with increasing `seq`) carry the new liquidations that pass the " +
      'filters and the summary. Client messages: `{"op":"snapshot"}`, ' +
      '`{"op":"filter","venue":["binance"],"symbol":["BTC"],"min_usd":10000}`; the text `ping` is ' +
      "answered with `pong`. A client that sees a gap in `seq` asks for a snapshot.",
    request: { query: LiquidationQuery },
    responses: upgradeResponses("Server messages: `snapshot` first, then `update`s with increasing `seq`.", 400),
  }),
  (c) => forwardUpgrade(c.req.raw, liquidationFeed(c.env)),
);
