import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marketSymbol } from "../../durable-objects/addresses";
import type { Order } from "../../protocol/trading";
import { call, newAccount } from "./support/auth";
import { TOKEN as COLLECTOR_TOKEN } from "./support/ingest";
import { uniqueBase } from "./support/liquidations";
import { getJsonAs, ledgerOf, newTrader, placed, setPrices } from "./support/trading";
import { openSocket, priceIn } from "./support/websocket";

const MARK = "evictTestMark";

function evict(object: string, token?: string): Promise<Response> {
  return call(`/internal/evict?object=${encodeURIComponent(object)}`, { method: "POST", token });
}

/** Marks the object's live instance, so a reset (a new instance) shows as the mark being gone. */
async function mark(stub: DurableObjectStub): Promise<void> {
  await runInDurableObject(stub, (instance: object) => {
    Object.assign(instance, { [MARK]: true });
  });
}

async function marked(stub: DurableObjectStub): Promise<boolean> {
  return runInDurableObject(stub, (instance: object) => MARK in instance);
}

describe("POST /internal/evict", () => {
  it("resets a coin's object: its memory goes, its stream's sockets (held by its shards) stay and get the next price", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    // A fresh stub per call: a stub that saw its object reset stays broken.
    const stub = () => marketSymbol(env, base);
    const socket = await openSocket(`/ws/prices/${base}`);
    await socket.waitFor((m) => m.type === "snapshot");
    let closed = false;
    socket.ws.addEventListener("close", () => {
      closed = true;
    });
    await mark(stub());
    expect(await marked(stub())).toBe(true);

    const res = await evict(`symbol:${base}`, COLLECTOR_TOKEN);
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ object: `symbol:${base}`, evicted: true });
    expect(await marked(stub())).toBe(false);
    await setPrices(base, { upbit: 101_000 });
    await socket.waitFor((m) => priceIn(m, base, "upbit") === 101_000);
    expect(closed).toBe(false);
    const again = await openSocket(`/ws/prices/${base}`);
    await again.waitFor((m) => m.type === "snapshot");
    again.close();
    socket.close();
  });

  it("resets a user's ledger, which comes back from storage with every order", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 100_000 });
    const trader = await newTrader("evicted");
    const order = await placed(trader, { symbol: `${base}/KRW`, side: "BUY", order_type: "MARKET", quantity: "0.1" });
    await mark(ledgerOf(trader));

    const admin = await call("/api/auth/token", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: env.ADMIN_EMAIL, password: env.ADMIN_PASSWORD }).toString(),
    });
    const { access_token } = (await admin.json()) as { access_token: string };
    expect((await evict(`ledger:${trader.userId}`, access_token)).status).toBe(200);

    expect(await marked(ledgerOf(trader))).toBe(false);
    const { body } = await getJsonAs<{ items: Order[] }>(trader, "/api/orders");
    expect(body.items.map((o) => [o.id, o.status])).toEqual([[order.id, "FILLED"]]);
  });

  it("refuses a user's token with 403, no token with 401, and an unknown object with 400", async () => {
    const user = await newAccount("not-admin");
    expect((await evict("board", user.tokens.access_token)).status).toBe(403);
    expect((await evict("board")).status).toBe(401);
    expect((await evict("symbol:btc", COLLECTOR_TOKEN)).status).toBe(400);
    expect((await evict("everything", COLLECTOR_TOKEN)).status).toBe(400);
  });
});
