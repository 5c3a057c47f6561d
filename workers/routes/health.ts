import { createRoute, z } from "@hono/zod-openapi";
import { liquidationFeed, marketBoard } from "../../durable-objects/addresses";
import { json } from "../http/openapi";
import { router } from "../http/router";
import { COLLECTED_METRICS } from "../metrics/collected-metrics";
import { scrapeTotals } from "../metrics/isolate-metrics";
import { notificationBacklog, notificationBacklogLines } from "../metrics/notification-backlog";
import { renderTotals } from "../metrics/prometheus";

/** Liveness, readiness and Prometheus metrics. */
export const healthRoutes = router();

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health",
    tags: ["Operations"],
    summary: "Liveness: the Worker answers",
    responses: { 200: json(z.object({ status: z.literal("ok"), timestamp: z.number().int() }), "Alive") },
  }),
  (c) => c.json({ status: "ok" as const, timestamp: Date.now() }, 200),
);

const Check = z.object({ ok: z.boolean(), detail: z.string().optional() });
const Ready = z.object({
  status: z.enum(["ready", "degraded", "unavailable"]),
  checks: z.object({ d1: Check, durable_objects: Check }),
  feeds: z.record(z.string(), z.object({ markets: z.number(), age_ms: z.number(), stale: z.boolean() })),
  fx: z.object({ age_ms: z.number(), stale: z.boolean() }).nullable(),
  /** Per liquidation venue: ms since the Worker last counted one (null: never). Informational: liquidations are bursty. */
  liquidation_feeds: z.record(z.string(), z.object({ last_received_age_ms: z.number().nullable() })),
  timestamp: z.number().int(),
});

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/health/ready",
    tags: ["Operations"],
    summary: "Readiness: D1 and the Durable Objects answer; feed freshness per venue",
    description: "503 when D1 or the objects fail; `degraded` (200) when a feed is stale or missing.",
    responses: { 200: json(Ready, "Ready or degraded"), 503: json(Ready, "Unavailable") },
  }),
  async (c) => {
    const [d1, board, liquidations] = await Promise.allSettled([
      c.env.DB.prepare("SELECT 1 AS one").first<{ one: number }>(),
      marketBoard(c.env).stats(),
      liquidationFeed(c.env).debug(),
    ]);
    const objectsOk = board.status === "fulfilled" && liquidations.status === "fulfilled";
    const checks = {
      d1: d1.status === "fulfilled" ? { ok: true } : { ok: false, detail: "D1 did not answer" },
      durable_objects: objectsOk
        ? { ok: true }
        : { ok: false, detail: "MarketBoard or LiquidationFeed did not answer" },
    };
    const now = Date.now();
    const liquidationFeeds = Object.fromEntries(
      Object.entries(liquidations.status === "fulfilled" ? liquidations.value.venues : {}).map(([venue, v]) => [
        venue,
        { last_received_age_ms: v.last_received_at === null ? null : now - v.last_received_at },
      ]),
    );
    const stats = board.status === "fulfilled" ? board.value : null;
    const feeds = Object.fromEntries(
      Object.entries(stats?.venues ?? {}).map(([venue, v]) => [
        venue,
        { markets: v.markets, age_ms: v.age_ms, stale: v.stale },
      ]),
    );
    const healthy = checks.d1.ok && checks.durable_objects.ok;
    const fresh =
      Object.keys(feeds).length > 0 && Object.values(feeds).every((f) => !f.stale) && stats?.fx?.stale === false;
    const status: z.infer<typeof Ready>["status"] = !healthy ? "unavailable" : fresh ? "ready" : "degraded";
    return c.json(
      { status, checks, feeds, fx: stats?.fx ?? null, liquidation_feeds: liquidationFeeds, timestamp: now },
      healthy ? 200 : 503,
    );
  },
);

healthRoutes.openapi(
  createRoute({
    method: "get",
    path: "/metrics",
    tags: ["Operations"],
    summary: "Prometheus metrics (text exposition format)",
    description:
      "Feeds, ingest, sockets per stream, liquidations, alert evaluations, the notification queues' backlog " +
      "and dead letters, and per-route request counts and latency histograms (totals over every isolate, " +
      "kept by the MetricsCollector object; `kimchi_scrape_source_up` says which sources answered).",
    responses: { 200: { description: "Metrics", content: { "text/plain": { schema: z.string() } } } },
  }),
  async (c) => {
    // The newer sources are optional: one that fails is left out (and marked down), not a failed scrape.
    const optional = Promise.allSettled([
      scrapeTotals(c.env),
      liquidationFeed(c.env).alertStatus(),
      notificationBacklog(c.env),
    ]);
    const [s, liq] = await Promise.all([marketBoard(c.env).stats(), liquidationFeed(c.env).debug()]);
    const [requests, liquidationAlerts, backlog] = await optional;
    const sources = { requests, liquidation_alerts: liquidationAlerts, notifications: backlog };
    for (const [source, r] of Object.entries(sources)) {
      if (r.status === "rejected") {
        console.warn(JSON.stringify({ msg: "metrics source failed", source, error: String(r.reason) }));
      }
    }
    const now = Date.now();
    const lines = [
      "# HELP kimchi_feed_age_seconds Age of the newest ticker per venue.",
      "# TYPE kimchi_feed_age_seconds gauge",
      ...Object.entries(s.venues).map(([v, f]) => `kimchi_feed_age_seconds{venue="${v}"} ${f.age_ms / 1000}`),
      "# HELP kimchi_markets Markets with a price per venue.",
      "# TYPE kimchi_markets gauge",
      ...Object.entries(s.venues).map(([v, f]) => `kimchi_markets{venue="${v}"} ${f.markets}`),
      "# HELP kimchi_fx_age_seconds Age of the USD/KRW rate.",
      "# TYPE kimchi_fx_age_seconds gauge",
      ...(s.fx ? [`kimchi_fx_age_seconds ${s.fx.age_ms / 1000}`] : []),
      "# HELP kimchi_websocket_subscribers Open WebSockets per stream: market and prices (on the board's shards), coin " +
        "(every /ws/prices/{symbol}, as each coin last answered a delivery), liquidations. /ws/user sockets live " +
        "in per-user objects and are not counted here (their opens are the route's 101 answers).",
      "# TYPE kimchi_websocket_subscribers gauge",
      ...Object.entries(s.subscribers).map(([k, n]) => `kimchi_websocket_subscribers{stream="${k}"} ${n}`),
      `kimchi_websocket_subscribers{stream="liquidations"} ${liq.subscribers}`,
      "# HELP kimchi_fanout_shards Fan-out shards per stream of the board's.",
      "# TYPE kimchi_fanout_shards gauge",
      ...Object.entries(s.fanout_shards).map(([k, n]) => `kimchi_fanout_shards{stream="${k}"} ${n}`),
      "# HELP kimchi_fanout_flushes_total Flushes the board sent to its shards, by outcome (skipped: the shard " +
        "was still busy with earlier ones; resync: of those published, the ones that re-snapshot a shard's sockets " +
        "after it missed some).",
      "# TYPE kimchi_fanout_flushes_total counter",
      ...Object.entries(s.fanout_flushes).map(([k, n]) => `kimchi_fanout_flushes_total{outcome="${k}"} ${n}`),
      "# HELP kimchi_fanout_snapshot_renders_total Snapshots the board rendered for its shards (all coins: at most one per flush).",
      "# TYPE kimchi_fanout_snapshot_renders_total counter",
      `kimchi_fanout_snapshot_renders_total ${s.fanout_snapshot_renders}`,
      "# HELP kimchi_ingest_batches_total Ingest batches since the board started, by outcome.",
      "# TYPE kimchi_ingest_batches_total counter",
      `kimchi_ingest_batches_total{outcome="applied"} ${s.batches_applied}`,
      `kimchi_ingest_batches_total{outcome="duplicate"} ${s.batches_duplicate}`,
      `kimchi_ingest_batches_total{outcome="conflict"} ${s.batches_conflict}`,
      "# HELP kimchi_ingest_events_total Ingest events applied since the board started.",
      "# TYPE kimchi_ingest_events_total counter",
      `kimchi_ingest_events_total ${s.events_applied}`,
      "# HELP kimchi_symbol_outbox Coins whose history the board has not yet delivered to their MarketSymbol.",
      "# TYPE kimchi_symbol_outbox gauge",
      `kimchi_symbol_outbox ${s.symbol_outbox}`,
      "# HELP kimchi_liquidations_total Liquidations per venue by outcome (counted once per venue id).",
      "# TYPE kimchi_liquidations_total counter",
      ...Object.entries(liq.venues).flatMap(([v, f]) => [
        `kimchi_liquidations_total{venue="${v}",outcome="accepted"} ${f.accepted}`,
        `kimchi_liquidations_total{venue="${v}",outcome="duplicate"} ${f.duplicates}`,
        `kimchi_liquidations_total{venue="${v}",outcome="too_old"} ${f.too_old}`,
        `kimchi_liquidations_total{venue="${v}",outcome="unpriced"} ${f.unpriced}`,
      ]),
      "# HELP kimchi_liquidation_feed_age_seconds Time since the Worker last counted a liquidation per venue.",
      "# TYPE kimchi_liquidation_feed_age_seconds gauge",
      ...Object.entries(liq.venues)
        .filter(([, f]) => f.last_received_at !== null)
        .map(
          ([v, f]) => `kimchi_liquidation_feed_age_seconds{venue="${v}"} ${(now - (f.last_received_at ?? now)) / 1000}`,
        ),
      "# HELP kimchi_liquidation_subscribers Open /ws/liquidations sockets.",
      "# TYPE kimchi_liquidation_subscribers gauge",
      `kimchi_liquidation_subscribers ${liq.subscribers}`,
      "# HELP kimchi_alert_evaluations_total Alert rules evaluated (one rule against one coin update or one " +
        "liquidation), since the object that reports them started.",
      "# TYPE kimchi_alert_evaluations_total counter",
      `kimchi_alert_evaluations_total{alerts="coin"} ${s.alert_evaluations}`,
      ...(liquidationAlerts.status === "fulfilled"
        ? [`kimchi_alert_evaluations_total{alerts="liquidation"} ${liquidationAlerts.value.evaluations}`]
        : []),
      "# HELP kimchi_alerts_fired_total Alerts fired, since the object that reports them started.",
      "# TYPE kimchi_alerts_fired_total counter",
      `kimchi_alerts_fired_total{alerts="coin"} ${s.alerts_fired}`,
      ...(liquidationAlerts.status === "fulfilled"
        ? [`kimchi_alerts_fired_total{alerts="liquidation"} ${liquidationAlerts.value.fired}`]
        : []),
      ...(backlog.status === "fulfilled" ? notificationBacklogLines(backlog.value) : []),
      ...(requests.status === "fulfilled" ? renderTotals(requests.value, COLLECTED_METRICS) : []),
      "# HELP kimchi_scrape_source_up Whether a source of this scrape answered (1) or was left out (0).",
      "# TYPE kimchi_scrape_source_up gauge",
      ...Object.entries(sources).map(
        ([source, r]) => `kimchi_scrape_source_up{source="${source}"} ${r.status === "fulfilled" ? 1 : 0}`,
      ),
    ];
    return c.text(`${lines.join("\n")}\n`, 200, { "Content-Type": "text/plain; version=0.0.4" });
  },
);
