import type { FxEvent, FxHistoryEvent } from "../../protocol/ingest";
import { CANDLE_RESOLUTIONS, CANDLE_RETENTION_MS, type CandleResolution, INTERVAL_MS } from "../../protocol/venues";
import type { RateHistory } from "./rate-series";
import { floorTo } from "./symbol-update";

/**
 * USD/KRW over time, kept by the board for the premium history: per minute, hour and UTC day, the
 * last live rate of each (Dunamu, or the ECB fallback), and for days before the system ran, the forex
 * source's daily history (ECB reference rates). A live rate of a day wins over the history's.
 */
export class UsdKrwHistory {
  constructor(private readonly sql: SqlStorage) {
    sql.exec(`CREATE TABLE IF NOT EXISTS usd_krw_history (
      resolution TEXT NOT NULL, open_time INTEGER NOT NULL, rate REAL NOT NULL, ts INTEGER NOT NULL,
      origin TEXT NOT NULL, PRIMARY KEY (resolution, open_time)) WITHOUT ROWID`);
  }

  /** A live rate: the latest of its minute, hour and day. */
  recordLive(fx: FxEvent): void {
    for (const r of CANDLE_RESOLUTIONS) {
      this.sql.exec(
        `INSERT INTO usd_krw_history (resolution, open_time, rate, ts, origin) VALUES (?, ?, ?, ?, 'live')
         ON CONFLICT(resolution, open_time) DO UPDATE SET rate = excluded.rate, ts = excluded.ts, origin = 'live'
         WHERE usd_krw_history.origin = 'history' OR excluded.ts >= usd_krw_history.ts`,
        r,
        floorTo(fx.timestamp, INTERVAL_MS[r]),
        fx.rate,
        fx.timestamp,
      );
    }
  }

  /** A day's reference rate from the forex history (kept unless a live rate of that day is held). */
  recordDaily(e: FxHistoryEvent): void {
    this.sql.exec(
      `INSERT INTO usd_krw_history (resolution, open_time, rate, ts, origin) VALUES ('1d', ?, ?, ?, 'history')
       ON CONFLICT(resolution, open_time) DO UPDATE SET rate = excluded.rate, ts = excluded.ts
       WHERE usd_krw_history.origin = 'history'`,
      e.day,
      e.rate,
      e.timestamp,
    );
  }

  /** The rates at one resolution in [from, to), with the daily ones from a day before `from` as fallback. */
  series(resolution: CandleResolution, from: number, to: number): RateHistory {
    const read = (r: CandleResolution, since: number) =>
      this.sql
        .exec<{ open_time: number; rate: number }>(
          "SELECT open_time, rate FROM usd_krw_history WHERE resolution = ? AND open_time >= ? AND open_time < ? ORDER BY open_time",
          r,
          since,
          to,
        )
        .toArray()
        .map((row): [number, number] => [row.open_time, row.rate]);
    // The latest daily rate at or before `from` (a weekend or holiday has no ECB rate: look back 10 days).
    return {
      points: read(resolution, from - INTERVAL_MS[resolution]),
      daily: read("1d", from - 10 * INTERVAL_MS["1d"]),
    };
  }

  prune(now = Date.now()): void {
    for (const r of CANDLE_RESOLUTIONS) {
      const retention = CANDLE_RETENTION_MS[r];
      if (Number.isFinite(retention)) {
        this.sql.exec("DELETE FROM usd_krw_history WHERE resolution = ? AND open_time < ?", r, now - retention);
      }
    }
  }
}
