/**
 * A user's ledger failing inside workerd (UserLedger's RPC methods replaced for the test): the user's
 * reads answer from their own last good result, marked stale, never from another user's; once the
 * ledger's breaker is open, writes (orders) get 503 with `Retry-After` at once, without reaching it.
 * Breakers are per ledger: another user's ledger is not affected.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { UserLedger } from "../../durable-objects/user-ledger";
import type { Account } from "../../protocol/trading";
import { objectGuards } from "../../workers/resilience/object-guard";
import { call, type TestAccount } from "./support/auth";
import { expectProblem } from "./support/http";
import { newTrader, placeOrder } from "./support/trading";

const FAILURES = Number(env.BREAKER_FAILURES);
const COOLDOWN_S = Number(env.BREAKER_COOLDOWN_MS) / 1000;

function overloaded(): never {
  throw Object.assign(new Error("Durable Object is overloaded. Too many requests queued."), { overloaded: true });
}

async function account(trader: TestAccount): Promise<{ res: Response; body: Account & { stale: boolean } }> {
  const res = await call("/api/account", { token: trader.tokens.access_token });
  return { res, body: (await res.json()) as Account & { stale: boolean } };
}

const order = { symbol: "BTC/KRW", venue: "upbit", side: "BUY", order_type: "LIMIT", quantity: 0.001, price: 1_000 };

beforeEach(() => objectGuards.reset());
afterEach(() => {
  vi.restoreAllMocks();
  objectGuards.reset();
});

describe("a failing ledger", () => {
  it("answers its user's reads stale from their own last good result, and another user's with 503", async () => {
    const [alice, bob] = await Promise.all([newTrader("alice"), newTrader("bob")]);
    const fresh = await account(alice);
    expect(fresh.res.status).toBe(200);

    vi.spyOn(UserLedger.prototype, "account").mockImplementation(overloaded);
    const stale = await account(alice);
    expect(stale.res.status).toBe(200);
    expect(stale.res.headers.get("X-Stale")).toBe("true");
    expect(stale.body.stale).toBe(true);
    expect(stale.body.user_id).toBe(alice.userId);
    expect(stale.body.cash).toEqual(fresh.body.cash);

    // Bob never read his account: there is nothing of his to answer with, and Alice's is not his.
    const res = await call("/api/account", { token: bob.tokens.access_token });
    await expectProblem(res, 503);
  });

  it(`opens after ${FAILURES} failures; then an order gets 503 with Retry-After at once, not reaching the ledger`, async () => {
    const [alice, bob] = await Promise.all([newTrader("alice"), newTrader("bob")]);
    await account(alice);
    const reads = vi.spyOn(UserLedger.prototype, "account").mockImplementation(overloaded);
    const writes = vi.spyOn(UserLedger.prototype, "placeOrder");
    for (let i = 0; i < FAILURES; i++) expect((await account(alice)).body.stale).toBe(true);
    expect(objectGuards.stateOf("user-ledger", alice.userId)).toBe("open");

    const refused = await placeOrder(alice, order);
    const problem = await expectProblem(refused, 503);
    expect(problem.type).toBe("/problems/object-unavailable");
    expect(refused.headers.get("Retry-After")).toBe(String(COOLDOWN_S));
    expect(writes).not.toHaveBeenCalled();
    expect((await account(alice)).body.stale).toBe(true);
    expect(reads).toHaveBeenCalledTimes(FAILURES);

    // Bob's ledger has its own breaker, still closed: his order reaches it.
    expect(objectGuards.stateOf("user-ledger", bob.userId)).toBe("closed");
    const placed = await placeOrder(bob, order);
    expect(placed.status).not.toBe(503);
    expect(writes).toHaveBeenCalledTimes(1);
  });

  it("turns a write the ledger throws on into 503 with Retry-After (never a stale answer)", async () => {
    const alice = await newTrader("alice");
    vi.spyOn(UserLedger.prototype, "placeOrder").mockImplementation(overloaded);
    const res = await placeOrder(alice, order);
    await expectProblem(res, 503);
    expect(res.headers.get("Retry-After")).toBe("1");
    expect(res.headers.get("X-Stale")).toBeNull();
  });

  it("answers analytics and the fills export with 503 and Retry-After while the ledger fails, never a 500", async () => {
    const trader = await newTrader("analyst");
    vi.spyOn(UserLedger.prototype, "account").mockImplementation(overloaded);
    vi.spyOn(UserLedger.prototype, "listFills").mockImplementation(overloaded);
    for (const path of ["/api/analytics/performance", "/api/analytics/risk", "/api/fills/export.csv"]) {
      const res = await call(path, { token: trader.tokens.access_token });
      await expectProblem(res, 503);
      expect(res.headers.get("Retry-After"), path).not.toBeNull();
    }
  });
});
