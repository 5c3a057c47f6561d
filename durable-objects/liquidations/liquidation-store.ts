/**
 * The liquidation feed's SQLite store: which liquidations were counted (by venue and venue id), the
 * per-minute long/short buckets per venue, the largest liquidations of each minute, the 1,000 newest,
 * and each venue's feed counters. Everything is kept 7 days, so a restart loses nothing.
 */
import type { LiquidationVenue, Source } from "../../protocol/common";
import type { LiquidationEvent } from "../../protocol/ingest";
import { type LiquidationRecord, MAX_RECENT, toLiquidationRecord } from "../../protocol/liquidations";
import { floorMinute, type SideSums } from "./liquidation-windows";

/** Per-minute statistics, the largest liquidations and the de-duplication ids are kept this long. */
export const LIQUIDATION_RETENTION_MS = 7 * 24 * 60 * 60 * 1000;
/** How many of each minute's liquidations are kept for the "largest" lists (10 covers any window's top 10). */
const LARGEST_PER_MINUTE = 10;
/** How often old rows are pruned (on apply). */
const PRUNE_EVERY_MS = 60_000;

/** One venue's feed counters, for operators. */
export interface VenueCounters {
  accepted: number;
  duplicates: number;
  too_old: number;
  unpriced: number;
  last_event_timestamp: number | null;
  last_received_at: number | null;
}

/** What `apply` reports: how many liquidations were counted and how many were ignored, by reason. */
export interface FeedApplyResult {
  accepted: number;
  duplicates: number;
  too_old: number;
  unpriced: number;
}

interface BucketDelta extends SideSums {
  minute: number;
  venue: LiquidationVenue;
}

export class LiquidationStore {
  /** The newest liquidations, newest first (mirrors the `recent` table). */
  private recentList: LiquidationRecord[] = [];
  private readonly counters = new Map<LiquidationVenue, VenueCounters>();
  private lastPrune = 0;

  constructor(private readonly storage: DurableObjectStorage) {
    this.migrate();
    this.load();
  }

  private get sql(): SqlStorage {
    return this.storage.sql;
  }

  private migrate(): void {
    const sql = this.sql;
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
    this.recentList = this.sql
      .exec<{ data: string }>("SELECT data FROM recent")
      .toArray()
      .map((r) => JSON.parse(r.data) as LiquidationRecord)
      .sort(newestFirst);
    for (const row of this.sql.exec<{ venue: string; data: string }>("SELECT venue, data FROM venue_state")) {
      this.counters.set(row.venue as LiquidationVenue, JSON.parse(row.data) as VenueCounters);
    }
  }

  /** One venue's counters (zero when it never sent anything). */
  countersOf(venue: LiquidationVenue): VenueCounters {
    return (
      this.counters.get(venue) ?? {
        accepted: 0,
        duplicates: 0,
        too_old: 0,
        unpriced: 0,
        last_event_timestamp: null,
        last_received_at: null,
      }
    );
  }

  /**
   * Counts liquidations. Each (venue, id) is counted once, however often it is sent (retries,
   * BitMEX's insert/update/delete of one liquidation order): the first sighting wins. A timestamp in
   * the future is taken as `now`; one older than the retention is ignored. Every write lands in one
   * transaction; the in-memory mirrors follow only after it commits. Returns what was newly counted.
   */
  apply(
    events: LiquidationEvent[],
    source: Source,
    now: number,
  ): { result: FeedApplyResult; accepted: LiquidationRecord[] } {
    const result: FeedApplyResult = { accepted: 0, duplicates: 0, too_old: 0, unpriced: 0 };
    const sql = this.sql;
    const cutoff = now - LIQUIDATION_RETENTION_MS;
    const accepted: LiquidationRecord[] = [];
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

    this.storage.transactionSync(() => {
      const buckets = new Map<string, BucketDelta>();
      for (const e of events) {
        const c = delta(e.venue);
        const l = toLiquidationRecord(e, source, now);
        if (l === null) {
          c.unpriced++;
          result.unpriced++;
          continue;
        }
        if (l.timestamp < cutoff) {
          c.too_old++;
          result.too_old++;
          continue;
        }
        const inserted = sql.exec(
          "INSERT INTO seen (venue, id, ts) VALUES (?, ?, ?) ON CONFLICT (venue, id) DO NOTHING",
          e.venue,
          e.id,
          l.timestamp,
        ).rowsWritten;
        if (inserted === 0) {
          c.duplicates++;
          result.duplicates++;
          continue;
        }
        accepted.push(l);
        c.accepted++;
        c.last_event_timestamp = Math.max(c.last_event_timestamp ?? 0, l.timestamp);
        c.last_received_at = now;
        result.accepted++;

        const minute = floorMinute(l.timestamp);
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
    this.recentList = recent;
    return { result, accepted };
  }

  /** Keeps the largest liquidations of each touched minute (the top `LARGEST_PER_MINUTE`). */
  private keepLargest(accepted: LiquidationRecord[]): void {
    const sql = this.sql;
    const byMinute = new Map<number, LiquidationRecord[]>();
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
      for (const entry of all.slice(0, LARGEST_PER_MINUTE)) {
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
  private keepRecent(accepted: LiquidationRecord[]): LiquidationRecord[] {
    if (accepted.length === 0) return this.recentList;
    const merged = mergeRecent(this.recentList, accepted);
    const kept = new Set(merged);
    for (const l of accepted) {
      if (!kept.has(l)) continue;
      this.sql.exec(
        "INSERT INTO recent (venue, id, ts, data) VALUES (?, ?, ?, ?)",
        l.venue,
        l.id,
        l.timestamp,
        JSON.stringify(l),
      );
    }
    for (const l of this.recentList) {
      if (!kept.has(l)) this.sql.exec("DELETE FROM recent WHERE venue = ? AND id = ?", l.venue, l.id);
    }
    return merged;
  }

  /** Drops buckets, largest entries and remembered ids older than the retention. */
  private prune(now: number): void {
    this.lastPrune = now;
    const cutoff = now - LIQUIDATION_RETENTION_MS;
    this.sql.exec("DELETE FROM buckets WHERE minute < ?", floorMinute(cutoff));
    this.sql.exec("DELETE FROM largest WHERE minute < ?", floorMinute(cutoff));
    // An id is remembered as long as an event with its timestamp would still be accepted.
    this.sql.exec("DELETE FROM seen WHERE ts < ?", cutoff);
  }

  /** The newest liquidations, newest first. */
  recent(): readonly LiquidationRecord[] {
    return this.recentList;
  }

  /** Sums of the minute buckets per venue since each start (summed by SQLite, one query per start). */
  sumsSince(starts: number[]): Map<LiquidationVenue, SideSums>[] {
    return starts.map((start) => {
      const sums = new Map<LiquidationVenue, SideSums>();
      for (const row of this.sql.exec<{
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
        const { venue, ...s } = row;
        sums.set(venue as LiquidationVenue, s);
      }
      return sums;
    });
  }

  /** The largest liquidations since a minute, largest first. */
  largestSince(from: number, limit: number): LiquidationRecord[] {
    return this.sql
      .exec<{ data: string }>("SELECT data FROM largest WHERE minute >= ? ORDER BY value_usd DESC LIMIT ?", from, limit)
      .toArray()
      .map((r) => JSON.parse(r.data) as LiquidationRecord);
  }

  /** Row counts and the oldest bucket, for operators. */
  storageFigures(): { buckets: number; oldest_bucket: number | null; seen_ids: number; recent: number } {
    const buckets = this.sql
      .exec<{ n: number; oldest: number | null }>("SELECT COUNT(*) AS n, MIN(minute) AS oldest FROM buckets")
      .one();
    const seen = this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM seen").one();
    return { buckets: buckets.n, oldest_bucket: buckets.oldest, seen_ids: seen.n, recent: this.recentList.length };
  }
}

function newestFirst(a: LiquidationRecord, b: LiquidationRecord): number {
  return b.timestamp - a.timestamp;
}

/** The newest `MAX_RECENT` of both lists, newest first (stable for equal timestamps: newer arrivals first). */
function mergeRecent(current: LiquidationRecord[], fresh: LiquidationRecord[]): LiquidationRecord[] {
  return [...[...fresh].reverse(), ...current].sort(newestFirst).slice(0, MAX_RECENT);
}
