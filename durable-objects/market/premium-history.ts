import type { PremiumHistoryPoint } from "../../protocol/market";
import {
  CANDLE_RESOLUTIONS,
  CANDLE_RETENTION_MS,
  type CandleInterval,
  type CandleResolution,
  INTERVAL_MS,
} from "../../protocol/venues";
import { BASE_RESOLUTION, type HistoryLayer, layeredRows } from "./layered-history";
import { floorTo, type PremiumPoint } from "./symbol-update";

/** One premium-history row: the premium at the close of a period, with its inputs. */
export type PremiumRow = {
  open_time: number;
  premium_percent: number | null;
  usdt_premium_percent: number | null;
  krw_price: number;
  global_price: number;
  exchange_rate: number | null;
  usdt_krw_rate: number | null;
};

const COLUMNS =
  "open_time, premium_percent, usdt_premium_percent, krw_price, global_price, exchange_rate, usdt_krw_rate";

/**
 * One coin's premium history: per minute, hour and UTC day, computed from the venues' closed candles
 * and the rates of the time (`premium_rows`), and under them the live layer: the last premium the
 * board saw in each minute (`live_premiums`), which fills the periods no candle has closed yet.
 */
export class PremiumHistory {
  constructor(private readonly sql: SqlStorage) {
    // `premium_history` held the live layer without the USDT/KRW rate; the candles rebuild the past.
    sql.exec("DROP TABLE IF EXISTS premium_history");
    sql.exec(`CREATE TABLE IF NOT EXISTS live_premiums (
      open_time INTEGER PRIMARY KEY, ts INTEGER NOT NULL,
      premium_percent REAL, usdt_premium_percent REAL, krw_price REAL NOT NULL, global_price REAL NOT NULL,
      exchange_rate REAL, usdt_krw_rate REAL)`);
    sql.exec(`CREATE TABLE IF NOT EXISTS premium_rows (
      resolution TEXT NOT NULL, open_time INTEGER NOT NULL,
      premium_percent REAL, usdt_premium_percent REAL, krw_price REAL NOT NULL, global_price REAL NOT NULL,
      exchange_rate REAL, usdt_krw_rate REAL, PRIMARY KEY (resolution, open_time)) WITHOUT ROWID`);
  }

  /** The last premium of a minute as the board saw it (a later one of the same minute replaces it). */
  recordLive(p: PremiumPoint): void {
    this.sql.exec(
      `INSERT INTO live_premiums (${COLUMNS}, ts) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT(open_time) DO UPDATE SET ts = excluded.ts, premium_percent = excluded.premium_percent,
         usdt_premium_percent = excluded.usdt_premium_percent, krw_price = excluded.krw_price,
         global_price = excluded.global_price, exchange_rate = excluded.exchange_rate,
         usdt_krw_rate = excluded.usdt_krw_rate
       WHERE excluded.ts >= live_premiums.ts`,
      p.minute,
      p.premium_percent,
      p.usdt_premium_percent,
      p.krw_price,
      p.global_price,
      p.exchange_rate,
      p.usdt_krw_rate ?? null,
      p.ts,
    );
  }

  /** Rows computed from closed candles (replacing those of the same periods). */
  store(resolution: CandleResolution, rows: readonly PremiumRow[]): void {
    for (const r of rows) {
      this.sql.exec(
        `INSERT OR REPLACE INTO premium_rows (resolution, ${COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        resolution,
        r.open_time,
        r.premium_percent,
        r.usdt_premium_percent,
        r.krw_price,
        r.global_price,
        r.exchange_rate,
        r.usdt_krw_rate,
      );
    }
  }

  /** One layer's rows from `from` on, oldest first. */
  rows(layer: HistoryLayer, from: number): PremiumRow[] {
    return layer === "live"
      ? this.sql
          .exec<PremiumRow>(`SELECT ${COLUMNS} FROM live_premiums WHERE open_time >= ? ORDER BY open_time`, from)
          .toArray()
      : this.sql
          .exec<PremiumRow>(
            `SELECT ${COLUMNS} FROM premium_rows WHERE resolution = ? AND open_time >= ? ORDER BY open_time`,
            layer,
            from,
          )
          .toArray();
  }

  /** Rows at a resolution from `from` on, the current period filled from the finer layers. */
  layered(resolution: CandleResolution, from: number): PremiumRow[] {
    return layeredRows(resolution, from, (layer, since) => this.rows(layer, since));
  }

  /** The premium at the close of each period of an interval, oldest first, at most `limit`. */
  history(interval: CandleInterval, limit: number, now: number): PremiumHistoryPoint[] {
    const step = INTERVAL_MS[interval];
    const since = floorTo(now, step) - (limit - 1) * step;
    const byBucket = new Map<number, PremiumHistoryPoint>();
    for (const r of this.layered(BASE_RESOLUTION[interval], since)) {
      const bucket = floorTo(r.open_time, step);
      byBucket.set(bucket, {
        timestamp: bucket,
        premium_percent: r.premium_percent,
        usdt_premium_percent: r.usdt_premium_percent,
        krw_price: r.krw_price,
        global_price: r.global_price,
        exchange_rate: r.exchange_rate,
        usdt_krw_rate: r.usdt_krw_rate,
      });
    }
    return [...byBucket.values()].slice(-limit);
  }

  /** The span of rows at a resolution still missing a premium (a rate had not arrived), or null. */
  incomplete(resolution: CandleResolution): [from: number, to: number] | null {
    const row = this.sql
      .exec<{ lo: number | null; hi: number | null }>(
        `SELECT MIN(open_time) AS lo, MAX(open_time) AS hi FROM premium_rows
         WHERE resolution = ? AND (premium_percent IS NULL OR usdt_premium_percent IS NULL)`,
        resolution,
      )
      .one();
    return row.lo === null || row.hi === null ? null : [row.lo, row.hi + INTERVAL_MS[resolution]];
  }

  /** Drops rows past their retention (the live layer keeps 7 days), and any dated after `future`. */
  prune(now: number, future: number): void {
    this.sql.exec(
      "DELETE FROM live_premiums WHERE open_time < ? OR open_time > ?",
      now - CANDLE_RETENTION_MS["1m"],
      future,
    );
    for (const r of CANDLE_RESOLUTIONS) {
      const retention = CANDLE_RETENTION_MS[r];
      const since = Number.isFinite(retention) ? now - retention : 0;
      this.sql.exec(
        "DELETE FROM premium_rows WHERE resolution = ? AND (open_time < ? OR open_time > ?)",
        r,
        since,
        future,
      );
    }
  }
}
