import { DurableObject } from "cloudflare:workers";
import type { LiquidationVenue, Source } from "../protocol/common";
import { LiquidationVenue as LiquidationVenueSchema } from "../protocol/common";
import type { LiquidationEvent } from "../protocol/ingest";
import {
  type Completeness,
  type LiquidationAggregate,
  LiquidationClientMessage,
  type LiquidationDebug,
  type LiquidationFilter,
  LiquidationQuery,
  type LiquidationRecord,
  type LiquidationSummary,
  type LiquidationTotals,
  type LiquidationWindow,
  LiquidationWindow as LiquidationWindowSchema,
  MAX_RECENT,
  matchesFilter,
  type RecentLiquidations,
  type SideTotals,
  toKrw,
  toLiquidationRecord,
  VENUE_COMPLETENESS,
  type VenueFeedState,
  WINDOW_MS,
  type WindowTotals,
  withKrw,
} from "../protocol/liquidations";
import { marketBoard } from "../workers/lib/objects";
import { LiquidationFanout, type LiquidationFanoutSource } from "./liquidation-fanout";
import { readFanoutInterval, readIdleTimeout } from "./settings";

const MINUTE_MS = 60_000;
/** Per-minute statistics, the largest liquidations and the de-duplication ids are kept this long. */
export const LIQUIDATION_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** How many of each minute's liquidations are kept for the "largest" lists (10 covers any window's top 10). */
const LARGEST_PER_MINUTE = 10;
const LARGEST_IN_AGGREGATE = 10;
const LARGEST_IN_SUMMARY = 5;
/** Snapshot size of `/ws/liquidations` unless the socket asks for another `limit`. */
const DEFAULT_SNAPSHOT = 100;
/** How long a USD/KRW rate read from the MarketBoard is reused. */
const RATE_MAX_AGE_MS = 5_000;
/** How often old rows are pruned (on apply). */
const PRUNE_EVERY_MS = 60_000;

const VENUES = LiquidationVenueSchema.options;
const WINDOWS = LiquidationWindowSchema.options;

type StoredLiquidation = LiquidationRecord;

interface VenueCounters {
  accepted: number;
  duplicates: number;
  too_old: number;
  unpriced: number;
  last_event_timestamp: number | null;
  last_received_at: number | null;
}

interface BucketDelta {
  minute: number;
  venue: LiquidationVenue;
  long_count: number;
  long_usd: number;
  short_count: number;
  short_usd: number;
}

/** What `apply` reports: how many liquidations were counted and how many were ignored, by reason. */
export interface FeedApplyResult {
  accepted: number;
  duplicates: number;
  too_old: number;
  unpriced: number;
}

/** Options of the read methods: `now` is the clock (tests pass one; the gateway leaves it out). */
export interface ReadOptions {
  now?: number;
}

/**
 * LiquidationFeed: the one object that holds liquidations from every venue. It counts each
 * liquidation once (by venue and venue id), keeps per-minute statistics per venue and side in
 * SQLite (so a restart loses nothing), the largest liquidations of each minute, the 1,000 newest
 * liquidations, and fans new ones out to `/ws/liquidations` with the Hibernation API.
 *
 * Windows (1h, 4h, 12h, 24h) are sums of minute buckets; KRW figures use the MarketBoard's current
 * USD/KRW rate. Every method takes its clock from `now` (default `Date.now()`), so tests can move
 * time without sleeping.
 */
export class LiquidationFeed extends DurableObject<Env> implements LiquidationFanoutSource {
  private recentList: StoredLiquidation[] = [];
  private readonly counters = new Map<LiquidationVenue, VenueCounters>();
  private readonly fanout: LiquidationFanout;
  private rate: { rate: number | null; fetchedAt: number } | null = null;
  private rateRequest: Promise<number | null> | null = null;
  private lastPrune = 0;
  /** Bumped on every applied change, so a cached summary is reused only while nothing changed. */
  private version = 0;
  private summaryCache: { key: string; value: LiquidationSummary; json: string } | null = null;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.fanout = new LiquidationFanout(ctx, this, readFanoutInterval(env), readIdleTimeout(env));
    // Heartbeats are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
    ctx.blockConcurrencyWhile(async () => {
      this.migrate();
      this.load();
    });
  }

  private migrate(): void {
    const sql = this.ctx.storage.sql;
    sql.exec(`CREATE TABLE IF NOT EXISTS buckets (
      minute INTEGER NOT NULL, venue TEXT NOT NULL,
      long_count INTEGER NOT NULL, long_usd REAL NOT NULL, short_count INTEGER NOT NULL, short_usd REAL NOT NULL,
      PRIMARY KEY (minute, venue)) WITHOUT ROWID`);
    sql.exec(`CREATE TABLE IF NOT EXISTS seen (
      venue TEXT NOT NULL, id TEXT NOT NULL, ts INTEGER NOT NULL, PRIMARY KEY (venue, id)) WITHOUT ROWID`);
    sql.exec("CREATE INDEX IF NOT EXISTS seen_ts ON seen (ts)");
    sql.exec(`CREATE TABLE IF NOT EXISTS largest (
      venue TEXT NOT NULL, id TEXT NOT NULL, minute INTEGER NOT NULL, value_usd REAL NOT NULL, data TEXT NOT NULL,
      PRIMARY KEY (venue, id))`);
    sql.exec("CREATE INDEX IF NOT EXISTS largest_minute ON largest (minute, value_usd)");
    sql.exec(`CREATE TABLE IF NOT EXISTS recent (
      venue TEXT NOT NULL, id TEXT NOT NULL, ts INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (venue, id))`);
    sql.exec("CREATE TABLE IF NOT EXISTS venue_state (venue TEXT PRIMARY KEY, data TEXT NOT NULL)");
  }

  private load(): void {
    const sql = this.ctx.storage.sql;
    this.recentList = sql
      .exec<{ data: string }>("SELECT data FROM recent")
      .toArray()
      .map((r) => JSON.parse(r.data) as StoredLiquidation)
      .sort(newestFirst);
    for (const row of sql.exec<{ venue: string; data: string }>("SELECT venue, data FROM venue_state")) {
      this.counters.set(row.venue as LiquidationVenue, JSON.parse(row.data) as VenueCounters);
    }
  }

  private countersOf(venue: LiquidationVenue): VenueCounters {
    let c = this.counters.get(venue);
    if (!c) {
      c = { accepted: 0, duplicates: 0, too_old: 0, unpriced: 0, last_event_timestamp: null, last_received_at: null };
      this.counters.set(venue, c);
    }
    return c;
  }

  // --- writing ---------------------------------------------------------------------------------

  /**
   * Counts a batch of liquidations. Each (venue, id) is counted once, however often it is sent
   * (retries, BitMEX's insert/update/delete of one liquidation order): the first sighting wins.
   * A timestamp in the future (clock skew) is taken as the receive time; one older than the
   * retention is ignored. Every write lands in storage in one transaction before this returns.
   */
  async apply(events: LiquidationEvent[], source: Source, now = Date.now()): Promise<FeedApplyResult> {
    const result: FeedApplyResult = { accepted: 0, duplicates: 0, too_old: 0, unpriced: 0 };
    const sql = this.ctx.storage.sql;
    const cutoff = now - LIQUIDATION_RETENTION_MS;
    const accepted: StoredLiquidation[] = [];
    let recent = this.recentList;
    const counterDeltas = new Map<LiquidationVenue, VenueCounters>();
    const delta = (venue: LiquidationVenue): VenueCounters => {
      let d = counterDeltas.get(venue);
      if (!d) {
        d = { ...this.countersOf(venue) };
        counterDeltas.set(venue, d);
      }
      return d;
    };

    this.ctx.storage.transactionSync(() => {
      const buckets = new Map<string, BucketDelta>();
      for (const e of events) {
        const c = delta(e.venue);
        const l = toLiquidationRecord(e, source, now);
        if (l === null) {
          c.unpriced++;
          result.unpriced++;
          continue;
        }
        const timestamp = l.timestamp;
        if (timestamp < cutoff) {
          c.too_old++;
          result.too_old++;
          continue;
        }
        const inserted = sql.exec(
          "INSERT INTO seen (venue, id, ts) VALUES (?, ?, ?) ON CONFLICT (venue, id) DO NOTHING",
          e.venue,
          e.id,
          timestamp,
        ).rowsWritten;
        if (inserted === 0) {
          c.duplicates++;
          result.duplicates++;
          continue;
        }
        accepted.push(l);
        c.accepted++;
        c.last_event_timestamp = Math.max(c.last_event_timestamp ?? 0, timestamp);
        c.last_received_at = now;
        result.accepted++;

        const minute = floorMinute(timestamp);
        const key = `${minute}:${l.venue}`;
        let b = buckets.get(key);
        if (!b) {
          b = { minute, venue: l.venue, long_count: 0, long_usd: 0, short_count: 0, short_usd: 0 };
          buckets.set(key, b);
        }
        if (l.side === "long") {
          b.long_count++;
          b.long_usd += l.value_usd;
        } else {
          b.short_count++;
          b.short_usd += l.value_usd;
        }
      }

      for (const b of buckets.values()) {
        sql.exec(
          `INSERT INTO buckets (minute, venue, long_count, long_usd, short_count, short_usd) VALUES (?, ?, ?, ?, ?, ?)
           ON CONFLICT (minute, venue) DO UPDATE SET
             long_count = long_count + excluded.long_count, long_usd = long_usd + excluded.long_usd,
             short_count = short_count + excluded.short_count, short_usd = short_usd + excluded.short_usd`,
          b.minute,
          b.venue,
          b.long_count,
          b.long_usd,
          b.short_count,
          b.short_usd,
        );
      }
      this.keepLargest(accepted);
      recent = this.keepRecent(accepted);
      for (const [venue, c] of counterDeltas) {
        sql.exec(
          "INSERT INTO venue_state (venue, data) VALUES (?, ?) ON CONFLICT (venue) DO UPDATE SET data = excluded.data",
          venue,
          JSON.stringify(c),
        );
      }
      if (now - this.lastPrune >= PRUNE_EVERY_MS) this.prune(now);
    });

    // Storage is committed: now the in-memory mirrors may follow.
    for (const [venue, c] of counterDeltas) this.counters.set(venue, c);
    if (accepted.length > 0) {
      this.version++;
      this.recentList = recent;
      this.fanout.push(accepted);
      // Have a fresh rate ready for the flush (which can't wait for one).
      if (this.fanout.count() > 0) void this.currentRate().catch(() => null);
    }
    return result;
  }

  /** Keeps the largest liquidations of each touched minute (the top `LARGEST_PER_MINUTE`). */
  private keepLargest(accepted: StoredLiquidation[]): void {
    const sql = this.ctx.storage.sql;
    const byMinute = new Map<number, StoredLiquidation[]>();
    for (const l of accepted) {
      const minute = floorMinute(l.timestamp);
      const list = byMinute.get(minute);
      if (list) list.push(l);
      else byMinute.set(minute, [l]);
    }
    for (const [minute, fresh] of byMinute) {
      const existing = sql
        .exec<{ venue: string; id: string; value_usd: number }>(
          "SELECT venue, id, value_usd FROM largest WHERE minute = ?",
          minute,
        )
        .toArray();
      const all = [
        ...existing.map((r) => ({ key: `${r.venue}\n${r.id}`, value: r.value_usd, fresh: null })),
        ...fresh.map((l) => ({ key: `${l.venue}\n${l.id}`, value: l.value_usd, fresh: l })),
      ].sort((a, b) => b.value - a.value);
      const keep = all.slice(0, LARGEST_PER_MINUTE);
      for (const entry of keep) {
        if (!entry.fresh) continue;
        const l = entry.fresh;
        sql.exec(
          "INSERT INTO largest (venue, id, minute, value_usd, data) VALUES (?, ?, ?, ?, ?)",
          l.venue,
          l.id,
          minute,
          l.value_usd,
          JSON.stringify(l),
        );
      }
      for (const entry of all.slice(LARGEST_PER_MINUTE)) {
        if (entry.fresh) continue;
        const [venue, id] = entry.key.split("\n");
        sql.exec("DELETE FROM largest WHERE venue = ? AND id = ?", venue, id);
      }
    }
  }

  /** Stores the liquidations that enter the 1,000 newest, deletes those pushed out; returns the new list. */
  private keepRecent(accepted: StoredLiquidation[]): StoredLiquidation[] {
    if (accepted.length === 0) return this.recentList;
    const sql = this.ctx.storage.sql;
    const merged = mergeRecent(this.recentList, accepted);
    const kept = new Set(merged);
    for (const l of accepted) {
      if (!kept.has(l)) continue;
      sql.exec(
        "INSERT INTO recent (venue, id, ts, data) VALUES (?, ?, ?, ?)",
        l.venue,
        l.id,
        l.timestamp,
        JSON.stringify(l),
      );
    }
    for (const l of this.recentList) {
      if (!kept.has(l)) sql.exec("DELETE FROM recent WHERE venue = ? AND id = ?", l.venue, l.id);
    }
    return merged;
  }

  /** Drops buckets, largest entries and remembered ids older than the retention. */
  private prune(now: number): void {
    this.lastPrune = now;
    const sql = this.ctx.storage.sql;
    const cutoff = now - LIQUIDATION_RETENTION_MS;
    sql.exec("DELETE FROM buckets WHERE minute < ?", floorMinute(cutoff));
    sql.exec("DELETE FROM largest WHERE minute < ?", floorMinute(cutoff));
    // An id is remembered as long as an event with its timestamp would still be accepted.
    sql.exec("DELETE FROM seen WHERE ts < ?", cutoff);
  }

  // --- reading ---------------------------------------------------------------------------------

  /** The USD/KRW rate, read from the MarketBoard at most every 5 s (the last one known if it fails). */
  private async currentRate(): Promise<number | null> {
    const wall = Date.now();
    if (this.rate && wall - this.rate.fetchedAt < RATE_MAX_AGE_MS) return this.rate.rate;
    if (!this.rateRequest) {
      this.rateRequest = (async () => {
        try {
          const r = await marketBoard(this.env).exchangeRate();
          this.rate = { rate: r.exchange_rate, fetchedAt: Date.now() };
        } catch (err) {
          console.warn(JSON.stringify({ msg: "liquidation feed could not read USD/KRW", error: String(err) }));
        } finally {
          this.rateRequest = null;
        }
        return this.rate?.rate ?? null;
      })();
    }
    return this.rateRequest;
  }

  private cachedRate(): number | null {
    return this.rate?.rate ?? null;
  }

  /** Sums of the minute buckets per venue since each window start (summed by SQLite, one query per window). */
  private windowSums(starts: number[]): Map<LiquidationVenue, BucketDelta>[] {
    return starts.map((start) => {
      const sums = new Map<LiquidationVenue, BucketDelta>();
      for (const row of this.ctx.storage.sql.exec<{
        venue: string;
        long_count: number;
        long_usd: number;
        short_count: number;
        short_usd: number;
      }>(
        `SELECT venue, SUM(long_count) AS long_count, SUM(long_usd) AS long_usd,
           SUM(short_count) AS short_count, SUM(short_usd) AS short_usd
         FROM buckets WHERE minute >= ? GROUP BY venue`,
        start,
      )) {
        const venue = row.venue as LiquidationVenue;
        sums.set(venue, { minute: start, ...row, venue });
      }
      return sums;
    });
  }

  private windowTotals(sums: Map<LiquidationVenue, BucketDelta>, from: number, rate: number | null): WindowTotals {
    const venues = {} as Record<LiquidationVenue, LiquidationTotals>;
    const all = { long_count: 0, long_usd: 0, short_count: 0, short_usd: 0 };
    let sampled = false;
    for (const venue of VENUES) {
      const s = sums.get(venue) ?? { long_count: 0, long_usd: 0, short_count: 0, short_usd: 0 };
      const completeness = VENUE_COMPLETENESS[venue].completeness;
      if (completeness === "sampled") sampled = true;
      venues[venue] = totalsOf(s, rate, completeness);
      all.long_count += s.long_count;
      all.long_usd += s.long_usd;
      all.short_count += s.short_count;
      all.short_usd += s.short_usd;
    }
    return { from, venues, total: totalsOf(all, rate, sampled ? "sampled" : "complete") };
  }

  private largestSince(from: number, limit: number): StoredLiquidation[] {
    return this.ctx.storage.sql
      .exec<{ data: string }>("SELECT data FROM largest WHERE minute >= ? ORDER BY value_usd DESC LIMIT ?", from, limit)
      .toArray()
      .map((r) => JSON.parse(r.data) as StoredLiquidation);
  }

  /** `GET /api/liquidations/aggregated`: totals per venue and overall, and the largest, over one window. */
  async aggregated(window: LiquidationWindow, options: ReadOptions = {}): Promise<LiquidationAggregate> {
    const now = options.now ?? Date.now();
    const rate = await this.currentRate();
    const from = windowStart(window, now);
    const [sums] = this.windowSums([from]);
    const totals = this.windowTotals(sums, from, rate);
    return {
      window,
      from,
      to: now,
      exchange_rate: rate,
      venues: totals.venues,
      total: totals.total,
      largest: this.largestSince(from, LARGEST_IN_AGGREGATE).map((l) => withKrw(l, rate)),
      timestamp: now,
    };
  }

  /**
   * Totals for every window, the largest of the last 24 h and the newest liquidation. The
   * MarketBoard passes its own USD/KRW rate (it has it at hand); other callers leave it out.
   */
  async summary(options: ReadOptions & { exchangeRate?: number | null } = {}): Promise<LiquidationSummary> {
    const rate = options.exchangeRate !== undefined ? options.exchangeRate : await this.currentRate();
    if (options.exchangeRate !== undefined) this.rate = { rate: options.exchangeRate, fetchedAt: Date.now() };
    return this.summaryAt(options.now ?? Date.now(), rate).value;
  }

  /** The summary at a time and rate, reused while nothing changed within the same minute. */
  private summaryAt(now: number, rate: number | null): { value: LiquidationSummary; json: string } {
    const key = `${this.version}|${floorMinute(now)}|${rate}`;
    if (this.summaryCache?.key === key) return this.summaryCache;
    const starts = WINDOWS.map((w) => windowStart(w, now));
    const sums = this.windowSums(starts);
    const windows = {} as Record<LiquidationWindow, WindowTotals>;
    WINDOWS.forEach((w, i) => {
      windows[w] = this.windowTotals(sums[i], starts[i], rate);
    });
    const latest = this.recentList[0];
    const value: LiquidationSummary = {
      exchange_rate: rate,
      windows,
      largest_24h: this.largestSince(windowStart("24h", now), LARGEST_IN_SUMMARY).map((l) => withKrw(l, rate)),
      latest: latest ? withKrw(latest, rate) : null,
      completeness: VENUE_COMPLETENESS,
      timestamp: now,
    };
    this.summaryCache = { key, value, json: JSON.stringify(value) };
    return this.summaryCache;
  }

  /** The newest liquidations passing a filter, newest first (`GET /api/liquidations/recent`). */
  async recent(filter: LiquidationFilter, limit: number): Promise<RecentLiquidations> {
    const rate = await this.currentRate();
    return {
      liquidations: this.recentMatching(filter, limit).map((l) => withKrw(l, rate)),
      exchange_rate: rate,
      timestamp: Date.now(),
    };
  }

  private recentMatching(filter: LiquidationFilter, limit: number): StoredLiquidation[] {
    const out: StoredLiquidation[] = [];
    for (const l of this.recentList) {
      if (out.length >= limit) break;
      if (matchesFilter(l, filter)) out.push(l);
    }
    return out;
  }

  /** Per-venue feed state and storage figures, for operators. */
  async debug(options: ReadOptions = {}): Promise<LiquidationDebug> {
    const now = options.now ?? Date.now();
    const sql = this.ctx.storage.sql;
    const [hour, day] = this.windowSums([windowStart("1h", now), windowStart("24h", now)]);
    const venues = {} as Record<LiquidationVenue, VenueFeedState>;
    for (const venue of VENUES) {
      const c = this.countersOf(venue);
      const h = hour.get(venue);
      const d = day.get(venue);
      venues[venue] = {
        completeness: VENUE_COMPLETENESS[venue].completeness,
        ...c,
        count_1h: h ? h.long_count + h.short_count : 0,
        count_24h: d ? d.long_count + d.short_count : 0,
      };
    }
    const buckets = sql
      .exec<{ n: number; oldest: number | null }>("SELECT COUNT(*) AS n, MIN(minute) AS oldest FROM buckets")
      .one();
    const seen = sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM seen").one();
    return {
      venues,
      storage: {
        buckets: buckets.n,
        oldest_bucket: buckets.oldest,
        seen_ids: seen.n,
        recent: this.recentList.length,
        retention_ms: LIQUIDATION_RETENTION_MS,
      },
      exchange_rate: { rate: this.rate?.rate ?? null, fetched_at: this.rate?.fetchedAt ?? null },
      subscribers: this.fanout.count(),
      timestamp: now,
    };
  }

  // --- WebSockets ------------------------------------------------------------------------------

  /**
   * Accepts a `/ws/liquidations` upgrade forwarded by the gateway (which has validated the query
   * string already; it is parsed again here because only the URL crosses over).
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const query = LiquidationQuery.safeParse(Object.fromEntries(new URL(request.url).searchParams));
    if (!query.success) return new Response("Bad filter", { status: 400 });
    await this.currentRate();
    const { 0: client, 1: server } = new WebSocketPair();
    this.fanout.accept(server, {
      filter: {
        venues: query.data.venue ?? null,
        symbols: query.data.symbol ?? null,
        min_usd: query.data.min_usd ?? 0,
      },
      limit: query.data.limit ?? DEFAULT_SNAPSHOT,
      seq: 0,
      heard_at: Date.now(),
    });
    this.sendSnapshot(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  private sendSnapshot(ws: WebSocket): void {
    const state = this.fanout.stateOf(ws);
    if (!state) return;
    const rate = this.cachedRate();
    const liquidations = this.recentMatching(state.filter, state.limit).map((l) => withKrw(l, rate));
    const summary = this.summaryAt(Date.now(), rate).json;
    this.fanout.send(ws, "snapshot", `"data":{"liquidations":${JSON.stringify(liquidations)},"summary":${summary}}`);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const state = this.fanout.stateOf(ws);
    if (!state) return;
    this.fanout.heard(ws);
    let parsed: ReturnType<typeof LiquidationClientMessage.safeParse>;
    try {
      parsed = LiquidationClientMessage.safeParse(
        JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message)),
      );
    } catch {
      this.fanout.send(ws, "error", `"error":"messages must be JSON"`);
      return;
    }
    if (!parsed.success) {
      this.fanout.send(ws, "error", `"error":${JSON.stringify(parsed.error.issues.map((i) => i.message).join("; "))}`);
      return;
    }
    const msg = parsed.data;
    if (msg.op === "filter") {
      state.filter = {
        venues: msg.venue ? [...new Set(msg.venue)] : null,
        symbols: msg.symbol ? [...new Set(msg.symbol.map((s) => s.toUpperCase()))] : null,
        min_usd: msg.min_usd ?? 0,
      };
      this.fanout.update(ws, state);
    }
    await this.currentRate();
    this.sendSnapshot(ws);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.fanout.remove(ws);
    try {
      ws.close(code === 1005 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.fanout.remove(ws);
  }

  // --- LiquidationFanoutSource -----------------------------------------------------------------

  renderLiquidation(l: StoredLiquidation): string {
    return JSON.stringify(withKrw(l, this.cachedRate()));
  }

  renderSummary(): string {
    return this.summaryAt(Date.now(), this.cachedRate()).json;
  }
}

// --- helpers -------------------------------------------------------------------------------------

function floorMinute(ms: number): number {
  return Math.floor(ms / MINUTE_MS) * MINUTE_MS;
}

/** The first minute of a window: the current minute and the whole minutes before it. */
export function windowStart(window: LiquidationWindow, now: number): number {
  return floorMinute(now) - WINDOW_MS[window] + MINUTE_MS;
}

function roundCents(usd: number): number {
  return Math.round(usd * 100) / 100;
}

function newestFirst(a: StoredLiquidation, b: StoredLiquidation): number {
  return b.timestamp - a.timestamp;
}

/** The newest `MAX_RECENT` of both lists, newest first (stable for equal timestamps: newer arrivals first). */
function mergeRecent(current: StoredLiquidation[], fresh: StoredLiquidation[]): StoredLiquidation[] {
  return [...[...fresh].reverse(), ...current].sort(newestFirst).slice(0, MAX_RECENT);
}

function side(count: number, usd: number, rate: number | null): SideTotals {
  const value = roundCents(usd);
  return { count, value_usd: value, value_krw: toKrw(value, rate) };
}

function totalsOf(
  s: { long_count: number; long_usd: number; short_count: number; short_usd: number },
  rate: number | null,
  completeness: Completeness,
): LiquidationTotals {
  const totalUsd = s.long_usd + s.short_usd;
  return {
    long: side(s.long_count, s.long_usd, rate),
    short: side(s.short_count, s.short_usd, rate),
    total: side(s.long_count + s.short_count, totalUsd, rate),
    long_percent: totalUsd > 0 ? Math.round((s.long_usd / totalUsd) * 10_000) / 100 : null,
    completeness,
  };
}
