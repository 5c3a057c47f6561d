/**
 * `/metrics` beyond the feeds: per-route request counts and latency histograms (totals kept by the
 * MetricsCollector object, labelled by route pattern), the notification backlog and dead letters,
 * alert evaluations and sockets per stream.
 */
import { evictDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { metricsCollector } from "../../durable-objects/addresses";
import { newAccount, postJson } from "./support/auth";
import { batchOf, deliverCoinUpdates, postIngest } from "./support/ingest";
import { liquidation, uniqueBase } from "./support/liquidations";
import { setPrices } from "./support/trading";

async function metrics(): Promise<string> {
  const res = await exports.default.fetch("http://gateway/metrics");
  expect(res.status).toBe(200);
  return res.text();
}

/** The value of one exact series in the exposition (0 when absent). */
function seriesValue(text: string, series: string): number {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

/**
 * Reads `/metrics` until `done` holds: the scrape adds its own isolate's unflushed counts, but a
 * background flush started by an earlier request may land a moment later.
 */
async function metricsUntil(done: (text: string) => boolean, timeoutMs = 3_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const text = await metrics();
    if (done(text) || Date.now() > deadline) return text;
    await new Promise((r) => setTimeout(r, 20));
  }
}

const get = (path: string) => exports.default.fetch(`http://gateway${path}`);

describe("/metrics request figures", () => {
  it("counts requests by method, route pattern and status, never by raw path", async () => {
    const health = 'kimchi_http_requests_total{method="GET",route="/health",status="200",status_class="2xx"}';
    const price =
      'kimchi_http_requests_total{method="GET",route="/api/prices/:symbol",status="404",status_class="4xx"}';
    const unmatched = 'kimchi_http_requests_total{method="GET",route="unmatched",status="404",status_class="4xx"}';
    const before = await metrics();

    for (let i = 0; i < 3; i++) expect((await get("/health")).status).toBe(200);
    for (const symbol of ["NOSUCHA", "NOSUCHB"]) expect((await get(`/api/prices/${symbol}`)).status).toBe(404);
    expect((await get("/api/not-a-route/12345")).status).toBe(404);

    const after = await metricsUntil((t) => seriesValue(t, health) - seriesValue(before, health) >= 3);
    expect(seriesValue(after, health) - seriesValue(before, health)).toBe(3);
    expect(seriesValue(after, price) - seriesValue(before, price)).toBe(2);
    expect(seriesValue(after, unmatched) - seriesValue(before, unmatched)).toBe(1);
    expect(after).toContain("# TYPE kimchi_http_requests_total counter");
    expect(after).not.toContain("NOSUCHA");
    expect(after).not.toContain("12345");
  });

  it("keeps a latency histogram per route with cumulative buckets, a sum and a count", async () => {
    for (let i = 0; i < 4; i++) await get("/health");
    const text = await metricsUntil((t) =>
      /kimchi_http_request_duration_seconds_count\{method="GET",route="\/health"\} [4-9]/.test(t),
    );
    expect(text).toContain("# TYPE kimchi_http_request_duration_seconds histogram");
    const prefix = 'kimchi_http_request_duration_seconds_bucket{method="GET",route="/health",le=';
    const buckets = text
      .split("\n")
      .filter((l) => l.startsWith(prefix))
      .map((l) => ({ le: l.slice(prefix.length).split('"')[1], n: Number(l.split(" ").pop()) }));
    expect(buckets.map((b) => b.le)).toEqual([
      "0.005",
      "0.01",
      "0.025",
      "0.05",
      "0.1",
      "0.25",
      "0.5",
      "1",
      "2.5",
      "+Inf",
    ]);
    for (let i = 1; i < buckets.length; i++) expect(buckets[i].n).toBeGreaterThanOrEqual(buckets[i - 1].n);
    const count = seriesValue(text, 'kimchi_http_request_duration_seconds_count{method="GET",route="/health"}');
    expect(buckets.at(-1)?.n).toBe(count);
    expect(count).toBeGreaterThanOrEqual(4);
    expect(
      seriesValue(text, 'kimchi_http_request_duration_seconds_sum{method="GET",route="/health"}'),
    ).toBeGreaterThanOrEqual(0);
  });

  it("keeps the totals when the collector object is evicted", async () => {
    const series = 'kimchi_http_requests_total{method="GET",route="/health/ready",status="200",status_class="2xx"}';
    await get("/health/ready");
    const before = seriesValue(await metricsUntil((t) => seriesValue(t, series) >= 1), series);
    await evictDurableObject(metricsCollector(env));
    expect(seriesValue(await metrics(), series)).toBe(before);
  });

  it("counts ingested events by kind, candles and liquidations included", async () => {
    const base = uniqueBase();
    const series = 'kimchi_ingest_received_events_total{kind="liquidation"}';
    const before = seriesValue(await metrics(), series);
    await postIngest(
      batchOf([liquidation("binance", base, "long", 10, 1), liquidation("bybit", base, "short", 10, 2)]),
    );
    const after = await metricsUntil((t) => seriesValue(t, series) - before >= 2);
    expect(seriesValue(after, series) - before).toBe(2);
  });
});

describe("/metrics notification backlog", () => {
  it("shows unfinished deliveries by state and the dead letters waiting for a re-drive", async () => {
    const now = Date.now();
    const delivery = (id: string, status: string, leaseUntil = 0) =>
      env.DB.prepare(
        `INSERT INTO notification_deliveries
           (event_id, channel, target, user_id, event_type, status, attempts, lease_until, created_at, updated_at)
         VALUES (?, 'email', 'a@example.test', 'u1', 'order.filled', ?, 1, ?, ?, ?)`,
      ).bind(id, status, leaseUntil, now, now);
    const letter = (id: string, redrivenAt: number | null) =>
      env.DB.prepare(
        `INSERT INTO notification_dead_letters (id, event_id, event_type, user_id, reason, body, failed_at, redriven_at)
         VALUES (?, ?, 'order.filled', 'u1', 'provider refused', '{}', ?, ?)`,
      ).bind(id, `e-${id}`, now, redrivenAt);
    await env.DB.batch([
      delivery("p1", "pending"),
      delivery("p2", "pending"),
      delivery("s1", "sending", now + 600_000),
      delivery("x1", "sending", now - 1_000),
      delivery("d1", "sent"),
      delivery("d2", "failed"),
      letter("l1", null),
      letter("l2", null),
      letter("l3", now),
    ]);

    const text = await metrics();
    expect(seriesValue(text, 'kimchi_notification_deliveries_unfinished{status="pending"}')).toBe(2);
    expect(seriesValue(text, 'kimchi_notification_deliveries_unfinished{status="sending"}')).toBe(1);
    expect(seriesValue(text, 'kimchi_notification_deliveries_unfinished{status="lease_expired"}')).toBe(1);
    expect(seriesValue(text, "kimchi_notification_dead_letters")).toBe(2);
    // The queues' own backlog, as the runtime reports it.
    expect(text).toMatch(/^kimchi_queue_backlog_messages\{queue="notifications"\} \d+$/m);
    expect(text).toMatch(/^kimchi_queue_backlog_messages\{queue="notifications-dlq"\} \d+$/m);
    expect(text).toContain('kimchi_scrape_source_up{source="notifications"} 1');
  });
});

describe("/metrics objects' figures", () => {
  it("counts alert evaluations in the coins' objects and the liquidation feed", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 1_000, binance: 10 });
    await deliverCoinUpdates();
    const user = await newAccount("metrics");
    for (const body of [
      { kind: "price", symbol: base, venue: "upbit", direction: "above", threshold: 5_000 },
      { kind: "liquidation", symbol: base, min_usd: 50_000 },
    ]) {
      const res = await postJson("/api/alerts", body, { token: user.tokens.access_token });
      expect(res.status).toBe(201);
    }
    const before = await metrics();
    await setPrices(base, { upbit: 1_010, binance: 10 });
    await deliverCoinUpdates();
    await postIngest(batchOf([liquidation("binance", base, "long", 10, 1)]));

    const after = await metrics();
    const delta = (series: string) => seriesValue(after, series) - seriesValue(before, series);
    expect(delta('kimchi_alert_evaluations_total{alerts="coin"}')).toBeGreaterThanOrEqual(1);
    expect(delta('kimchi_alert_evaluations_total{alerts="liquidation"}')).toBe(1);
    expect(after).toMatch(/^kimchi_websocket_subscribers\{stream="coin"\} \d+$/m);
    expect(after).toMatch(/^kimchi_websocket_subscribers\{stream="liquidations"\} \d+$/m);
  });
});
