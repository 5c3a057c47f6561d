import type { marketSymbol, userLedger } from "../../durable-objects/addresses";

/**
 * The objects a trader's analytics read: their ledger and the coins' objects. The routes pass them
 * through the gateway's guards (`ledgerReads`, `symbolReads`: deadline, circuit breaker, last good
 * answer), so a failing object costs a 503 or a stale answer, not a hung request.
 */
export interface AnalyticsReads {
  ledger: ReturnType<typeof userLedger>;
  symbol(base: string): ReturnType<typeof marketSymbol>;
}
