import { describe, expect, it } from "vitest";
import type { IngestEvent } from "../../protocol/ingest";
import type { Coin } from "../../protocol/market";
import { applyPatch } from "../../protocol/patch";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";
import { openSocket, priceIn, type ServerMessage, type TestSocket } from "./support/websocket";

const fx = (rate: number, timestamp = Date.now()): IngestEvent => ({
  kind: "fx",
  pair: "USD/KRW",
  rate,
  provider: "test",
  timestamp,
});
const names = (base: string, korean: string, warnings: string[] = []): IngestEvent => ({
  kind: "coin",
  base,
  korean_name: korean,
  english_name: `${base} coin`,
  venue: "upbit",
  warnings,
});

/** What a client holds after applying, in order, every update it received to its last snapshot. */
function replay(socket: TestSocket): Map<string, Coin> {
  const held = new Map<string, Coin>();
  for (const m of socket.messages as (ServerMessage & { data?: { coins?: Coin[] } })[]) {
    if (m.type === "snapshot") {
      held.clear();
      for (const coin of m.data?.coins ?? []) held.set(coin.symbol, coin);
    } else if (m.type === "update") {
      for (const patch of m.data?.coins ?? []) {
        const coin = held.get(patch.symbol);
        held.set(patch.symbol, coin ? applyPatch(coin, patch) : patch);
      }
    }
  }
  return held;
}

/** JSON with object members sorted, so two equal values print the same. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort()) : v,
  );
}

/**
 * Waits until what the socket's client holds equals the board's coins (the last flush may still be on
 * its way), then returns both for the assertions.
 */
async function heldOnceSettled(socket: TestSocket, symbols: string[]) {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const { body } = await getJson<Record<string, Coin>>(`/api/prices?symbols=${symbols.join(",")}`);
    const held = replay(socket);
    const settled = symbols.every((s) => canonical(held.get(s)) === canonical(body[s]));
    if (settled || Date.now() > deadline) return { held, board: body };
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("market updates carry patches", () => {
  it("sends, for a tick on one venue, that venue's changed figures and the premium's, not names or other venues", async () => {
    await postIngest(
      batchOf([
        names("PTA", "패치에이"),
        fx(1380),
        ticker("upbit", "USDT", 1400),
        ticker("upbit", "PTA", 1_380_000),
        ticker("binance", "PTA", 1000),
      ]),
    );
    const one = await openSocket("/ws/market?symbols=PTA");
    const all = await openSocket("/ws/market");
    await one.waitFor((m) => m.type === "snapshot");
    await all.waitFor((m) => m.type === "snapshot");

    // The first update after the first subscriber carries the whole coin (nothing was published before).
    await postIngest(batchOf([ticker("upbit", "PTA", 1_390_000)]));
    for (const socket of [one, all]) await socket.waitFor((m) => m.type === "update");

    await postIngest(batchOf([ticker("upbit", "PTA", 1_400_000)]));
    for (const socket of [one, all]) {
      const update = await socket.waitFor((m) => m.type === "update" && priceIn(m, "PTA", "upbit") === 1_400_000);
      const entry = update.data?.coins?.find((c) => c.symbol === "PTA") as Record<string, unknown>;
      expect(Object.keys(entry).sort()).toEqual(["premium", "prices", "symbol"]);
      expect(Object.keys(entry.prices as object)).toEqual(["upbit"]);
      // quote_volume follows the price in the test ticker; volume and change did not move.
      expect(Object.keys((entry.prices as { upbit: object }).upbit).sort()).toEqual(
        ["price", "quote_volume", "timestamp"].sort(),
      );
      const premium = entry.premium as Record<string, unknown>;
      expect(premium).not.toHaveProperty("krw_venue");
      expect(premium).not.toHaveProperty("global_price");
      expect(premium.krw_price).toBe(1_400_000);
      expect(premium.premium_percent).toBeCloseTo((1_400_000 / (1000 * 1380) - 1) * 100, 9);
    }
    one.close();
    all.close();
  });

  it("starts a subscriber from the published state, so a price that moved and came back between two flushes reads right", async () => {
    await postIngest(batchOf([ticker("upbit", "PTE", 500)]));
    const first = await openSocket("/ws/market");
    await first.waitFor((m) => m.type === "snapshot");
    await postIngest(batchOf([ticker("upbit", "PTE", 501)]));
    await first.waitFor((m) => priceIn(m, "PTE", "upbit") === 501);
    // Within one fan-out interval: the price moves, a subscriber joins, the price moves back.
    await postIngest(batchOf([ticker("upbit", "PTE", 777)]));
    const late = await openSocket("/ws/market");
    await postIngest(batchOf([ticker("upbit", "PTE", 501)]));
    const { board } = await heldOnceSettled(late, ["PTE"]);
    expect(board.PTE.prices.upbit?.price).toBe(501);
    expect(replay(late).get("PTE")).toEqual(board.PTE);
    expect((await heldOnceSettled(first, ["PTE"])).held.get("PTE")).toEqual(board.PTE);
    first.close();
    late.close();
  });

  it("lets a client that applies every update to its snapshot hold exactly the board's coins", async () => {
    const bases = ["PTB", "PTC", "PTD"];
    const venues = ["upbit", "bithumb", "binance", "bybit"] as const;
    await postIngest(batchOf([fx(1380), ticker("upbit", "USDT", 1400), ...bases.map((b) => names(b, `코인${b}`))]));
    const group = await openSocket("/ws/market");
    const own = await openSocket(`/ws/market?symbols=${bases.join(",")}`);
    let late: TestSocket | undefined;

    // A deterministic walk: ticks on every venue, a rate change, a new caution flag, a coin that appears later.
    let seed = 7;
    const next = () => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    let t = Date.now();
    for (let round = 0; round < 40; round++) {
      const events: IngestEvent[] = [];
      for (let i = 0; i < 4; i++) {
        const base = bases[Math.floor(next() * (round < 10 ? 2 : 3))];
        const venue = venues[Math.floor(next() * venues.length)];
        const price = venue === "upbit" || venue === "bithumb" ? 1_000_000 + Math.round(next() * 50_000) : 700 + next();
        // Now and then a price moves back to what it was: the patch must still be right.
        events.push(ticker(venue, base, round % 7 === 3 ? 1_000_000 : price, ++t, { change_percent: next() * 10 }));
      }
      if (round === 12) events.push(fx(1390, ++t));
      if (round === 20) events.push(names("PTB", "코인PTB", ["CAUTION"]));
      if (round === 25) events.push(ticker("upbit", "USDT", 1410, ++t));
      await postIngest(batchOf(events));
      // A subscriber that joins halfway starts from a snapshot taken between two flushes.
      if (round === 18) late = await openSocket("/ws/market");
      if (round % 3 === 0) await new Promise((r) => setTimeout(r, 40));
    }
    for (const socket of [group, own, late as TestSocket]) {
      const { held, board } = await heldOnceSettled(socket, bases);
      for (const base of bases) expect(held.get(base)).toEqual(board[base]);
      expect(socket.messages.filter((m) => m.type === "update").length).toBeGreaterThan(3);
      socket.close();
    }
  });
});
