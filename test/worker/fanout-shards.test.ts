/**
 * The fan-out shard tier, with three sockets a shard (FANOUT_SHARD_CEILING in vitest.config.ts): the
 * publisher places sockets by load, every socket on every shard sees every update in order from its
 * snapshot, and a shard evicted mid-stream cuts only its own sockets, which reconnect and resnapshot.
 */
import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fanoutShard, marketBoard } from "../../durable-objects/addresses";
import type { FanoutShard } from "../../durable-objects/fanout-shard";
import { call } from "./support/auth";
import { batchOf, TOKEN as COLLECTOR_TOKEN, postIngest } from "./support/ingest";
import { uniqueBase } from "./support/liquidations";
import { ticker } from "./support/market";
import { openSocket, priceIn, type TestSocket } from "./support/websocket";

const CEILING = Number(env.FANOUT_SHARD_CEILING);

async function socketsOn(stream: string, index: number): Promise<number> {
  const stub = fanoutShard(env, `${stream}#${index}`) as DurableObjectStub<FanoutShard>;
  return runInDurableObject(stub, (shard: FanoutShard) => shard.socketCounts()[stream] ?? 0);
}

async function openMany(path: string, n: number): Promise<TestSocket[]> {
  const sockets: TestSocket[] = [];
  for (let i = 0; i < n; i++) sockets.push(await openSocket(path));
  await Promise.all(sockets.map((s) => s.waitFor((m) => m.type === "snapshot")));
  return sockets;
}

/** Posts `count` ticks of rising prices for `base` on Upbit, one batch each; answers the last price. */
async function risingTicks(base: string, from: number, count: number): Promise<number> {
  let price = from;
  for (let i = 0; i < count; i++) {
    price = from + i + 1;
    expect((await postIngest(batchOf([ticker("upbit", base, price)]))).status).toBe(200);
    await new Promise((r) => setTimeout(r, 15));
  }
  return price;
}

/**
 * What a client checks: a snapshot first; after it, every update's seq one more than the last (a
 * later snapshot, sent when its shard missed flushes, starts the count again); and the Upbit price it
 * holds (snapshot, then each update's patch) never goes back. Answers that price.
 */
function followInOrder(socket: TestSocket, base: string): number {
  const [first, ...rest] = socket.messages;
  expect(first.type).toBe("snapshot");
  let price = priceIn(first, base, "upbit") ?? 0;
  let seq = first.seq;
  for (const m of rest) {
    if (m.type !== "snapshot") {
      expect(m.type).toBe("update");
      expect(m.seq, "no gap and no repeat").toBe(seq + 1);
    }
    seq = m.seq;
    const next = priceIn(m, base, "upbit");
    if (next !== undefined) {
      expect(next).toBeGreaterThanOrEqual(price);
      price = next;
    }
  }
  return price;
}

/** Holds a shard's every event (the publisher's flushes queue behind it) for `ms`. */
function blockShard(stream: string, index: number, ms: number): Promise<void> {
  const stub = fanoutShard(env, `${stream}#${index}`) as DurableObjectStub<FanoutShard>;
  return runInDurableObject(stub, (_shard, state) =>
    state.blockConcurrencyWhile(() => new Promise((r) => setTimeout(r, ms))),
  );
}

/** The index of the shard of `stream` holding sockets, among the first `shards`. */
async function shardHolding(stream: string, shards: number): Promise<number> {
  for (let i = 0; i < shards; i++) if ((await socketsOn(stream, i)) > 0) return i;
  throw new Error(`no shard of ${stream} holds a socket`);
}

function evict(object: string): Promise<Response> {
  return call(`/internal/evict?object=${encodeURIComponent(object)}`, { method: "POST", token: COLLECTOR_TOKEN });
}

describe("fan-out shards", () => {
  it("fills a shard up to the ceiling before opening the next", async () => {
    const base = uniqueBase();
    await postIngest(batchOf([ticker("upbit", base, 1_000)]));
    const sockets = await openMany(`/ws/prices/${base}`, 2 * CEILING + 1);
    const stream = `coin:${base}`;
    expect([await socketsOn(stream, 0), await socketsOn(stream, 1), await socketsOn(stream, 2)]).toEqual([
      CEILING,
      CEILING,
      1,
    ]);
    for (const s of sockets) s.close();
  });

  it("renders one all-coins snapshot for a crowd connecting within one flush, on every shard", async () => {
    await postIngest(batchOf([ticker("upbit", uniqueBase(), 7_000)]));
    // Any snapshot rendered for earlier sockets is dropped by the flush of that tick.
    await new Promise((r) => setTimeout(r, 3 * Number(env.FANOUT_INTERVAL_MS)));
    const renders = async () => (await marketBoard(env).stats()).fanout_snapshot_renders;
    const before = await renders();
    const crowd = await Promise.all(Array.from({ length: 3 * CEILING }, () => openSocket("/ws/prices")));
    const snapshots = await Promise.all(crowd.map((s) => s.waitFor((m) => m.type === "snapshot")));
    expect(await renders()).toBe(before + 1);
    // Every socket got the same one, whichever shard holds it.
    expect(new Set(snapshots.map((m) => JSON.stringify(m))).size).toBe(1);
    for (const s of crowd) s.close();
  });

  it("sends every update in order, with no gap, to sockets on every shard, including those that join mid-stream", async () => {
    const base = uniqueBase();
    await postIngest(batchOf([ticker("upbit", base, 1_000)]));
    const early = await openMany(`/ws/prices/${base}`, CEILING + 1);
    const ticking = risingTicks(base, 1_000, 40);
    // Joining while the stream moves: placed on the shards, snapshot, then only what follows it.
    const late = await openMany(`/ws/prices/${base}`, CEILING + 1);
    const last = await ticking;
    for (const s of [...early, ...late]) {
      await s.waitFor((m) => priceIn(m, base, "upbit") === last);
      expect(followInOrder(s, base)).toBe(last);
    }
    // The same on the all-coins stream (its shards are shared with the other tests of this file).
    const market = await openMany("/ws/market", CEILING + 1);
    const marketLast = await risingTicks(base, last, 10);
    for (const s of market) {
      await s.waitFor((m) => priceIn(m, base, "upbit") === marketLast);
      expect(followInOrder(s, base)).toBe(marketLast);
    }
    for (const s of [...early, ...late, ...market]) s.close();
  });

  it("brings a busy shard's sockets up to date once it answers, though it missed flushes and the market then went quiet", async () => {
    const base = uniqueBase();
    const stream = `coin:${base}`;
    await postIngest(batchOf([ticker("upbit", base, 2_000)]));
    const [own] = await openMany(`/ws/prices/${base}`, 1);
    // A socket with its own coins on the all-coins stream: its messages carry its own numbering.
    const subscribed = await openSocket(`/ws/market?symbols=${base}`);
    await subscribed.waitFor((m) => m.type === "snapshot");
    const marketShard = await shardHolding("market", 8);

    // Both shards stall for a second while the coin ticks: their flushes pile up past the in-flight
    // limit, so each misses the last ones, and no tick follows to carry the news.
    const stalls = [blockShard(stream, 0, 1_000), blockShard("market", marketShard, 1_000)];
    const last = await risingTicks(base, 2_000, 30);
    await Promise.all(stalls);
    const stats = await marketBoard(env).stats();
    expect(stats.fanout_flushes.skipped, "the board's shard missed flushes").toBeGreaterThan(0);

    for (const s of [own, subscribed]) {
      await s.waitFor((m) => priceIn(m, base, "upbit") === last);
      expect(followInOrder(s, base)).toBe(last);
      // Brought back in step by a fresh snapshot of its coins, not left to find the gap itself.
      expect(s.messages.filter((m) => m.type === "snapshot").length).toBeGreaterThan(1);
    }
    expect((await marketBoard(env).stats()).fanout_flushes.resync).toBeGreaterThan(0);
    for (const s of [own, subscribed]) s.close();
  });

  it("cuts only an evicted shard's sockets; they reconnect and resnapshot, and the other shards' sockets notice nothing", async () => {
    const base = uniqueBase();
    const stream = `coin:${base}`;
    await postIngest(batchOf([ticker("upbit", base, 5_000)]));
    const sockets = await openMany(`/ws/prices/${base}`, 2 * CEILING);
    const closes = sockets.map(
      (s) => new Promise<number>((resolve) => s.ws.addEventListener("close", (e) => resolve(e.code))),
    );
    const closed = new Set<number>();
    for (const [i, p] of closes.entries()) void p.then(() => closed.add(i));
    const ticking = risingTicks(base, 5_000, 40);

    await new Promise((r) => setTimeout(r, 150));
    expect((await evict(`shard:${stream}#0`)).status).toBe(200);
    // The first shard's sockets (placed first) are cut.
    await Promise.all(closes.slice(0, CEILING));
    const reconnected = await openMany(`/ws/prices/${base}`, CEILING);
    const last = await ticking;

    for (const s of [...sockets.slice(CEILING), ...reconnected]) {
      await s.waitFor((m) => priceIn(m, base, "upbit") === last);
      expect(followInOrder(s, base)).toBe(last);
    }
    expect([...closed].sort()).toEqual([0, 1, 2].slice(0, CEILING));
    // Placed by load: no shard over the ceiling, the untouched shard as it was. (Until the publisher
    // learns of the reset at its next flush, the evicted shard still counts as full.)
    const counts = [];
    for (let i = 0; i < 4; i++) counts.push(await socketsOn(stream, i));
    expect(counts[1]).toBe(CEILING);
    expect(counts.every((n) => n <= CEILING)).toBe(true);
    expect(counts.reduce((a, b) => a + b)).toBe(2 * CEILING);
    for (const s of [...sockets, ...reconnected]) s.close();
  });
});
