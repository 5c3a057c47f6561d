import { describe, expect, it } from "vitest";
import type { Order } from "../../protocol/trading";
import { call, type TestAccount } from "./support/auth";
import { expectProblem } from "./support/http";
import { batchOf, postIngest } from "./support/ingest";
import { uniqueBase } from "./support/liquidations";
import { ticker } from "./support/market";
import { accountOf, getJsonAs, newTrader, placed, placeOrder, rates, setPrices } from "./support/trading";

/** What a refused order must leave as it was: the account and the order list. */
async function state(trader: TestAccount) {
  const account = await accountOf(trader);
  const orders = (await getJsonAs<{ items: Order[] }>(trader, "/api/orders")).body.items;
  return {
    cash: account.cash,
    positions: account.positions,
    open: account.open_orders,
    orders: orders.map((o) => [o.id, o.status]),
  };
}

describe("a bad order is a clear 4xx naming the field, and changes nothing", () => {
  const cases: [string, (base: string) => Record<string, unknown>, number, string][] = [
    [
      "an unknown market",
      () => ({ symbol: "ZZZ999/KRW", side: "BUY", order_type: "MARKET", quantity: 1 }),
      400,
      "symbol",
    ],
    [
      "a negative quantity",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "MARKET", quantity: -1 }),
      400,
      "quantity",
    ],
    [
      "a zero quantity",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "MARKET", quantity: "0" }),
      400,
      "quantity",
    ],
    [
      "too many decimals",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "MARKET", quantity: "0.123456789" }),
      400,
      "quantity",
    ],
    [
      "a price off the unit",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "LIMIT", price: 100_050, quantity: 1 }),
      400,
      "price",
    ],
    [
      "a value under the minimum",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "LIMIT", price: 100_000, quantity: "0.01" }),
      400,
      "quantity",
    ],
    [
      "a limit without a price",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "LIMIT", quantity: 1 }),
      400,
      "price",
    ],
    [
      "a market order with a price",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "MARKET", price: 100_000, quantity: 1 }),
      400,
      "price",
    ],
    [
      "a stop without its stop price",
      (b) => ({ symbol: `${b}/KRW`, side: "SELL", order_type: "STOP", quantity: 1 }),
      400,
      "stop_price",
    ],
    [
      "a venue that does not quote the market",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "MARKET", venue: "binance", quantity: 1 }),
      400,
      "venue",
    ],
    [
      "a stop that would trigger at once",
      (b) => ({ symbol: `${b}/KRW`, side: "SELL", order_type: "STOP", stop_price: 100_100, quantity: 1 }),
      400,
      "stop_price",
    ],
    [
      "an order over the position limit",
      (b) => ({ symbol: `${b}/KRW`, side: "BUY", order_type: "LIMIT", price: 99_000, quantity: 20_000 }),
      400,
      "quantity",
    ],
    [
      "another user's id",
      (b) => ({ user_id: crypto.randomUUID(), symbol: `${b}/KRW`, side: "BUY", order_type: "MARKET", quantity: 1 }),
      403,
      "user_id",
    ],
  ];

  for (const [name, body, status, path] of cases) {
    it(`refuses ${name} (${status}, ${path})`, async () => {
      const base = uniqueBase();
      await setPrices(base, { upbit: 100_000 });
      const trader = await newTrader();
      await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "LIMIT", price: 90_000, quantity: 1 });
      const before = await state(trader);
      await expectProblem(await placeOrder(trader, body(base)), status, path);
      expect(await state(trader)).toEqual(before);
    });
  }

  it("names the risk limit, its value, the order's figure and the excess", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    const res = await placeOrder(trader, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 100_000,
      quantity: 15_000,
    });
    const problem = (await expectProblem(res, 400, "quantity")) as unknown as Record<string, unknown>;
    expect(problem).toMatchObject({
      type: "/problems/risk-limit",
      limit: "max_position_value_usd",
      limit_value: 1_000_000,
    });
    // 15,000 x 100,000 KRW at 1,400 KRW/USD.
    expect(problem.would_be).toBeCloseTo(1_071_428.57, 1);
    expect(problem.excess).toBeCloseTo(71_428.57, 1);
  });

  it("refuses a market order at a stale price (409, venue) and fills nothing", async () => {
    const base = uniqueBase();
    await postIngest(batchOf([...rates(), ticker("upbit", base, 100_000, Date.now() - 60_000)]));
    const trader = await newTrader();
    const before = await state(trader);
    const problem = await expectProblem(
      await placeOrder(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: 1 }),
      409,
      "venue",
    );
    expect(problem.type).toBe("/problems/stale-price");
    expect(await state(trader)).toEqual(before);
  });

  it("hides another user's order (404) and refuses to cancel a cancelled one (409)", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const owner = await newTrader("owner");
    const stranger = await newTrader("stranger");
    const order = await placed(owner, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 90_000,
      quantity: 1,
    });
    expect((await getJsonAs(stranger, `/api/orders/${order.id}`)).status).toBe(404);
    await expectProblem(
      await call(`/api/orders/${order.id}`, { method: "DELETE", token: stranger.tokens.access_token }),
      404,
      "id",
    );
    expect((await call(`/api/orders/${order.id}`, { method: "DELETE", token: owner.tokens.access_token })).status).toBe(
      200,
    );
    const before = await state(owner);
    await expectProblem(
      await call(`/api/orders/${order.id}`, { method: "DELETE", token: owner.tokens.access_token }),
      409,
      "id",
    );
    expect(await state(owner)).toEqual(before);
  });
});

describe("idempotency and client order ids", () => {
  it("answers the same Idempotency-Key and body with the original order, and another body with 422", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    const body = { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: "0.3" };
    const key = { "Idempotency-Key": crypto.randomUUID() };
    const first = await placeOrder(trader, body, key);
    const again = await placeOrder(trader, { ...body, quantity: 0.3 }, key);
    expect(first.status).toBe(201);
    const original = (await first.json()) as Order;
    expect(((await again.json()) as Order).id).toBe(original.id);
    const before = await state(trader);
    await expectProblem(await placeOrder(trader, { ...body, quantity: "0.4" }, key), 422, "Idempotency-Key");
    expect(await state(trader)).toEqual(before);
    expect((await accountOf(trader)).positions).toBe(1);
  });

  it("refuses a client_order_id used before (409)", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    const order = {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 90_000,
      quantity: 1,
      client_order_id: "my-1",
    };
    expect((await placeOrder(trader, order)).status).toBe(201);
    await expectProblem(await placeOrder(trader, order), 409, "client_order_id");
  });
});
