/**
 * The equity curve's daily points: once a day (Asia/Seoul midnight, a Cron Trigger) each trader's
 * account is read from their ledger and stored in D1 with the positions and the prices it was valued
 * at. A snapshot is keyed by user and day, so a retried or repeated run writes the same row again,
 * never a second one. Traders who never placed an order are skipped: their curve is their starting cash.
 */
import { and, asc, eq, gte, lte } from "drizzle-orm";
import { userLedger } from "../../durable-objects/addresses";
import { seoulDay } from "../../durable-objects/trading/account-book";
import type { Account, Position } from "../../protocol/trading";
import { database } from "../db/client";
import { equitySnapshots } from "../db/schema";
import { ledgerValue } from "../http/ledger-result";

/** A snapshot's positions as stored: enough to value them again. */
export interface SnapshotPosition {
  venue: string;
  symbol: string;
  quantity: number;
  avg_price: number;
  market_price: number | null;
  currency: string;
}

export interface EquitySnapshot {
  day: string;
  equity_krw: number | null;
  cash_krw: number;
  cash_usdt: number;
  usdt_krw: number | null;
  positions: SnapshotPosition[];
  stale: boolean;
  taken_at: number;
}

/**
 * wrangler.toml's cron for the snapshots: 15:00 UTC is 00:00 in Asia/Seoul. (Not exported from the
 * Worker's entry: workerd takes every named export there for a handler or a class.)
 */
export const EQUITY_SNAPSHOT_CRON = "0 15 * * *";

/** How many ledgers are read at once by the daily run. */
const CONCURRENCY = 8;

/** Takes (or takes again) one trader's snapshot for the day `now` falls on (Asia/Seoul). */
export async function takeSnapshot(env: Env, userId: string, now: number): Promise<EquitySnapshot> {
  const ledger = userLedger(env, userId);
  const [accountResult, positionsResult] = await Promise.all([ledger.account(), ledger.positions()]);
  const account = ledgerValue(accountResult) as Account;
  const positions = ledgerValue(positionsResult) as Position[];
  const snapshot: EquitySnapshot = {
    day: seoulDay(now),
    equity_krw: account.equity_krw,
    cash_krw: account.cash.KRW ?? 0,
    cash_usdt: account.cash.USDT ?? 0,
    usdt_krw: account.rates.usdt_krw,
    positions: positions.map((p) => ({
      venue: p.venue,
      symbol: p.symbol,
      quantity: p.quantity,
      avg_price: p.avg_price,
      market_price: p.market_price,
      currency: p.currency,
    })),
    stale: account.stale,
    taken_at: now,
  };
  const row = {
    userId,
    day: snapshot.day,
    equityKrw: snapshot.equity_krw,
    cashKrw: snapshot.cash_krw,
    cashUsdt: snapshot.cash_usdt,
    usdtKrw: snapshot.usdt_krw,
    positions: JSON.stringify(snapshot.positions),
    stale: snapshot.stale,
    takenAt: now,
  };
  await database(env)
    .insert(equitySnapshots)
    .values(row)
    .onConflictDoUpdate({ target: [equitySnapshots.userId, equitySnapshots.day], set: row });
  return snapshot;
}

/** The daily run: a snapshot of every trader who has placed an order. */
export async function takeDailySnapshots(env: Env, now: number): Promise<{ traders: number; failed: number }> {
  const { results } = await env.DB.prepare("SELECT DISTINCT user_id FROM orders").all<{ user_id: string }>();
  const ids = results.map((r) => r.user_id);
  let failed = 0;
  for (let i = 0; i < ids.length; i += CONCURRENCY) {
    const outcomes = await Promise.allSettled(ids.slice(i, i + CONCURRENCY).map((id) => takeSnapshot(env, id, now)));
    for (const outcome of outcomes) {
      if (outcome.status === "rejected") {
        failed++;
        console.error(JSON.stringify({ msg: "equity snapshot failed", error: String(outcome.reason) }));
      }
    }
  }
  return { traders: ids.length, failed };
}

/** A trader's snapshots from `from` to `to` (days, inclusive), oldest first. */
export async function snapshotsBetween(env: Env, userId: string, from: string, to: string): Promise<EquitySnapshot[]> {
  const rows = await database(env)
    .select()
    .from(equitySnapshots)
    .where(and(eq(equitySnapshots.userId, userId), gte(equitySnapshots.day, from), lte(equitySnapshots.day, to)))
    .orderBy(asc(equitySnapshots.day));
  return rows.map((r) => ({
    day: r.day,
    equity_krw: r.equityKrw,
    cash_krw: r.cashKrw,
    cash_usdt: r.cashUsdt,
    usdt_krw: r.usdtKrw,
    positions: JSON.parse(r.positions) as SnapshotPosition[],
    stale: r.stale,
    taken_at: r.takenAt,
  }));
}
