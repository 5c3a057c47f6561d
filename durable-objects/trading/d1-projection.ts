/**
 * Writes a ledger's orders and fills into D1 (tables `orders` and `fills`, defined by the drizzle
 * schema in workers/db/schema.ts and its migrations): the projection the platform reads across users.
 * Each write is idempotent: an order row is replaced only by a newer `version`, a fill is written once,
 * so the ledger can retry a batch until D1 takes it. Rows of a user D1 does not know are skipped.
 */
import type { FillRecord, OrderRecord } from "./records";

export async function projectToD1(db: D1Database, orders: OrderRecord[], fills: FillRecord[]): Promise<void> {
  if (orders.length === 0 && fills.length === 0) return;
  const statements: D1PreparedStatement[] = [];
  // Newest version of each order only: the batch may carry several of one order.
  const latest = new Map<string, OrderRecord>();
  for (const o of orders) if ((latest.get(o.id)?.version ?? 0) < o.version) latest.set(o.id, o);
  for (const o of latest.values()) {
    statements.push(
      db
        .prepare(
          `INSERT INTO orders (id, user_id, client_order_id, symbol, venue, side, order_type, time_in_force, quantity,
             price, stop_price, status, reject_reason, filled_quantity, filled_value, fee, fee_currency, trade_id,
             created_at, updated_at, version)
           SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, ?20, ?21
           WHERE EXISTS (SELECT 1 FROM users WHERE id = ?2)
           ON CONFLICT(id) DO UPDATE SET status = excluded.status, reject_reason = excluded.reject_reason,
             filled_quantity = excluded.filled_quantity, filled_value = excluded.filled_value, fee = excluded.fee,
             updated_at = excluded.updated_at, version = excluded.version
           WHERE excluded.version > orders.version`,
        )
        .bind(
          o.id,
          o.user_id,
          o.client_order_id,
          `${o.base}/${o.quote}`,
          o.venue,
          o.side,
          o.order_type,
          o.time_in_force,
          o.quantity,
          o.price,
          o.stop_price,
          o.status,
          o.reject_reason,
          o.filled_quantity,
          o.filled_value,
          o.fee,
          o.quote,
          o.trade_id,
          o.created_at,
          o.updated_at,
          o.version,
        ),
    );
  }
  // A fill takes its user from its order's row (written above, or by an earlier batch).
  for (const fill of fills) {
    statements.push(
      db
        .prepare(
          `INSERT INTO fills (id, order_id, user_id, symbol, venue, side, quantity, price, fee, fee_currency, liquidity, timestamp)
           SELECT ?1, ?2, user_id, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11 FROM orders WHERE id = ?2
           ON CONFLICT(id) DO NOTHING`,
        )
        .bind(
          fill.id,
          fill.order_id,
          `${fill.base}/${fill.quote}`,
          fill.venue,
          fill.side,
          fill.quantity,
          fill.price,
          fill.fee,
          fill.quote,
          fill.liquidity,
          fill.timestamp,
        ),
    );
  }
  await db.batch(statements);
}
