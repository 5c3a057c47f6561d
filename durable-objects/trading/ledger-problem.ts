/**
 * Why the ledger refused an operation, as the gateway turns it into problem+json. It crosses the
 * RPC boundary as a value (an exception thrown in a Durable Object reaches the caller with its
 * message only), so every ledger method answers `LedgerResult`.
 */
export interface LedgerProblem {
  status: 400 | 403 | 404 | 409 | 422 | 503;
  slug: string;
  detail: string;
  /** The request field the problem is about (`quantity`, `price`, ...), when there is one. */
  path?: string;
  message?: string;
  /** Extra members of the problem (a risk limit: which, its value, the order's figure, the excess). */
  extra?: Record<string, unknown>;
}

export type LedgerResult<T> = { ok: true; value: T } | { ok: false; problem: LedgerProblem };

export function ok<T>(value: T): LedgerResult<T> {
  return { ok: true, value };
}

/** Thrown inside the ledger's synchronous core; caught at the object's RPC method and answered as a value. */
export class LedgerRefusal extends Error {
  constructor(readonly problem: LedgerProblem) {
    super(problem.detail);
  }
}

export function refuse(problem: LedgerProblem): never {
  throw new LedgerRefusal(problem);
}
