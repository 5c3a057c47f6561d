import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marketSymbol } from "../../durable-objects/addresses";
import type { Order, Position } from "../../protocol/trading";
import { call, type TestAccount } from "./support/auth";
import { uniqueBase } from "./support/liquidations";
import { accountOf, getJsonAs, newTrader, placed, placeOrder, setPrices } from "./support/trading";

/** Waits until the order reaches a status (the matcher works in the background). */
async function orderUntil(
  trader: TestAccount,
  id: string,
  done: (o: Order) => boolean,
  timeoutMs = 5_000,
): Promise<Order> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { body } = await getJsonAs<Order>(trader, `/api/orders/${id}`);
    if (done(body) || Date.now() > deadline) return body;
    await new Promise((r) => setTimeout(r, 20));
  }
}

describe("resting orders fill when the venue's price reaches them", () => {
  it("rests a limit buy below the market, and fills it at its limit (maker) when a tick crosses it", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    const order = await placed(trader, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 99_000,
      quantity: "0.5",
    });
    expect(order.status).toBe("PENDING");
    await setPrices(base, { upbit: 99_500 });
    expect((await orderUntil(trader, order.id, (o) => o.status !== "PENDING", 600)).status).toBe("PENDING");
    await setPrices(base, { upbit: 98_900 });
    const filled = await orderUntil(trader, order.id, (o) => o.status === "FILLED");
    expect(filled).toMatchObject({ status: "FILLED", filled_quantity: 0.5, average_fill_price: 99_000 });
    expect(filled.fee).toBeCloseTo(0.5 * 99_000 * 0.0005, 9);
    const { body: positions } = await getJsonAs<Position[]>(trader, `/api/positions/${trader.userId}`);
    expect(positions.find((p) => p.symbol === `${base}/KRW`)).toMatchObject({ quantity: 0.5, avg_price: 99_000 });
    const account = await accountOf(trader);
    expect(account.cash.KRW).toBeCloseTo(10_000_000 - 49_500 - filled.fee, 6);
  });

  it("triggers a stop sell when the price falls to it and fills it at market", async () => {
    const base = uniqueBase();
    await setPrices(base, { binance: 50 });
    const trader = await newTrader();
    await placed(trader, { symbol: `${base}/USDT`, side: "BUY", order_type: "MARKET", quantity: 10 });
    const stop = await placed(trader, {
      symbol: `${base}/USDT`,
      side: "SELL",
      order_type: "STOP",
      stop_price: 45,
      quantity: 10,
    });
    expect(stop.status).toBe("PENDING");
    await setPrices(base, { binance: 44.9 });
    const filled = await orderUntil(trader, stop.id, (o) => o.status === "FILLED");
    expect(filled.status).toBe("FILLED");
    expect(filled.average_fill_price).toBeLessThanOrEqual(44.9);
    const { body: positions } = await getJsonAs<Position[]>(trader, `/api/positions/${trader.userId}`);
    expect(positions.find((p) => p.symbol === `${base}/USDT`)).toBeUndefined();
  });

  it("cancels a resting order; a later crossing fills nothing and a second cancel is a 409", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 10_000 });
    const trader = await newTrader();
    const order = await placed(trader, {
      symbol: `${base}/KRW`,
      side: "SELL",
      order_type: "LIMIT",
      price: 10_500,
      quantity: 2,
    });
    const cancel = () => call(`/api/orders/${order.id}`, { method: "DELETE", token: trader.tokens.access_token });
    const res = await cancel();
    expect(res.status).toBe(200);
    expect(((await res.json()) as Order).status).toBe("CANCELLED");
    await setPrices(base, { upbit: 10_600 });
    await new Promise((r) => setTimeout(r, 300));
    expect((await getJsonAs<Order>(trader, `/api/orders/${order.id}`)).body).toMatchObject({
      status: "CANCELLED",
      filled_quantity: 0,
    });
    expect((await cancel()).status).toBe(409);
  });

  it("refuses an order with a price off the venue's unit, naming the allowed prices", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    // From 100,000 to 500,000 KRW, Upbit's price unit is 100.
    const res = await placeOrder(trader, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 100_050,
      quantity: 1,
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { path: string; message: string }[]; allowed: number[] };
    expect(body.errors[0]?.path).toBe("price");
    expect(body.allowed).toEqual([100_000, 100_100]);
  });
  it("delivers more fills for one user than SQLite binds in one statement, and leaves nothing to re-deliver", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    const count = 150; // above the 100 bound parameters a Durable Object's SQLite takes
    for (let i = 0; i < count; i++) {
      await placed(trader, {
        symbol: `${base}/KRW`,
        side: "BUY",
        order_type: "LIMIT",
        price: 99_000,
        quantity: "0.06",
      });
    }
    expect((await accountOf(trader)).open_orders).toBe(count);
    await setPrices(base, { upbit: 98_000 }, 1_000_000_000);
    const deadline = Date.now() + 15_000;
    while ((await accountOf(trader)).open_orders > 0 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect((await accountOf(trader)).open_orders).toBe(0);
    const { body: positions } = await getJsonAs<Position[]>(trader, `/api/positions/${trader.userId}`);
    expect(positions.find((p) => p.symbol === `${base}/KRW`)?.quantity).toBeCloseTo(count * 0.06, 9);
    let undelivered = -1;
    for (let i = 0; i < 100 && undelivered !== 0; i++) {
      undelivered = await runInDurableObject(marketSymbol(env, base), (_object, state) => {
        return state.storage.sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM match_outbox").one().n;
      });
      if (undelivered !== 0) await new Promise((r) => setTimeout(r, 50));
    }
    expect(undelivered).toBe(0);
  }, 60_000);
});
