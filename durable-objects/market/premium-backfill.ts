import { CANDLE_RESOLUTIONS, type CandleResolution, INTERVAL_MS, MARKET_VENUES } from "../../protocol/venues";
import type { PremiumWindows } from "./premium-context";
import { distributionOf } from "./premium-distribution";
import { premiumRows } from "./premium-from-candles";
import type { PremiumHistory } from "./premium-history";
import { type RateHistory, rateSeries } from "./rate-series";
import type { VenueCandles } from "./venue-candles";

/** The rates of a period range, fetched from the objects that keep them. */
export interface RatesOfRange {
  usdKrw: RateHistory;
  /** USDT/KRW per Korean venue. */
  usdtKrw: Partial<Record<string, RateHistory>>;
}

export type RateFetcher = (resolution: CandleResolution, from: number, to: number) => Promise<RatesOfRange>;

/** Rows still missing a rate are retried at most this often. */
const REPAIR_EVERY_MS = 10 * 60_000;
const DAY_MS = INTERVAL_MS["1d"];

/**
 * Keeps a coin's premium history in step with its candles: candles that arrive mark their periods
 * dirty (stored, so a restart resumes), and a run computes those periods' premiums from the candles and
 * the rates of the time, retries periods a rate was missing for, and sums up the last 30 and 90 days
 * of hourly premiums into the windows the board rates today's premium against.
 */
export class PremiumBackfill {
  private lastRepair = 0;

  constructor(
    private readonly sql: SqlStorage,
    private readonly candles: VenueCandles,
    private readonly history: PremiumHistory,
    private readonly fetchRates: RateFetcher,
  ) {
    sql.exec(`CREATE TABLE IF NOT EXISTS premium_dirty (
      resolution TEXT PRIMARY KEY, from_ms INTEGER NOT NULL, to_ms INTEGER NOT NULL)`);
  }

  /** Marks a period range of one resolution for (re)computation. */
  markDirty(resolution: CandleResolution, from: number, to: number): void {
    this.sql.exec(
      `INSERT INTO premium_dirty (resolution, from_ms, to_ms) VALUES (?, ?, ?)
       ON CONFLICT(resolution) DO UPDATE SET from_ms = MIN(from_ms, excluded.from_ms), to_ms = MAX(to_ms, excluded.to_ms)`,
      resolution,
      from,
      to,
    );
  }

  hasWork(): boolean {
    return this.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM premium_dirty").one().n > 0;
  }

  /** Computes what is dirty (and, now and then, what lacked a rate); answers whether hourly rows changed. */
  async run(now = Date.now()): Promise<boolean> {
    const ranges = this.sql
      .exec<{ resolution: CandleResolution; from_ms: number; to_ms: number }>(
        "SELECT resolution, from_ms, to_ms FROM premium_dirty",
      )
      .toArray();
    this.sql.exec("DELETE FROM premium_dirty");
    if (now - this.lastRepair > REPAIR_EVERY_MS) {
      this.lastRepair = now;
      for (const resolution of CANDLE_RESOLUTIONS) {
        const span = this.history.incomplete(resolution);
        if (span) ranges.push({ resolution, from_ms: span[0], to_ms: span[1] });
      }
    }
    let hourly = false;
    for (const { resolution, from_ms, to_ms } of ranges) {
      try {
        await this.compute(resolution, from_ms, to_ms);
        if (resolution === "1h") hourly = true;
      } catch (error) {
        this.markDirty(resolution, from_ms, to_ms); // retried on the next run
        throw error;
      }
    }
    return hourly;
  }

  private async compute(resolution: CandleResolution, from: number, to: number): Promise<void> {
    const candles: Partial<Record<string, ReturnType<VenueCandles["rows"]>>> = {};
    for (const venue of MARKET_VENUES) candles[venue] = this.candles.rows(venue, resolution, from, to);
    const rates = await this.fetchRates(resolution, from, to);
    const usdtKrw: Partial<Record<string, ReturnType<typeof rateSeries>>> = {};
    for (const [venue, history] of Object.entries(rates.usdtKrw)) usdtKrw[venue] = rateSeries(history);
    this.history.store(resolution, premiumRows({ candles, usdKrw: rateSeries(rates.usdKrw), usdtKrw }));
  }

  /** The last 30 and 90 days of hourly premiums on both bases, summed up. */
  windows(now = Date.now()): PremiumWindows {
    const rows = this.history.layered("1h", now - 90 * DAY_MS);
    const points = (key: "premium_percent" | "usdt_premium_percent", since: number) =>
      rows
        .filter((r) => r.open_time >= since && r[key] !== null)
        .map((r): [number, number] => [r.open_time, r[key] as number]);
    // The live layer is per minute: keep the last point of each hour so every hour weighs the same.
    const hourly = (p: [number, number][]) => [
      ...new Map(p.map(([t, v]) => [Math.floor(t / INTERVAL_MS["1h"]), [t, v] as [number, number]])).values(),
    ];
    const window = (days: number) => ({
      usd: distributionOf(hourly(points("premium_percent", now - days * DAY_MS))),
      usdt: distributionOf(hourly(points("usdt_premium_percent", now - days * DAY_MS))),
    });
    return { "30d": window(30), "90d": window(90), as_of: now };
  }
}
