import type { CandleCoverageEvent, CandleEvent } from "../../protocol/ingest";
import { CANDLE_RESOLUTIONS, CANDLE_RETENTION_MS, type CandleResolution } from "../../protocol/venues";
import { addRange, clipRanges, type TimeRange } from "./candle-ranges";

/** One stored venue candle. */
export type VenueCandle = {
  open_time: number;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quote_volume: number;
};

/** What the collectors have covered for one market, per resolution (sorted, merged, half-open ranges). */
export type CandleCoverage = Record<CandleResolution, TimeRange[]>;

/**
 * One coin's closed candles from the venues' own candle APIs, per venue and resolution (1m, 1h, 1d),
 * and the ranges the collectors have said they covered. A venue's candle is the truth for its
 * interval: storing it again (a retried batch, a backfill refetched after a crash) replaces it with
 * the same values, so nothing is ever counted twice.
 */
export class VenueCandles {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS venue_candles (
      venue TEXT NOT NULL, resolution TEXT NOT NULL, open_time INTEGER NOT NULL,
      open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
      volume REAL NOT NULL, quote_volume REAL NOT NULL,
      PRIMARY KEY (venue, resolution, open_time)) WITHOUT ROWID`);
    sql.exec(`CREATE TABLE IF NOT EXISTS candle_coverage (
      venue TEXT NOT NULL, resolution TEXT NOT NULL, ranges TEXT NOT NULL,
      PRIMARY KEY (venue, resolution))`);
  }

  /** Stores closed candles (replacing any stored for the same venue, resolution and start). */
  store(candles: readonly CandleEvent[]): void {
    for (const c of candles) {
      this.sql.exec(
        `INSERT OR REPLACE INTO venue_candles
           (venue, resolution, open_time, open, high, low, close, volume, quote_volume)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        c.venue,
        c.interval,
        c.open_time,
        c.open,
        c.high,
        c.low,
        c.close,
        c.volume,
        c.quote_volume,
      );
    }
  }

  /** Adds collectors' coverage statements (merged with what was covered before). */
  cover(events: readonly CandleCoverageEvent[], now = Date.now()): void {
    for (const e of events) {
      const since = now - CANDLE_RETENTION_MS[e.interval];
      const ranges = clipRanges(addRange(this.ranges(e.venue, e.interval), [e.from, e.to]), since);
      this.sql.exec(
        `INSERT INTO candle_coverage (venue, resolution, ranges) VALUES (?, ?, ?)
         ON CONFLICT(venue, resolution) DO UPDATE SET ranges = excluded.ranges`,
        e.venue,
        e.interval,
        JSON.stringify(ranges),
      );
    }
  }

  /** What is covered for one venue, per resolution, within retention. */
  coverage(venue: string, now = Date.now()): CandleCoverage {
    const out = {} as CandleCoverage;
    for (const r of CANDLE_RESOLUTIONS) out[r] = clipRanges(this.ranges(venue, r), now - CANDLE_RETENTION_MS[r]);
    return out;
  }

  private ranges(venue: string, resolution: CandleResolution): TimeRange[] {
    const row = this.sql
      .exec<{ ranges: string }>(
        "SELECT ranges FROM candle_coverage WHERE venue = ? AND resolution = ?",
        venue,
        resolution,
      )
      .toArray()[0];
    return row ? (JSON.parse(row.ranges) as TimeRange[]) : [];
  }

  /** A venue's candles at one resolution with `open_time` in [from, to), oldest first. */
  rows(venue: string, resolution: CandleResolution, from: number, to = Number.MAX_SAFE_INTEGER): VenueCandle[] {
    return this.sql
      .exec<VenueCandle>(
        `SELECT open_time, open, high, low, close, volume, quote_volume FROM venue_candles
         WHERE venue = ? AND resolution = ? AND open_time >= ? AND open_time < ? ORDER BY open_time`,
        venue,
        resolution,
        from,
        to,
      )
      .toArray();
  }

  /** The venues that have candles at one resolution. */
  venues(resolution: CandleResolution): string[] {
    return this.sql
      .exec<{ venue: string }>("SELECT DISTINCT venue FROM venue_candles WHERE resolution = ?", resolution)
      .toArray()
      .map((r) => r.venue);
  }

  /** Drops candles past their resolution's retention. */
  prune(now = Date.now()): void {
    for (const r of CANDLE_RESOLUTIONS) {
      const retention = CANDLE_RETENTION_MS[r];
      if (!Number.isFinite(retention)) continue;
      this.sql.exec("DELETE FROM venue_candles WHERE resolution = ? AND open_time < ?", r, now - retention);
    }
  }
}
