/**
 * The board's state for `/health/ready` and `/metrics`: how fresh each venue's feed and the USD/KRW
 * rate are, open sockets per stream, and the counters (see board-counters.ts).
 */
import type { FreshnessBounds } from "./premium";
import type { TickerBook } from "./ticker-book";

export interface BoardStats {
  venues: Record<string, { markets: number; newest_timestamp: number; age_ms: number; stale: boolean }>;
  fx: { age_ms: number; stale: boolean } | null;
  /** Open sockets per stream (on the streams' shards, as they last answered a flush). */
  subscribers: Record<string, number>;
  /** Fan-out shards per stream of the board's. */
  fanout_shards: Record<string, number>;
  /** Flushes sent to shards, missed by a shard still busy with earlier ones, failed, and resyncs among those sent. */
  fanout_flushes: { published: number; skipped: number; failed: number; resync: number };
  /** Snapshots rendered for the shards (the all-coins one at most once per flush). */
  fanout_snapshot_renders: number;
  batches_applied: number;
  batches_duplicate: number;
  batches_conflict: number;
  events_applied: number;
  /** Coins whose history waits in the outbox for delivery to their MarketSymbol. */
  symbol_outbox: number;
  /** Coin alert rules evaluated and alerts fired in the coins' objects, as their deliveries answered. */
  alert_evaluations: number;
  alerts_fired: number;
}

/** Per venue, its markets and the age of its newest ticker; and the USD/KRW rate's age. */
export function feedFreshness(
  book: TickerBook,
  bounds: FreshnessBounds,
  now: number,
): Pick<BoardStats, "venues" | "fx"> {
  const venues: BoardStats["venues"] = {};
  for (const t of book.allTickers()) {
    const v = venues[t.venue] ?? { markets: 0, newest_timestamp: 0, age_ms: 0, stale: false };
    venues[t.venue] = v;
    v.markets++;
    v.newest_timestamp = Math.max(v.newest_timestamp, t.timestamp);
  }
  for (const v of Object.values(venues)) {
    v.age_ms = now - v.newest_timestamp;
    v.stale = v.age_ms > bounds.tickerMs;
  }
  const fx = book.usdKrw();
  return { venues, fx: fx ? { age_ms: now - fx.timestamp, stale: now - fx.timestamp > bounds.fxMs } : null };
}
