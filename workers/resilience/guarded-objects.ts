/**
 * The objects as routes reach them through their breakers (object-guard.ts): `...Reads` for calls
 * that change nothing (answered stale from the last good result when the object fails), `...Writes`
 * for calls that do (503 at once while the object's breaker is open).
 */
import { liquidationFeed, marketBoard, marketSymbol, userLedger } from "../../durable-objects/addresses";
import { type GuardContext, guardedReads, guardedWrites } from "./object-guard";

/** The market board, for reads. */
export function boardReads(c: GuardContext) {
  return guardedReads(c, "market-board", marketBoard(c.env));
}

/** One coin's object, for reads. */
export function symbolReads(c: GuardContext, base: string) {
  return guardedReads(c, "market-symbol", marketSymbol(c.env, base));
}

/** The liquidation feed, for reads. */
export function feedReads(c: GuardContext) {
  return guardedReads(c, "liquidation-feed", liquidationFeed(c.env));
}

/** A user's ledger, for reads (remembered per caller as well as per ledger). */
export function ledgerReads(c: GuardContext, userId: string) {
  return guardedReads(c, "user-ledger", userLedger(c.env, userId));
}

/** A user's ledger, for writes. */
export function ledgerWrites(c: GuardContext, userId: string) {
  return guardedWrites(c, "user-ledger", userLedger(c.env, userId));
}
