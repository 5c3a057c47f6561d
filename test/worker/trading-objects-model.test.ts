/**
 * Model-based test through the real objects in workerd: random sequences of place / cancel / tick /
 * re-sent tick batch / duplicate request / eviction of the ledger, the coin's object or the board,
 * driven through the gateway's ingest and the ledger's RPC methods. After every step (once the
 * objects have delivered what they owe each other), the ledger's own storage must reconcile exactly
 * with its fills, no fill may be applied twice, each order's status must follow from its fills and
 * never leave a final one, no accepted order may be lost, and the D1 projection must have caught up.
 *
 * OBJECT_MODEL_RUNS (environment, passed in by vitest.config.ts) sets the number of sequences (default
 * 200); a failing run prints its seed.
 */
import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { marketBoard, marketSymbol, userLedger } from "../../durable-objects/addresses";
import { dec, str } from "../../durable-objects/trading/decimal";
import type { AccountRecord, FillRecord, OrderRecord } from "../../durable-objects/trading/records";
import type { IngestBatch } from "../../protocol/ingest";
import type { OrderCreate } from "../../protocol/trading";
import { batchOf, deliverCoinUpdates, postIngest } from "./support/ingest";
import { uniqueBase } from "./support/liquidations";
import { ticker } from "./support/market";
import { rates } from "./support/trading";

const RUNS = Number(env.OBJECT_MODEL_RUNS || 200);
const UNIT = 100; // Upbit's price unit from 100,000 to 500,000 KRW
const START = 100_000;

type Step =
  | {
      kind: "place";
      side: "BUY" | "SELL";
      type: "MARKET" | "LIMIT" | "STOP";
      ticks: number;
      lots: number;
      key: boolean;
    }
  | { kind: "cancel"; pick: number }
  | { kind: "tick"; steps: number }
  | { kind: "resend" }
  | { kind: "duplicate" }
  | { kind: "evict"; which: "ledger" | "symbol" | "board" };

const step: fc.Arbitrary<Step> = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("place" as const),
      side: fc.constantFrom("BUY" as const, "SELL" as const),
      type: fc.constantFrom("MARKET" as const, "LIMIT" as const, "LIMIT" as const, "STOP" as const),
      ticks: fc.integer({ min: -3, max: 3 }),
      lots: fc.integer({ min: 1, max: 5 }),
      key: fc.boolean(),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), pick: fc.nat() }) },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("tick" as const), steps: fc.integer({ min: -4, max: 4 }) }) },
  { weight: 1, arbitrary: fc.constant({ kind: "resend" as const }) },
  { weight: 1, arbitrary: fc.constant({ kind: "duplicate" as const }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("evict" as const),
      which: fc.constantFrom("ledger" as const, "symbol" as const, "board" as const),
    }),
  },
);

/** A user known to D1 (the projection writes only for known users), made without the cost of a sign-up. */
async function newUser(): Promise<string> {
  const id = crypto.randomUUID();
  const now = Date.now();
  await env.DB.prepare(
    `INSERT INTO users (id, email, email_normalized, username, password_hash, role, locale, timezone, created_at, updated_at, password_changed_at)
     VALUES (?1, ?2, ?2, 'model', 'x', 'user', 'ko', 'Asia/Seoul', ?3, ?3, ?3)`,
  )
    .bind(id, `${id}@model.test`, now)
    .run();
  return id;
}

interface Stored {
  account: AccountRecord | null;
  orders: OrderRecord[];
  fills: FillRecord[];
  outbox: number;
}

async function ledgerStorage(userId: string): Promise<Stored> {
  return runInDurableObject(userLedger(env, userId), (_instance, state) => {
    const sql = state.storage.sql;
    const rows = (q: string) =>
      sql
        .exec<{ data: string }>(q)
        .toArray()
        .map((r) => JSON.parse(r.data));
    return {
      account: rows("SELECT data FROM account")[0] ?? null,
      orders: rows("SELECT data FROM orders ORDER BY created_at, id"),
      fills: rows("SELECT data FROM fills ORDER BY timestamp, id"),
      outbox: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n,
    };
  });
}

/** Waits until every object has delivered what it owes: the board's outbox, the matcher's, the ledger's. */
async function quiesce(userId: string, base: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    await deliverCoinUpdates();
    const { undelivered } = await marketSymbol(env, base).restingOrders();
    const { outbox } = await ledgerStorage(userId);
    if (undelivered === 0 && outbox === 0) return;
    if (Date.now() > deadline) throw new Error(`not quiet: ${undelivered} matches, ${outbox} ledger changes left`);
    if (outbox > 0) {
      const { runDurableObjectAlarm } = await import("cloudflare:test");
      await runDurableObjectAlarm(userLedger(env, userId));
    }
    if (undelivered > 0) {
      const { runDurableObjectAlarm } = await import("cloudflare:test");
      await runDurableObjectAlarm(marketSymbol(env, base));
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function checkInvariants(userId: string, accepted: Set<string>, finals: Map<string, string>): Promise<void> {
  const { account, orders, fills } = await ledgerStorage(userId);
  // No accepted order is lost.
  const ids = new Set(orders.map((o) => o.id));
  for (const id of accepted) expect(ids.has(id)).toBe(true);
  if (!account) return;
  // Cash, fees and positions follow from the fills alone; no fill twice.
  const cash = { KRW: dec("10000000"), USDT: dec("10000") };
  const fees = { KRW: dec(0), USDT: dec(0) };
  const filled = new Map<string, ReturnType<typeof dec>>();
  let held = dec(0);
  expect(new Set(fills.map((f) => f.id)).size).toBe(fills.length);
  for (const f of fills) {
    const q = dec(f.quantity);
    const signed = f.side === "BUY" ? q : q.negated();
    cash[f.quote] = cash[f.quote].minus(signed.times(dec(f.price))).minus(dec(f.fee));
    fees[f.quote] = fees[f.quote].plus(dec(f.fee));
    held = held.plus(signed);
    filled.set(f.order_id, (filled.get(f.order_id) ?? dec(0)).plus(q));
  }
  expect(str(dec(account.cash.KRW))).toBe(str(cash.KRW));
  expect(str(dec(account.fees_paid.KRW))).toBe(str(fees.KRW));
  const position = await runInDurableObject(userLedger(env, userId), (_i, state) =>
    state.storage.sql
      .exec<{ data: string }>("SELECT data FROM positions")
      .toArray()
      .map((r) => JSON.parse(r.data)),
  );
  expect(
    str(position.reduce((s: ReturnType<typeof dec>, p: { quantity: string }) => s.plus(dec(p.quantity)), dec(0))),
  ).toBe(str(held));
  for (const o of orders) {
    const f = filled.get(o.id) ?? dec(0);
    expect(str(dec(o.filled_quantity))).toBe(str(f));
    expect(o.status === "FILLED").toBe(f.equals(dec(o.quantity)));
    const final = finals.get(o.id);
    if (final) expect(o.status).toBe(final); // a final status never changes
    if (["FILLED", "CANCELLED", "REJECTED"].includes(o.status)) finals.set(o.id, o.status);
  }
  // The D1 projection has caught up: every order at its newest version, every fill.
  const d1Orders = await env.DB.prepare("SELECT id, status, filled_quantity, version FROM orders WHERE user_id = ?")
    .bind(userId)
    .all<{ id: string; status: string; filled_quantity: string; version: number }>();
  const projected = new Map(d1Orders.results.map((r) => [r.id, r]));
  for (const o of orders) {
    expect(projected.get(o.id)).toEqual({
      id: o.id,
      status: o.status,
      filled_quantity: o.filled_quantity,
      version: o.version,
    });
  }
  const d1Fills = await env.DB.prepare("SELECT COUNT(*) AS n FROM fills WHERE user_id = ?")
    .bind(userId)
    .first<{ n: number }>();
  expect(d1Fills?.n).toBe(fills.length);
}

describe("trading through the real objects, with restarts", () => {
  it(`keeps the ledger, the fills and the D1 projection reconciled over ${RUNS} random sequences`, async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(step, { minLength: 3, maxLength: 8 }), async (steps) => {
        const userId = await newUser();
        const base = uniqueBase();
        const ledger = () => userLedger(env, userId);
        let price = START;
        let lastBatch: IngestBatch | null = null;
        let lastKeyed: { key: string; request: OrderCreate; id: string } | null = null;
        const accepted = new Set<string>();
        const finals = new Map<string, string>();
        const tick = async () => {
          lastBatch = batchOf([
            ...rates(),
            ticker("upbit", base, price, Date.now(), { volume: 50_000, quote_volume: 50_000 * price }),
          ]);
          expect((await postIngest(lastBatch)).status).toBe(200);
        };
        await tick();
        await deliverCoinUpdates();
        for (const s of steps) {
          switch (s.kind) {
            case "place": {
              const request: OrderCreate = {
                symbol: `${base}/KRW`,
                side: s.side,
                order_type: s.type,
                quantity: (s.lots * 0.1).toFixed(1),
                ...(s.type === "LIMIT" ? { price: String(price + s.ticks * UNIT) } : {}),
                ...(s.type === "STOP"
                  ? { stop_price: String(price + (s.side === "BUY" ? 1 : -1) * (Math.abs(s.ticks) + 1) * UNIT) }
                  : {}),
              };
              const key = s.key ? crypto.randomUUID() : null;
              const result = await ledger().placeOrder(request, key ? { key, hash: JSON.stringify(request) } : null);
              if (result.ok) {
                accepted.add(result.value.id);
                if (key) lastKeyed = { key, request, id: result.value.id };
              }
              break;
            }
            case "cancel": {
              const { orders } = await ledgerStorage(userId);
              const open = orders.filter((o) => o.status === "PENDING" || o.status === "PARTIALLY_FILLED");
              if (open.length > 0) await ledger().cancelOrder((open[s.pick % open.length] as OrderRecord).id);
              break;
            }
            case "tick":
              price = Math.max(10 * UNIT, price + s.steps * UNIT);
              await tick();
              break;
            case "resend":
              if (lastBatch) expect((await postIngest(lastBatch)).status).toBe(200);
              break;
            case "duplicate":
              if (lastKeyed) {
                const again = await ledger().placeOrder(lastKeyed.request, {
                  key: lastKeyed.key,
                  hash: JSON.stringify(lastKeyed.request),
                });
                expect(again.ok && again.value.id).toBe(lastKeyed.id);
              }
              break;
            case "evict": {
              const stub =
                s.which === "ledger" ? ledger() : s.which === "symbol" ? marketSymbol(env, base) : marketBoard(env);
              // An object that is not running has nothing in memory to lose: the next call starts it afresh.
              await evictDurableObject(stub).catch((error: Error) => {
                if (!/not currently running/.test(error.message)) throw error;
              });
              break;
            }
          }
          await quiesce(userId, base);
          await checkInvariants(userId, accepted, finals);
        }
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
