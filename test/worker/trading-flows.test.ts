import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WsTicketResponse } from "../../protocol/auth";
import type { Account, Order, PnlSummary, Position, PremiumTrade } from "../../protocol/trading";
import { call, newAccount, signIn, type TestAccount } from "./support/auth";
import { expectProblem } from "./support/http";
import { uniqueBase } from "./support/liquidations";
import { accountOf, getJsonAs, newTrader, placed, placeOrder, setPrices } from "./support/trading";

async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > deadline) return value;
    await new Promise((r) => setTimeout(r, 25));
  }
}

const orderOf = (trader: TestAccount, id: string) => async () =>
  (await getJsonAs<Order>(trader, `/api/orders/${id}`)).body;

describe("time in force", () => {
  it("IOC fills what the market takes at once and cancels the rest; FOK all or nothing", async () => {
    const base = uniqueBase();
    // 1,000 a day: one minute of the average pace, at a 10 % share, is about 0.069.
    await setPrices(base, { upbit: 100_000 }, 1_000);
    const trader = await newTrader();
    const ioc = await placed(trader, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 101_000,
      quantity: 1,
      time_in_force: "IOC",
    });
    expect(ioc.status).toBe("CANCELLED");
    expect(ioc.filled_quantity).toBeGreaterThan(0);
    expect(ioc.filled_quantity).toBeLessThan(1);
    expect(ioc.reject_reason).toContain("IOC");
    const fok = await placed(trader, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 101_000,
      quantity: 1,
      time_in_force: "FOK",
    });
    expect(fok).toMatchObject({ status: "CANCELLED", filled_quantity: 0 });
    const small = await placed(trader, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 101_000,
      quantity: "0.05",
      time_in_force: "FOK",
    });
    expect(small).toMatchObject({ status: "FILLED", filled_quantity: 0.05 });
  });
});

describe("resting orders over time", () => {
  it("fills a large resting limit in parts, by its share of the volume traded while the price is through it", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 }, 100_000);
    const trader = await newTrader();
    const order = await placed(trader, {
      symbol: `${base}/KRW`,
      side: "SELL",
      order_type: "LIMIT",
      price: 100_100,
      quantity: 3,
    });
    await setPrices(base, { upbit: 100_200 }, 100_000);
    const first = await until(orderOf(trader, order.id), (o) => o.filled_quantity > 0);
    expect(first.status).toBe("PARTIALLY_FILLED");
    await new Promise((r) => setTimeout(r, 1_200));
    await setPrices(base, { upbit: 100_300 }, 100_000);
    const later = await until(orderOf(trader, order.id), (o) => o.filled_quantity > first.filled_quantity);
    expect(later.filled_quantity).toBeGreaterThan(first.filled_quantity);
    expect(later.average_fill_price).toBe(100_100);
  });

  it("turns a triggered stop-limit into a resting limit", async () => {
    const base = uniqueBase();
    await setPrices(base, { binance: 20 });
    const trader = await newTrader();
    const order = await placed(trader, {
      symbol: `${base}/USDT`,
      side: "BUY",
      order_type: "STOP_LIMIT",
      stop_price: 21,
      price: 21.5,
      quantity: 1,
    });
    const placedVersion = (await orderOf(trader, order.id)()).updated_at;
    await setPrices(base, { binance: 21.8 });
    // Triggered: the order changes (its trigger noted) but does not fill, as its limit is below the market.
    const triggered = await until(orderOf(trader, order.id), (o) => o.updated_at !== placedVersion);
    expect(triggered).toMatchObject({ status: "PENDING", filled_quantity: 0 });
    await setPrices(base, { binance: 21.4 });
    const filled = await until(orderOf(trader, order.id), (o) => o.status === "FILLED");
    expect(filled).toMatchObject({ status: "FILLED", average_fill_price: 21.5 });
  });
});

describe("the kimchi-premium trade", () => {
  it("buys on the USDT venue and sells on the KRW venue in one request, with the premium at entry", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 145_000, binance: 100 });
    const trader = await newTrader();
    const res = await call("/api/trades/premium", {
      method: "POST",
      token: trader.tokens.access_token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ symbol: base, quantity: "2", buy_venue: "binance", sell_venue: "upbit" }),
    });
    expect(res.status).toBe(201);
    const trade = (await res.json()) as PremiumTrade;
    expect(trade.buy_order).toMatchObject({ status: "FILLED", venue: "binance", side: "BUY" });
    expect(trade.sell_order).toMatchObject({ status: "FILLED", venue: "upbit", side: "SELL" });
    const expected =
      ((trade.sell_order.average_fill_price as number) / ((trade.buy_order.average_fill_price as number) * 1_400) - 1) *
      100;
    expect(trade.entry.premium_percent).toBeCloseTo(expected, 6);
    expect(trade.pnl_krw).toBeLessThan(0); // just the fees and the slippage so far
    const listed = (await getJsonAs<PremiumTrade[]>(trader, "/api/trades/premium")).body;
    expect(listed.map((t) => t.id)).toEqual([trade.id]);
  });

  it("refuses both legs together when one cannot trade", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 145_000 }); // no Binance price
    const trader = await newTrader();
    const res = await call("/api/trades/premium", {
      method: "POST",
      token: trader.tokens.access_token,
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ symbol: base, quantity: "2", buy_venue: "binance", sell_venue: "upbit" }),
    });
    await expectProblem(res, 400, "symbol");
    expect((await getJsonAs<{ items: Order[] }>(trader, "/api/orders")).body.items).toEqual([]);
  });
});

describe("events reach the user's stream and the queue", () => {
  it("streams the order and its fill on /ws/user, and stores order events in the inbox via the queue", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 50_000 });
    const trader = await newTrader();
    const ticketRes = await call("/api/auth/ws-ticket", { method: "POST", token: trader.tokens.access_token });
    const { ticket } = (await ticketRes.json()) as WsTicketResponse;
    const upgrade = await exports.default.fetch(`http://gateway/ws/user?ticket=${ticket}`, {
      headers: { Upgrade: "websocket" },
    });
    const ws = upgrade.webSocket as WebSocket;
    ws.accept();
    const messages: { type: string; seq: number; data: Record<string, unknown> }[] = [];
    ws.addEventListener("message", (e) => messages.push(JSON.parse(e.data as string)));
    await until(
      async () => messages.length,
      (n) => n > 0,
    );
    const order = await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: "0.2" });
    await until(
      async () => messages.filter((m) => m.type === "position").length,
      (n) => n > 0,
    );
    const types = messages.map((m) => m.type);
    expect(types[0]).toBe("snapshot");
    expect(types).toEqual(expect.arrayContaining(["order", "fill", "position"]));
    expect(messages.map((m) => m.seq)).toEqual(messages.map((_, i) => i + 1));
    expect(messages.find((m) => m.type === "fill")?.data).toMatchObject({ order_id: order.id, quantity: 0.2 });
    ws.close();

    const inbox = await until(
      async () =>
        (
          await env.DB.prepare("SELECT type FROM notifications WHERE user_id = ? ORDER BY created_at")
            .bind(trader.userId)
            .all<{ type: string }>()
        ).results.map((r) => r.type),
      (t) => t.includes("order.filled"),
      8_000,
    );
    expect(inbox).toEqual(expect.arrayContaining(["order.created", "order.filled"]));
  });
});

describe("the seed's routes and the account", () => {
  it("lists a user's orders with limit and offset, cancels through PUT status, and refuses other statuses", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    const a = await placed(trader, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 90_000,
      quantity: 1,
    });
    const b = await placed(trader, {
      symbol: `${base}/KRW`,
      side: "BUY",
      order_type: "LIMIT",
      price: 91_000,
      quantity: 1,
    });
    const page = (await getJsonAs<Order[]>(trader, `/api/orders/user/${trader.userId}?limit=1&offset=1`)).body;
    expect(page.map((o) => o.id)).toEqual([a.id]);
    const put = (id: string, status: string) =>
      call(`/api/orders/${id}/status?status=${status}`, { method: "PUT", token: trader.tokens.access_token });
    await expectProblem(await put(b.id, "FILLED"), 409, "status");
    const cancelled = await put(b.id, "CANCELLED");
    expect(((await cancelled.json()) as Order).status).toBe("CANCELLED");
    const stranger = await newTrader("stranger");
    expect((await getJsonAs(stranger, `/api/orders/user/${trader.userId}`)).status).toBe(404);
  });

  it("values positions and PnL at live prices, lets an admin adjust a position within the limits, and resets", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader();
    await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: 1 });
    await setPrices(base, { upbit: 110_000 });
    const pnl = (await getJsonAs<PnlSummary>(trader, `/api/positions/${trader.userId}/pnl`)).body;
    expect(pnl.positions_count).toBe(1);
    expect(pnl.unrealized_pnl).toBeGreaterThan(9_000);

    const admin = await signIn(env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
    const adminToken = ((await admin.json()) as { access_token: string }).access_token;
    const adjust = (quantity_change: string) =>
      call("/api/positions/update", {
        method: "POST",
        token: adminToken,
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ user_id: trader.userId, symbol: `${base}/KRW`, quantity_change, price: 110_000 }),
      });
    expect(((await (await adjust("2")).json()) as Position).quantity).toBe(3);
    await expectProblem(await adjust("20000"), 400, "quantity");
    const notAdmin = await call("/api/positions/update", {
      method: "POST",
      token: trader.tokens.access_token,
      headers: { "Content-Type": "application/json" },
      body: "{}",
    });
    expect(notAdmin.status).toBe(403);

    const reset = await call("/api/account/reset", { method: "POST", token: trader.tokens.access_token });
    const account = (await reset.json()) as Account;
    expect(account).toMatchObject({ cash: { KRW: 10_000_000, USDT: 10_000 }, positions: 0, open_orders: 0 });
    expect((await accountOf(trader)).equity_krw).toBeCloseTo(10_000_000 + 10_000 * 1_410, 0);
  });

  it("answers a fresh account with the starting cash, the seed's limits and their use", async () => {
    const trader = await newAccount("fresh");
    const account = await accountOf(trader);
    expect(account).toMatchObject({
      cash: { KRW: 10_000_000, USDT: 10_000 },
      limits: { max_position_value_usd: 1_000_000, max_leverage: 10, max_daily_loss_usd: 100_000 },
      usage: { open_orders: 0, cooldown_until: null },
      open_orders: 0,
      positions: 0,
    });
    expect(
      (await placeOrder(trader, { symbol: "BTC/KRW", side: "BUY", order_type: "MARKET", quantity: 1 })).status,
    ).not.toBe(500);
  });
});
