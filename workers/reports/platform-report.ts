/**
 * The admin platform report of one day (Asia/Seoul): accounts, orders and fills from the D1
 * projection tables (`users`, `orders`, `fills`; the ledgers write orders and fills there through
 * their outbox, so the last seconds' may not be in yet), traded value per venue, and the feeds' state.
 *
 * Amounts are summed by SQLite in double precision (the tables keep exact decimal strings; a report
 * is a summary, the ledgers hold the exact figures). The queries scan the day's rows by time; the
 * tables' indexes lead with the user, so a day costs a scan of each table.
 */
import { liquidationFeed, marketBoard } from "../../durable-objects/addresses";
import type { PlatformReport, VenueVolume } from "../../protocol/reports";
import { type CsvCell, csvTable } from "../http/csv";

/** Asia/Seoul is UTC+9 all year (Korea has kept no daylight saving time since 1988). */
const SEOUL_OFFSET_MS = 9 * 3_600_000;
const DAY_MS = 86_400_000;

/** The Asia/Seoul day `YYYY-MM-DD` as [start, end) in ms since the epoch. */
export function seoulDayRange(date: string): { start: number; end: number } {
  const start = Date.parse(`${date}T00:00:00Z`) - SEOUL_OFFSET_MS;
  return { start, end: start + DAY_MS };
}

/** Today in Asia/Seoul, `YYYY-MM-DD`. */
export function seoulToday(now = Date.now()): string {
  return new Date(now + SEOUL_OFFSET_MS).toISOString().slice(0, 10);
}

interface OrderGroup {
  status: string;
  order_type: string;
  side: string;
  n: number;
}

interface FillGroup {
  venue: string;
  currency: string;
  side: string;
  liquidity: string;
  n: number;
  value: number | null;
  fees: number | null;
}

/** Builds the report of `date` (see `PlatformReport` in protocol/reports.ts). */
export async function platformReport(env: Env, date: string, now = Date.now()): Promise<PlatformReport> {
  const { start, end } = seoulDayRange(date);
  const db = env.DB;
  const [users, orderGroups, activeTraders, fillGroups, fillTraders] = await db.batch([
    db
      .prepare("SELECT COUNT(*) AS total, COALESCE(SUM(created_at >= ?1), 0) AS new FROM users WHERE created_at < ?2")
      .bind(start, end),
    db
      .prepare(
        `SELECT status, order_type, side, COUNT(*) AS n FROM orders
         WHERE created_at >= ?1 AND created_at < ?2 GROUP BY status, order_type, side`,
      )
      .bind(start, end),
    db
      .prepare("SELECT COUNT(DISTINCT user_id) AS n FROM orders WHERE created_at >= ?1 AND created_at < ?2")
      .bind(start, end),
    db
      .prepare(
        `SELECT venue, fee_currency AS currency, side, liquidity, COUNT(*) AS n,
           SUM(CAST(quantity AS REAL) * CAST(price AS REAL)) AS value, SUM(CAST(fee AS REAL)) AS fees
         FROM fills WHERE timestamp >= ?1 AND timestamp < ?2 GROUP BY venue, fee_currency, side, liquidity`,
      )
      .bind(start, end),
    db
      .prepare("SELECT COUNT(DISTINCT user_id) AS n FROM fills WHERE timestamp >= ?1 AND timestamp < ?2")
      .bind(start, end),
  ]);
  const userRow = users.results[0] as { total: number; new: number } | undefined;

  const byStatus: Record<string, number> = {};
  const byType: Record<string, number> = {};
  const bySide: Record<string, number> = {};
  let ordersTotal = 0;
  for (const g of orderGroups.results as unknown as OrderGroup[]) {
    ordersTotal += g.n;
    byStatus[g.status] = (byStatus[g.status] ?? 0) + g.n;
    byType[g.order_type] = (byType[g.order_type] ?? 0) + g.n;
    bySide[g.side] = (bySide[g.side] ?? 0) + g.n;
  }

  const volumes = new Map<string, VenueVolume>();
  let fillsTotal = 0;
  for (const g of fillGroups.results as unknown as FillGroup[]) {
    fillsTotal += g.n;
    const key = `${g.venue}:${g.currency}`;
    let v = volumes.get(key);
    if (!v) {
      v = {
        venue: g.venue,
        currency: g.currency,
        fills: 0,
        value: 0,
        buy_value: 0,
        sell_value: 0,
        fees: 0,
        maker_fills: 0,
        taker_fills: 0,
      };
      volumes.set(key, v);
    }
    const value = g.value ?? 0;
    v.fills += g.n;
    v.value += value;
    if (g.side === "BUY") v.buy_value += value;
    else v.sell_value += value;
    v.fees += g.fees ?? 0;
    if (g.liquidity === "maker") v.maker_fills += g.n;
    else v.taker_fills += g.n;
  }

  return {
    date,
    time_zone: "Asia/Seoul",
    from: new Date(start).toISOString(),
    to: new Date(end).toISOString(),
    generated_at: new Date(now).toISOString(),
    users: {
      total: userRow?.total ?? 0,
      new: userRow?.new ?? 0,
      active_traders: (activeTraders.results[0] as { n: number } | undefined)?.n ?? 0,
    },
    orders: { total: ordersTotal, by_status: byStatus, by_type: byType, by_side: bySide },
    fills: { total: fillsTotal, traders: (fillTraders.results[0] as { n: number } | undefined)?.n ?? 0 },
    volume: [...volumes.values()]
      .map((v) => ({
        ...v,
        value: round(v.value),
        buy_value: round(v.buy_value),
        sell_value: round(v.sell_value),
        fees: round(v.fees),
      }))
      .sort((a, b) => a.currency.localeCompare(b.currency) || a.venue.localeCompare(b.venue)),
    feed_health: await feedHealth(env, now),
  };
}

/** Nothing records feed freshness over time, so this is the feeds' state now (the board's and the liquidation feed's). */
async function feedHealth(env: Env, now: number): Promise<PlatformReport["feed_health"]> {
  const [board, liquidations] = await Promise.allSettled([marketBoard(env).stats(), liquidationFeed(env).debug()]);
  if (board.status === "rejected" || liquidations.status === "rejected") {
    return { history_recorded: false, current: null, error: "the board or the liquidation feed did not answer" };
  }
  const stats = board.value;
  return {
    history_recorded: false,
    current: {
      venues: Object.fromEntries(
        Object.entries(stats.venues).map(([venue, v]) => [
          venue,
          { markets: v.markets, age_ms: v.age_ms, stale: v.stale },
        ]),
      ),
      fx: stats.fx,
      liquidations: Object.fromEntries(
        Object.entries(liquidations.value.venues).map(([venue, v]) => [
          venue,
          {
            last_received_age_ms: v.last_received_at === null ? null : now - v.last_received_at,
            count_24h: v.count_24h,
          },
        ]),
      ),
      timestamp: now,
    },
  };
}

/** Sums to 8 decimal places, which hides the last bits of binary floating point and no real amount. */
function round(n: number): number {
  return Math.round(n * 1e8) / 1e8;
}

/** The CSV columns: one figure per row, so the file is easy to filter and pivot. */
export const PLATFORM_CSV_COLUMNS = ["date", "metric", "venue", "currency", "breakdown", "value"] as const;

/** The report as CSV rows (see `PLATFORM_CSV_COLUMNS`). */
export function platformReportCsv(r: PlatformReport): string {
  const rows: CsvCell[][] = [];
  const add = (metric: string, value: CsvCell, venue = "", currency = "", breakdown = "") =>
    rows.push([r.date, metric, venue, currency, breakdown, value]);
  add("users_total", r.users.total);
  add("users_new", r.users.new);
  add("active_traders", r.users.active_traders);
  add("orders", r.orders.total);
  for (const [k, n] of Object.entries(r.orders.by_status)) add("orders", n, "", "", `status:${k}`);
  for (const [k, n] of Object.entries(r.orders.by_type)) add("orders", n, "", "", `type:${k}`);
  for (const [k, n] of Object.entries(r.orders.by_side)) add("orders", n, "", "", `side:${k}`);
  add("fills", r.fills.total);
  add("fill_traders", r.fills.traders);
  for (const v of r.volume) {
    add("fills", v.fills, v.venue, v.currency);
    add("fills", v.maker_fills, v.venue, v.currency, "liquidity:maker");
    add("fills", v.taker_fills, v.venue, v.currency, "liquidity:taker");
    add("value", v.value, v.venue, v.currency);
    add("value", v.buy_value, v.venue, v.currency, "side:BUY");
    add("value", v.sell_value, v.venue, v.currency, "side:SELL");
    add("fees", v.fees, v.venue, v.currency);
  }
  const current = r.feed_health.current;
  if (current) {
    for (const [venue, f] of Object.entries(current.venues)) {
      add("feed_markets", f.markets, venue, "", "now");
      add("feed_age_ms", f.age_ms, venue, "", "now");
      add("feed_stale", f.stale, venue, "", "now");
    }
    if (current.fx) add("fx_age_ms", current.fx.age_ms, "", "", "now");
    for (const [venue, l] of Object.entries(current.liquidations)) {
      add("liquidation_age_ms", l.last_received_age_ms, venue, "", "now");
      add("liquidations_24h", l.count_24h, venue, "", "now");
    }
  }
  return csvTable(PLATFORM_CSV_COLUMNS, rows);
}
