import type { LedgerResult } from "../../durable-objects/trading/ledger-problem";
import { Problem } from "./problem";

/** A ledger's answer: its value, or its refusal thrown as the problem+json it describes. */
export function ledgerValue<T>(result: LedgerResult<T>): T {
  if (result.ok) return result.value;
  const p = result.problem;
  const errors = p.path ? [{ path: p.path, message: p.message ?? p.detail }] : undefined;
  throw new Problem(p.status, p.slug, p.detail, errors, undefined, p.extra);
}
