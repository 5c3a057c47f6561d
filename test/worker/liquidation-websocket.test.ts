import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { liquidationFeed } from "../../durable-objects/addresses";
import type { Liquidation, LiquidationSummary } from "../../protocol/liquidations";
import { batchOf, postIngest } from "./support/ingest";
import { liquidation, uniqueBase } from "./support/liquidations";
import { openSocket, type ServerMessage } from "./support/websocket";

function liquidationsIn(m: ServerMessage): Liquidation[] {
  return (m.data?.liquidations as Liquidation[] | undefined) ?? [];
}

function carries(id: string) {
  return (m: ServerMessage) => liquidationsIn(m).some((l) => l.id === id);
}

describe("/ws/liquidations", () => {
  it("sends a snapshot with the newest liquidations and the summary, then each new one in an update", async () => {
    const base = uniqueBase();
    const earlier = liquidation("binance", base, "long", 50, 2);
    await postIngest(batchOf([earlier]));

    const socket = await openSocket(`/ws/liquidations?symbol=${base}`);
    const snapshot = await socket.waitFor((m) => m.type === "snapshot");
    expect(snapshot.seq).toBe(1);
    expect(liquidationsIn(snapshot).map((l) => l.id)).toEqual([earlier.id]);
    const summary = snapshot.data?.summary as LiquidationSummary;
    expect(Object.keys(summary.windows).sort()).toEqual(["12h", "1h", "24h", "4h"]);

    const next = liquidation("bybit", base, "short", 50, 3);
    await postIngest(batchOf([next]));
    const update = await socket.waitFor(carries(next.id));
    expect(update.type).toBe("update");
    expect(update.seq).toBe(2);
    expect(liquidationsIn(update)).toEqual([
      expect.objectContaining({ id: next.id, venue: "bybit", side: "short", value_usd: 150, symbol: base }),
    ]);
    const updatedSummary = update.data?.summary as LiquidationSummary;
    expect(updatedSummary.latest?.id).toBe(next.id);
    socket.close();
  });

  it("sends each socket only what passes its filters", async () => {
    const base = uniqueBase();
    const okxBig = await openSocket(`/ws/liquidations?venue=okx&min_usd=1000&symbol=${base}`);
    const all = await openSocket(`/ws/liquidations?symbol=${base}`);
    await okxBig.waitFor((m) => m.type === "snapshot");
    await all.waitFor((m) => m.type === "snapshot");

    const small = liquidation("okx", base, "long", 10, 1);
    const binance = liquidation("binance", base, "long", 10, 500);
    const big = liquidation("okx", base, "short", 10, 500);
    await postIngest(batchOf([small, binance]));
    await postIngest(batchOf([big]));

    await all.waitFor(carries(big.id));
    await okxBig.waitFor(carries(big.id));
    const seenByOkx = okxBig.messages.flatMap(liquidationsIn).map((l) => l.id);
    expect(seenByOkx).toEqual([big.id]);
    const seenByAll = all.messages.flatMap(liquidationsIn).map((l) => l.id);
    expect(seenByAll.sort()).toEqual([small.id, binance.id, big.id].sort());
    okxBig.close();
    all.close();
  });

  it("changes filters on request, answers with a fresh snapshot, and reports a bad message", async () => {
    const base = uniqueBase();
    const a = liquidation("bitmex", base, "long", 20, 10, { quote: "USD" });
    const b = liquidation("okx", base, "short", 20, 10);
    await postIngest(batchOf([a, b]));
    const socket = await openSocket(`/ws/liquidations?symbol=${base}`);
    const first = await socket.waitFor((m) => m.type === "snapshot");
    expect(liquidationsIn(first)).toHaveLength(2);

    socket.ws.send(JSON.stringify({ op: "filter", venue: ["bitmex"], symbol: [base.toLowerCase()] }));
    const filtered = await socket.waitFor((m) => m.type === "snapshot" && m.seq > first.seq);
    expect(liquidationsIn(filtered).map((l) => l.id)).toEqual([a.id]);

    socket.ws.send(JSON.stringify({ op: "filter", venue: ["ftx"] }));
    const error = await socket.waitFor((m) => m.type === "error");
    expect(error.seq).toBe(filtered.seq + 1);

    socket.ws.send("ping");
    await socket.waitFor((m) => m.type === "text" && m.text === "pong");
    socket.close();
  });

  it("keeps a socket's filters and seq across an eviction of the feed (hibernation)", async () => {
    const base = uniqueBase();
    const socket = await openSocket(`/ws/liquidations?venue=bybit&symbol=${base}`);
    const snapshot = await socket.waitFor((m) => m.type === "snapshot");
    await evictDurableObject(liquidationFeed(env), { webSockets: "hibernate" });

    const filteredOut = liquidation("okx", base, "long", 1, 1);
    const wanted = liquidation("bybit", base, "short", 1, 1);
    await postIngest(batchOf([filteredOut, wanted]));
    const update = await socket.waitFor(carries(wanted.id));
    expect(update.seq).toBe(snapshot.seq + 1);
    expect(liquidationsIn(update).map((l) => l.id)).toEqual([wanted.id]);
    socket.close();
  });

  it("counts a liquidation sent twice once on the stream too", async () => {
    const base = uniqueBase();
    const socket = await openSocket(`/ws/liquidations?symbol=${base}`);
    await socket.waitFor((m) => m.type === "snapshot");
    const event = liquidation("bybit", base, "long", 1, 1);
    const marker = liquidation("bybit", base, "long", 1, 2);
    await postIngest(batchOf([event]));
    await postIngest(batchOf([event]));
    await postIngest(batchOf([marker]));
    await socket.waitFor(carries(marker.id));
    expect(socket.messages.flatMap(liquidationsIn).filter((l) => l.id === event.id)).toHaveLength(1);
    socket.close();
  });
});

describe("/ws/prices, the integrated stream", () => {
  it("carries liquidations in its updates, once each", async () => {
    const base = uniqueBase();
    const socket = await openSocket("/ws/prices");
    await socket.waitFor((m) => m.type === "snapshot");
    const event = liquidation("okx", base, "short", 40, 25);
    await postIngest(batchOf([event]));
    await postIngest(batchOf([event]));
    const marker = liquidation("okx", base, "long", 40, 1);
    await postIngest(batchOf([marker]));
    const update = await socket.waitFor(carries(event.id));
    expect(update.type).toBe("update");
    expect(liquidationsIn(update).find((l) => l.id === event.id)).toMatchObject({
      venue: "okx",
      symbol: base,
      side: "short",
      value_usd: 1_000,
    });
    await socket.waitFor(carries(marker.id));
    expect(socket.messages.flatMap(liquidationsIn).filter((l) => l.id === event.id)).toHaveLength(1);
    socket.close();
  });

  it("leaves liquidations off /ws/market", async () => {
    const base = uniqueBase();
    const market = await openSocket("/ws/market");
    const prices = await openSocket("/ws/prices");
    await market.waitFor((m) => m.type === "snapshot");
    await prices.waitFor((m) => m.type === "snapshot");
    const event = liquidation("binance", base, "long", 40, 25);
    await postIngest(
      batchOf([
        event,
        {
          kind: "ticker",
          venue: "upbit",
          base,
          quote: "KRW",
          venue_symbol: `KRW-${base}`,
          price: 1_000,
          change_percent: 0,
          volume: 1,
          quote_volume: 1_000,
          timestamp: Date.now(),
        },
      ]),
    );
    await prices.waitFor(carries(event.id));
    await market.waitFor((m) => m.data?.coins?.some((c) => c.symbol === base) ?? false);
    expect(market.messages.some((m) => "liquidations" in (m.data ?? {}))).toBe(false);
    market.close();
    prices.close();
  });
});
