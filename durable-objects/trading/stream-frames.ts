/**
 * What the user's private stream `/ws/user` carries: a snapshot (who it belongs to, the open orders,
 * the positions at the last prices the ledger read), then each change as it is stored: `order` and
 * `fill` messages, and the `position` a fill moved.
 */

import type { Quotes } from "./quotes";
import type { OutboxEntry } from "./records";
import type { SqlLedgerRepo } from "./sql-ledger-repo";
import { valuate } from "./valuation";
import { fillView, orderView, positionView } from "./views";

const NO_QUOTES = (): Quotes => ({ quote: () => null, usdKrw: null, usdtKrw: null, at: Date.now() });

/** The snapshot's body (the JSON members after `seq`). */
export function snapshotBody(repo: SqlLedgerRepo, quotes: Quotes | null, userId: string, staleMs: number): string {
  const account = repo.account();
  const positions = account ? valuate(account, repo.positions(), quotes ?? NO_QUOTES(), staleMs).positions : [];
  const data = {
    user_id: userId,
    open_orders: repo.openOrders().map(orderView),
    positions: positions.map((p) => positionView(p, userId)),
  };
  return `"data":${JSON.stringify(data)}`;
}

/** The frames of some stored changes, in order, then the positions they moved. */
export function changeFrames(
  entries: OutboxEntry[],
  repo: SqlLedgerRepo,
  quotes: Quotes | null,
  userId: string,
  staleMs: number,
): { type: string; body: string }[] {
  const frames: { type: string; body: string }[] = [];
  const moved = new Set<string>();
  for (const entry of entries) {
    if (entry.kind === "order") {
      frames.push({ type: "order", body: `"data":${JSON.stringify(orderView(entry.order))}` });
    } else {
      frames.push({ type: "fill", body: `"data":${JSON.stringify(fillView(entry.fill, userId))}` });
      moved.add(`${entry.fill.venue}|${entry.fill.base}`);
    }
  }
  const account = repo.account();
  if (account && moved.size > 0) {
    const records = repo.positions().filter((p) => moved.has(`${p.venue}|${p.base}`));
    for (const p of valuate(account, records, quotes ?? NO_QUOTES(), staleMs).positions) {
      frames.push({ type: "position", body: `"data":${JSON.stringify(positionView(p, userId))}` });
    }
  }
  return frames;
}
