import { DurableObject } from "cloudflare:workers";
import {
  addHistogram,
  emptyDelta,
  emptyHistogram,
  type HistogramFigures,
  isHistogram,
  type MetricDelta,
} from "./metrics/metric-delta";

/** Most series kept; a new series past this is dropped (and counted), so a labelling bug cannot grow storage without bound. */
const MAX_SERIES = 5_000;
/** The counter that counts dropped series. */
const DROPPED_SERIES = "kimchi_metrics_series_dropped_total";

/**
 * MetricsCollector: the one object that holds the gateway's request counters and latency histograms
 * for `/metrics`. A Worker isolate's memory is its own and is lost when the isolate is evicted, and a
 * scrape reaches one isolate among many, so per-isolate counters cannot be scraped. Instead each
 * isolate counts in memory (no I/O on the request path) and flushes its increments here in the
 * background (`ctx.waitUntil`, every 50 requests or 5 s, whichever comes first: see `workers/metrics/isolate-metrics.ts`);
 * `/metrics` adds its own isolate's increments and reads the totals in one call (`scrape`).
 *
 * Totals live in memory and in SQLite (one upsert per changed series per flush), so they survive the
 * object's eviction and deploys: the counters only ever grow. What an isolate had not flushed when it
 * was evicted (at most 5 s or 50 requests of it) is lost, so the counts are a floor.
 *
 * One object takes one flush per isolate every few seconds, far below what an object serves; past
 * that, shard by a hash of the isolate into N collectors and sum them at scrape time.
 */
export class MetricsCollector extends DurableObject<Env> {
  private readonly counters = new Map<string, number>();
  private readonly histograms = new Map<string, HistogramFigures>();

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    const sql = ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS metric_counters (series TEXT PRIMARY KEY, value REAL NOT NULL)");
    sql.exec(`CREATE TABLE IF NOT EXISTS metric_histograms (
      series TEXT PRIMARY KEY, buckets TEXT NOT NULL, sum REAL NOT NULL, count REAL NOT NULL)`);
    for (const row of sql.exec<{ series: string; value: number }>("SELECT series, value FROM metric_counters")) {
      this.counters.set(row.series, row.value);
    }
    for (const row of sql.exec<{ series: string; buckets: string; sum: number; count: number }>(
      "SELECT series, buckets, sum, count FROM metric_histograms",
    )) {
      const figures = { buckets: JSON.parse(row.buckets) as number[], sum: row.sum, count: row.count };
      // Rows of an older bucket layout are dropped rather than mixed with the new one.
      if (isHistogram(figures)) this.histograms.set(row.series, figures);
    }
  }

  /** Adds one isolate's increments (its background flush). */
  add(delta: MetricDelta): void {
    const sql = this.ctx.storage.sql;
    let dropped = 0;
    for (const [series, n] of Object.entries(delta.counters ?? {})) {
      if (!Number.isFinite(n) || n === 0) continue;
      const had = this.counters.get(series);
      if (had === undefined && this.size() >= MAX_SERIES) {
        dropped++;
        continue;
      }
      const value = (had ?? 0) + n;
      this.counters.set(series, value);
      sql.exec(
        "INSERT INTO metric_counters (series, value) VALUES (?, ?) ON CONFLICT(series) DO UPDATE SET value = excluded.value",
        series,
        value,
      );
    }
    for (const [series, figures] of Object.entries(delta.histograms ?? {})) {
      if (!isHistogram(figures) || figures.count === 0) continue;
      let total = this.histograms.get(series);
      if (!total) {
        if (this.size() >= MAX_SERIES) {
          dropped++;
          continue;
        }
        total = emptyHistogram();
        this.histograms.set(series, total);
      }
      addHistogram(total, figures);
      sql.exec(
        `INSERT INTO metric_histograms (series, buckets, sum, count) VALUES (?, ?, ?, ?)
         ON CONFLICT(series) DO UPDATE SET buckets = excluded.buckets, sum = excluded.sum, count = excluded.count`,
        series,
        JSON.stringify(total.buckets),
        total.sum,
        total.count,
      );
    }
    if (dropped > 0) {
      const value = (this.counters.get(DROPPED_SERIES) ?? 0) + dropped;
      this.counters.set(DROPPED_SERIES, value);
      sql.exec(
        "INSERT INTO metric_counters (series, value) VALUES (?, ?) ON CONFLICT(series) DO UPDATE SET value = excluded.value",
        DROPPED_SERIES,
        value,
      );
    }
  }

  /** Adds the scraping isolate's own increments, then answers every total (for `/metrics`). */
  scrape(delta: MetricDelta): MetricDelta {
    this.add(delta);
    const out = emptyDelta();
    for (const [series, value] of this.counters) out.counters[series] = value;
    for (const [series, figures] of this.histograms) out.histograms[series] = figures;
    return out;
  }

  private size(): number {
    return this.counters.size + this.histograms.size;
  }
}
