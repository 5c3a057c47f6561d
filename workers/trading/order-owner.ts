import { eq } from "drizzle-orm";
import type { SessionUser } from "../auth/sessions";
import type { Db } from "../db/client";
import { orders } from "../db/schema";

/**
 * Whose ledger to ask about an order id: the caller's own, or, for an admin, the ledger of the user
 * the order belongs to (found in the D1 projection). A user asking about another's order asks their
 * own ledger, which answers 404, so ids cannot be probed.
 */
export async function orderOwner(db: Db, caller: SessionUser, orderId: string): Promise<string> {
  if (caller.role !== "admin") return caller.id;
  const row = await db.select({ userId: orders.userId }).from(orders).where(eq(orders.id, orderId)).get();
  return row?.userId ?? caller.id;
}
