/**
 * Calls to Durable Objects through a circuit breaker per object, with a last good result per read.
 *
 * - A read (`guardedReads`) that the object fails (throws, is overloaded, or misses its deadline) is
 *   answered from the last good result of the same call (same object, method and arguments, and the
 *   same caller when there is one, so one user's data is never served to another), marked stale; with
 *   none, 503 with `Retry-After`.
 * - While an object's breaker is open, reads are answered from their last good result at once (or 503)
 *   without calling the object; writes (`guardedWrites`) get 503 with `Retry-After` at once. Writes are
 *   never answered stale, and are given no deadline (a write cut off might still be applied; clients
 *   retry with their idempotency key).
 *
 * State lives in the isolate (`objectGuards`): each isolate learns about a failing object by itself.
 */
import { Problem } from "../http/problem";
import { type BreakerState, CircuitBreaker, type Permit } from "./breaker";
import { LastGoodCache } from "./last-good-cache";
import { failureKind, withDeadline } from "./object-failure";
import { readResilienceSettings } from "./settings";
import { noteStale } from "./stale-marker";

/** The kinds of object, for breaker names and messages. */
export type ObjectKind = "market-board" | "market-symbol" | "liquidation-feed" | "user-ledger";

/** What a guarded call needs of a request's context (a Hono `Context`). */
export interface GuardContext {
  env: Env;
  req: { raw: Request };
  var: { user?: { id: string } };
}

/** A stub as the guards see it: its id names the object. */
interface Addressed {
  readonly id: DurableObjectId;
}

/** Breakers kept per isolate; the least recently used (a user long gone) is forgotten first. */
const MAX_BREAKERS = 10_000;

const WHAT: Record<ObjectKind, string> = {
  "market-board": "The market board",
  "market-symbol": "The coin's market object",
  "liquidation-feed": "The liquidation feed",
  "user-ledger": "Your paper-trading ledger",
};

/** The breakers and last good results of one isolate. */
export class ObjectGuards {
  /** The clock every breaker and the cache read; tests replace it. */
  now: () => number = Date.now;
  readonly lastGood = new LastGoodCache({ now: () => this.now() });
  private readonly breakers = new Map<string, CircuitBreaker>();

  /** The state of an object's breaker (`closed` when it has none yet). */
  stateOf(kind: ObjectKind, name: string): BreakerState {
    return this.breakers.get(`${kind}:${name}`)?.state ?? "closed";
  }

  /** Forgets every breaker and last good result. */
  reset(): void {
    this.breakers.clear();
    this.lastGood.clear();
  }

  /**
   * `call`'s result, through the object's breaker and within the read deadline. With a `key`, the
   * result is remembered under it, and when the object fails or its breaker is open the last good
   * result under it is the answer (the request noted as stale). Otherwise, and with none remembered,
   * an `ObjectUnavailable` (503) is thrown.
   */
  async read<T>(
    c: GuardContext,
    kind: ObjectKind,
    name: string,
    key: string | null,
    call: () => Promise<T>,
  ): Promise<T> {
    try {
      const value = await this.call(c, kind, name, call, readResilienceSettings(c.env).callTimeoutMs);
      if (key !== null) this.lastGood.remember(key, value);
      return value;
    } catch (error) {
      const last = key === null || !(error instanceof ObjectUnavailable) ? undefined : this.lastGood.recall<T>(key);
      if (!last) throw error;
      noteStale(c.req.raw, last.at);
      return last.value;
    }
  }

  /** `call`'s result, or an `ObjectUnavailable` (503) at once while the object's breaker is open or when the call throws. */
  write<T>(c: GuardContext, kind: ObjectKind, name: string, call: () => Promise<T>): Promise<T> {
    return this.call(c, kind, name, call, null);
  }

  private async call<T>(
    c: GuardContext,
    kind: ObjectKind,
    name: string,
    call: () => Promise<T>,
    deadlineMs: number | null,
  ): Promise<T> {
    const breaker = this.breaker(kind, name, c.env);
    const admission = breaker.admit();
    if (!admission.admitted) throw new ObjectUnavailable(kind, admission.retryAfterMs, "open");
    try {
      const value = await (deadlineMs === null ? call() : withDeadline(call(), deadlineMs));
      this.settle(breaker, admission.permit, kind, name, null);
      return value;
    } catch (error) {
      this.settle(breaker, admission.permit, kind, name, error);
      // After a failure: the rest of the cool-down if it opened the breaker, else a second.
      throw new ObjectUnavailable(kind, Math.max(1_000, breaker.retryAfterMs()), failureKind(error));
    }
  }

  /** Reports a call's outcome to its breaker, and logs the breaker's changes of state. */
  private settle(breaker: CircuitBreaker, permit: Permit, kind: ObjectKind, name: string, error: unknown): void {
    const before = breaker.state;
    if (error === null) breaker.succeeded(permit);
    else breaker.failed(permit);
    const after = breaker.state;
    if (after !== before || error !== null) {
      const log = {
        msg: after !== before ? `breaker ${after}` : "object call failed",
        object: `${kind}:${name}`,
        breaker: after,
        ...(error === null ? {} : { failure: failureKind(error), error: String(error) }),
      };
      console.warn(JSON.stringify(log));
    }
  }

  private breaker(kind: ObjectKind, name: string, env: Env): CircuitBreaker {
    const key = `${kind}:${name}`;
    let breaker = this.breakers.get(key);
    if (breaker) {
      this.breakers.delete(key);
    } else {
      breaker = new CircuitBreaker({ ...readResilienceSettings(env).breaker, now: () => this.now() });
      if (this.breakers.size >= MAX_BREAKERS) {
        const oldest = this.breakers.keys().next().value;
        if (oldest !== undefined) this.breakers.delete(oldest);
      }
    }
    this.breakers.set(key, breaker);
    return breaker;
  }
}

/** The isolate's guards. */
export const objectGuards = new ObjectGuards();

/** A 503 problem: the object failed, or its breaker is open; `Retry-After` says when to try again. */
export class ObjectUnavailable extends Problem {
  constructor(kind: ObjectKind, retryAfterMs: number, why: string) {
    const seconds = Math.max(1, Math.ceil(retryAfterMs / 1000));
    const reason = why === "open" ? "is failing and is given a rest" : `is not answering (${why})`;
    super(503, "object-unavailable", `${WHAT[kind]} ${reason}; try again in ${seconds} s`, undefined, {
      "Retry-After": String(seconds),
    });
  }
}

/** The name of the object a stub addresses: the name it was addressed by, else its id. */
function nameOf(stub: Addressed): string {
  return stub.id.name ?? stub.id.toString();
}

/**
 * `stub` with every method call made as a guarded read (see the file's comment). The result is
 * remembered per object, method, arguments and caller (unless `lastGood` is false: for a caller that
 * keeps its own last result). Use it for methods that change nothing.
 */
export function guardedReads<T extends Addressed>(
  c: GuardContext,
  kind: ObjectKind,
  stub: T,
  options: { lastGood: boolean } = { lastGood: true },
): T {
  const name = nameOf(stub);
  const caller = c.var.user?.id;
  return guardedProxy(stub, (method, call, args) => {
    const key = `${kind}:${name}:${method}:${JSON.stringify(args)}${caller ? `:caller=${caller}` : ""}`;
    return objectGuards.read(c, kind, name, options.lastGood ? key : null, call);
  });
}

/** `stub` with every method call made as a guarded write: 503 at once while the object's breaker is open. */
export function guardedWrites<T extends Addressed>(c: GuardContext, kind: ObjectKind, stub: T): T {
  const name = nameOf(stub);
  return guardedProxy(stub, (_method, call) => objectGuards.write(c, kind, name, call));
}

/** Members that are not RPC methods: the upgrade, and what promise and disposal machinery look for. */
const PASS_THROUGH = new Set(["fetch", "then", "dup"]);

/**
 * A view of a stub whose methods go through `guard`. `fetch` (the WebSocket upgrade) and the stub's
 * own fields pass through untouched.
 */
function guardedProxy<T extends object>(
  stub: T,
  guard: (method: string, call: () => Promise<unknown>, args: unknown[]) => Promise<unknown>,
): T {
  return new Proxy(stub, {
    get(target, property) {
      const member = Reflect.get(target, property);
      if (typeof property !== "string" || PASS_THROUGH.has(property) || typeof member !== "function") return member;
      return (...args: unknown[]) =>
        guard(
          property,
          () => (target as Record<string, (...a: unknown[]) => Promise<unknown>>)[property](...args),
          args,
        );
    },
  });
}
