import type { CandleDraft } from "./symbol-update";
import type { VenueCandle } from "./venue-candles";

/**
 * One coin's provisional 1-minute candles, built by the board from ticks: what a chart shows for a
 * minute the venue's own candle has not arrived for (the still-open minute, or every minute of a venue
 * whose candles are not collected). Their volume is an estimate: how much the venue's rolling 24 h
 * volume grew between the minute's first and last tick (never below zero).
 */
export class DraftCandles {
  constructor(private readonly sql: SqlStorage) {
    // `candles` held drafts whose volume was the rolling 24 h figure, not the minute's: not worth keeping.
    sql.exec("DROP TABLE IF EXISTS candles");
    sql.exec(`CREATE TABLE IF NOT EXISTS draft_candles (
      venue TEXT NOT NULL, minute INTEGER NOT NULL,
      open REAL NOT NULL, high REAL NOT NULL, low REAL NOT NULL, close REAL NOT NULL,
      open_volume REAL NOT NULL, volume REAL NOT NULL,
      first_ts INTEGER NOT NULL, last_ts INTEGER NOT NULL,
      PRIMARY KEY (venue, minute)) WITHOUT ROWID`);
  }

  /** Merges a draft into the stored one (idempotent: high is a max, low a min, the rest by tick time). */
  merge(c: CandleDraft): void {
    // SQLite evaluates every SET expression against the row as it was, so each line reads the old values.
    this.sql.exec(
      `INSERT INTO draft_candles (venue, minute, open, high, low, close, open_volume, volume, first_ts, last_ts)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(venue, minute) DO UPDATE SET
         open = CASE WHEN excluded.first_ts < draft_candles.first_ts THEN excluded.open ELSE draft_candles.open END,
         open_volume = CASE WHEN excluded.first_ts < draft_candles.first_ts
           THEN excluded.open_volume ELSE draft_candles.open_volume END,
         first_ts = MIN(draft_candles.first_ts, excluded.first_ts),
         high = MAX(draft_candles.high, excluded.high),
         low = MIN(draft_candles.low, excluded.low),
         close = CASE WHEN excluded.last_ts >= draft_candles.last_ts THEN excluded.close ELSE draft_candles.close END,
         volume = CASE WHEN excluded.last_ts >= draft_candles.last_ts THEN excluded.volume ELSE draft_candles.volume END,
         last_ts = MAX(draft_candles.last_ts, excluded.last_ts)`,
      c.venue,
      c.minute,
      c.open,
      c.high,
      c.low,
      c.close,
      c.openVolume ?? c.volume,
      c.volume,
      c.firstTs,
      c.lastTs,
    );
  }

  /** A venue's drafts from `from` on, oldest first, as candles (volume: the estimate above). */
  rows(venue: string, from: number): VenueCandle[] {
    return this.sql
      .exec<{ minute: number; open: number; high: number; low: number; close: number; traded: number }>(
        `SELECT minute, open, high, low, close, MAX(volume - open_volume, 0) AS traded
         FROM draft_candles WHERE venue = ? AND minute >= ? ORDER BY minute`,
        venue,
        from,
      )
      .toArray()
      .map((r) => ({
        open_time: r.minute,
        open: r.open,
        high: r.high,
        low: r.low,
        close: r.close,
        volume: r.traded,
        quote_volume: r.traded * r.close,
      }));
  }

  /** Drops drafts older than `since`, and any dated after `future` (left by a wrong clock). */
  prune(since: number, future: number): void {
    this.sql.exec("DELETE FROM draft_candles WHERE minute < ? OR minute > ?", since, future);
  }
}
