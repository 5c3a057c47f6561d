import { evictDurableObject, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fanoutShard, marketBoard, marketSymbol } from "../../durable-objects/addresses";
import type { ShardSocketState } from "../../durable-objects/fanout-shard";
import { STALLED_CLOSE_CODE } from "../../durable-objects/sockets/socket-roster";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";
import { openSocket, priceIn } from "./support/websocket";

describe("market WebSockets", () => {
  it("sends a snapshot first, then updates in seq order", async () => {
    await postIngest(batchOf([ticker("upbit", "BTC", 100_000_000)]));
    const socket = await openSocket("/ws/market");
    const snapshot = await socket.waitFor((m) => m.type === "snapshot");
    expect(priceIn(snapshot, "BTC", "upbit")).toBe(100_000_000);

    await postIngest(batchOf([ticker("upbit", "BTC", 100_100_000)]));
    await socket.waitFor((m) => priceIn(m, "BTC", "upbit") === 100_100_000);
    await postIngest(batchOf([ticker("upbit", "BTC", 100_200_000)]));
    await socket.waitFor((m) => priceIn(m, "BTC", "upbit") === 100_200_000);

    expect(socket.messages[0].type).toBe("snapshot");
    expect(socket.messages.slice(1).every((m) => m.type === "update")).toBe(true);
    // Each update advances seq by one from the snapshot's.
    expect(socket.messages.map((m) => m.seq)).toEqual(socket.messages.map((_, i) => snapshot.seq + i));
    socket.close();
  });

  it("conflates a burst of 1,000 ticks into a handful of updates ending with the latest price", async () => {
    const socket = await openSocket("/ws/market");
    await socket.waitFor((m) => m.type === "snapshot");
    const t0 = Date.now();
    const batches = 50;
    const perBatch = 20;
    let last = 0;
    for (let b = 0; b < batches; b++) {
      const events = Array.from({ length: perBatch }, (_, i) => {
        last = 90_000 + b * perBatch + i;
        return ticker("binance", "BTC", last, t0 + b * perBatch + i);
      });
      await postIngest(batchOf(events));
    }
    const final = await socket.waitFor((m) => priceIn(m, "BTC", "binance") === last);
    const updates = socket.messages.filter((m) => m.type === "update" && priceIn(m, "BTC", "binance") !== undefined);
    // At most one update per conflation interval while the burst lasted, plus the trailing flush.
    const burstMs = Date.now() - t0;
    expect(updates.length).toBeLessThanOrEqual(Math.ceil(burstMs / Number(env.FANOUT_INTERVAL_MS)) + 2);
    expect(updates.length).toBeLessThan(batches);
    expect(updates[updates.length - 1]).toBe(final);
    socket.close();
  });

  it("sends a subscriber to ETH nothing about BTC", async () => {
    const eth = await openSocket("/ws/market?symbols=ETH");
    const all = await openSocket("/ws/market");
    await eth.waitFor((m) => m.type === "snapshot");
    await all.waitFor((m) => m.type === "snapshot");
    await postIngest(batchOf([ticker("upbit", "BTC", 101_000_000)]));
    await all.waitFor((m) => priceIn(m, "BTC", "upbit") === 101_000_000);
    await postIngest(batchOf([ticker("upbit", "ETH", 5_000_000)]));
    await eth.waitFor((m) => priceIn(m, "ETH", "upbit") === 5_000_000);
    for (const m of eth.messages) expect(m.data?.coins?.map((c) => c.symbol) ?? []).not.toContain("BTC");
    eth.close();
    all.close();
  });

  it("narrows and widens a subscription, answering with every coin it now has", async () => {
    await postIngest(batchOf([ticker("upbit", "BTC", 1), ticker("upbit", "ETH", 2), ticker("upbit", "XRP", 3)]));
    const socket = await openSocket("/ws/market?symbols=BTC");
    const snapshot = await socket.waitFor((m) => m.type === "snapshot");
    socket.ws.send(JSON.stringify({ op: "subscribe", symbols: ["ETH", "BTC"] }));
    const widened = await socket.waitFor((m) => m.type === "subscription");
    expect(widened.seq).toBe(snapshot.seq + 1);
    expect(widened.data?.symbols).toEqual(["BTC", "ETH"]);
    expect(widened.data?.coins?.map((c) => c.symbol)).toEqual(["BTC", "ETH"]);
    socket.ws.send(JSON.stringify({ op: "unsubscribe", symbols: ["BTC"] }));
    const narrowed = await socket.waitFor((m) => m.type === "subscription" && m.seq > widened.seq);
    expect(narrowed.data?.symbols).toEqual(["ETH"]);
    expect(narrowed.data?.coins?.map((c) => c.symbol)).toEqual(["ETH"]);
    socket.ws.send("{nope");
    const error = await socket.waitFor((m) => m.type === "error");
    expect(error.seq).toBe(narrowed.seq + 1);
    // Joining every coin is answered by a snapshot of them all.
    socket.ws.send(JSON.stringify({ op: "subscribe", symbols: ["*"] }));
    const all = await socket.waitFor((m) => m.type === "snapshot" && m !== snapshot);
    expect(all.data?.coins?.map((c) => c.symbol)).toEqual(expect.arrayContaining(["BTC", "ETH", "XRP"]));
    expect(socket.messages.filter((m) => m.type === "snapshot")).toHaveLength(2);
    socket.close();
  });

  it("answers a text ping with pong", async () => {
    const socket = await openSocket("/ws/market");
    await socket.waitFor((m) => m.type === "snapshot");
    socket.ws.send("ping");
    const pong = await socket.waitFor((m) => m.type === "text");
    expect(pong.text).toBe("pong");
    socket.close();
  });

  it("keeps its state and its sockets across the publishers' eviction", async () => {
    await postIngest(batchOf([ticker("upbit", "DOGE", 300), ticker("binance", "DOGE", 0.2)]));
    const board = await openSocket("/ws/market?symbols=DOGE");
    const coin = await openSocket("/ws/prices/DOGE");
    await board.waitFor((m) => m.type === "snapshot");
    await coin.waitFor((m) => m.type === "snapshot");
    await postIngest(batchOf([ticker("upbit", "DOGE", 305)]));
    const beforeBoard = await board.waitFor((m) => priceIn(m, "DOGE", "upbit") === 305);
    const beforeCoin = await coin.waitFor((m) => priceIn(m, "DOGE", "upbit") === 305);

    await evictDurableObject(marketBoard(env));
    await evictDurableObject(marketSymbol(env, "DOGE"));

    const { body } = await getJson<{ prices: { upbit: { price: number } } }>("/api/prices/DOGE");
    expect(body.prices.upbit.price).toBe(305);

    await postIngest(batchOf([ticker("upbit", "DOGE", 310)]));
    const onBoard = await board.waitFor((m) => priceIn(m, "DOGE", "upbit") === 310);
    const onCoin = await coin.waitFor((m) => priceIn(m, "DOGE", "upbit") === 310);
    // seq carries on across the eviction (a socket's own seq in its attachment, a group's in storage).
    expect(onBoard.seq).toBe(beforeBoard.seq + 1);
    expect(onCoin.seq).toBe(beforeCoin.seq + 1);
    board.close();
    coin.close();
  });

  it("closes a socket whose client has been silent past the idle timeout, and keeps serving the others", async () => {
    const silent = await openSocket("/ws/market?symbols=NEAR");
    await silent.waitFor((m) => m.type === "snapshot");
    const closed = new Promise<number>((resolve) => silent.ws.addEventListener("close", (e) => resolve(e.code)));
    // Age the client's last message past the timeout, then let its shard come back from hibernation
    // (its sockets stay open and their state is read again from their attachments).
    const shard = fanoutShard(env, "market#0");
    await runInDurableObject(shard, (_instance, state) => {
      for (const ws of state.getWebSockets()) {
        const attachment = ws.deserializeAttachment() as ShardSocketState;
        if (attachment.symbols?.includes("NEAR")) ws.serializeAttachment({ ...attachment, heard_at: 0 });
      }
    });
    await evictDurableObject(shard);
    const fresh = await openSocket("/ws/market?symbols=NEAR");
    await fresh.waitFor((m) => m.type === "snapshot");
    await postIngest(batchOf([ticker("upbit", "NEAR", 4_000)]));
    expect(await closed).toBe(STALLED_CLOSE_CODE);
    await fresh.waitFor((m) => priceIn(m, "NEAR", "upbit") === 4_000);
    fresh.close();
  });

  it("rejects a plain GET on a WebSocket path with 426 problem+json", async () => {
    const { status, body } = await getJson<{ status: number }>("/ws/market");
    expect(status).toBe(426);
    expect(body.status).toBe(426);
  });
});
