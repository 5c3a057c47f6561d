import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IngestEvent } from "../../protocol/ingest";
import type { RawFrame } from "../core/frames";
import { BinanceFuturesLiquidationNormalizer } from "./binance-futures-liquidations";

const FIXTURES = new URL("../../test/collectors/fixtures/venues/", import.meta.url);
const RECEIVED_AT = 1_763_700_000_000;

function frame(text: string): RawFrame {
  return { venue: "binance-futures", stream: "ws", received_at: RECEIVED_AT, frame: text };
}

function forceOrder(order: Record<string, unknown>): string {
  return JSON.stringify({
    stream: "!forceOrder@arr",
    data: {
      e: "forceOrder",
      E: 1_763_700_000_100,
      o: { o: "LIMIT", f: "IOC", X: "FILLED", T: 1_763_700_000_050, ...order },
    },
  });
}

describe("Binance USD-M forceOrder", () => {
  it("reads the docs sample: S SELL is a long position liquidated, BTC/USDT, base quantity, USD value", () => {
    const text = readFileSync(new URL("binance-futures-ws-forceorder.json", FIXTURES), "utf8");
    const result = new BinanceFuturesLiquidationNormalizer().normalize(frame(text));
    expect(result.kind === "data" && IngestEvent.safeParse(result.events[0]).success).toBe(true);
    expect(result).toEqual({
      kind: "data",
      events: [
        {
          kind: "liquidation",
          venue: "binance",
          base: "BTC",
          quote: "USDT",
          venue_symbol: "BTCUSDT",
          side: "long",
          price: 9910,
          quantity: 0.014,
          value_usd: expect.closeTo(138.74, 9),
          timestamp: 1568014460893,
          received_at: RECEIVED_AT,
          id: expect.any(String),
        },
      ],
    });
  });

  it("reads BUY as a short liquidated and uses the cumulative fill z at the average price, not the last fill l", () => {
    const text = forceOrder({ s: "IOTXUSDT", S: "BUY", q: "3661", p: "0.05", ap: "0.0521", l: "962", z: "3661" });
    const result = new BinanceFuturesLiquidationNormalizer().normalize(frame(text));
    expect(result.kind).toBe("data");
    if (result.kind !== "data") return;
    expect(result.events).toHaveLength(1);
    expect(result.events[0]).toMatchObject({ side: "short", base: "IOTX", quantity: 3661, price: 0.0521 });
    expect(result.events[0]).toMatchObject({
      value_usd: expect.closeTo(3661 * 0.0521, 9),
      timestamp: 1_763_700_000_050,
    });
  });

  it("turns 1000PEPE units into PEPE: quantity x1000, price /1000, the same USD value", () => {
    const text = forceOrder({
      s: "1000PEPEUSDT",
      S: "SELL",
      q: "250000",
      p: "0.0123",
      ap: "0.0124",
      l: "250000",
      z: "250000",
    });
    const result = new BinanceFuturesLiquidationNormalizer().normalize(frame(text));
    expect(result.kind === "data" && result.events[0]).toMatchObject({
      base: "PEPE",
      quote: "USDT",
      venue_symbol: "1000PEPEUSDT",
      quantity: 250_000_000,
      price: expect.closeTo(0.0000124, 12),
      value_usd: expect.closeTo(3100, 9),
    });
  });

  it("reads USDC-quoted and dated delivery contracts, and keeps names that only start with a digit", () => {
    const normalizer = new BinanceFuturesLiquidationNormalizer();
    const cases: [string, string, string][] = [
      ["BTCUSDC", "BTC", "USDC"],
      ["ETHUSDT_260327", "ETH", "USDT"],
      ["1INCHUSDT", "1INCH", "USDT"],
      ["1MBABYDOGEUSDT", "BABYDOGE", "USDT"],
    ];
    for (const [symbol, base, quote] of cases) {
      const result = normalizer.normalize(
        frame(forceOrder({ s: symbol, S: "SELL", q: "2", p: "10", ap: "10", l: "2", z: "2" })),
      );
      expect(result.kind === "data" && result.events[0]).toMatchObject({ base, quote, venue_symbol: symbol });
    }
  });

  it("falls back to the order quantity and price when nothing is filled yet", () => {
    const text = forceOrder({ s: "SOLUSDT", S: "SELL", q: "4", p: "150", ap: "0", l: "0", z: "0", X: "NEW" });
    const result = new BinanceFuturesLiquidationNormalizer().normalize(frame(text));
    expect(result.kind === "data" && result.events[0]).toMatchObject({ quantity: 4, price: 150, value_usd: 600 });
  });

  it("gives the same message the same id, and different liquidations different ids", () => {
    const normalizer = new BinanceFuturesLiquidationNormalizer();
    const a = forceOrder({ s: "ETHUSDT", S: "SELL", q: "1", p: "3000", ap: "3000", l: "1", z: "1" });
    const b = forceOrder({ s: "ETHUSDT", S: "SELL", q: "2", p: "3000", ap: "3000", l: "2", z: "2" });
    const id = (text: string) => {
      const result = normalizer.normalize(frame(text));
      const event = result.kind === "data" ? result.events[0] : undefined;
      return event?.kind === "liquidation" ? event.id : undefined;
    };
    expect(id(a)).toEqual(expect.any(String));
    expect(id(a)).toEqual(id(a));
    expect(id(a)).not.toEqual(id(b));
  });

  it("treats the subscribe reply and serverShutdown as control, garbage and unknown shapes as errors", () => {
    const normalizer = new BinanceFuturesLiquidationNormalizer();
    const response = readFileSync(new URL("binance-ws-subscribe-response.json", FIXTURES), "utf8");
    expect(normalizer.normalize(frame(response))).toEqual({ kind: "control" });
    expect(normalizer.normalize(frame('{"e":"serverShutdown","E":1}'))).toEqual({ kind: "control" });
    for (const text of [
      "not json",
      "[]",
      '{"e":"markPriceUpdate","s":"BTCUSDT"}',
      forceOrder({ s: "BTCUSDT", S: "HOLD", q: "1", p: "1", ap: "1", z: "1" }),
      forceOrder({ s: "BTCUSDT", S: "SELL", q: "-1", p: "x", ap: "0", z: "0" }),
      forceOrder({ s: "BTCEUR", S: "SELL", q: "1", p: "1", ap: "1", z: "1" }),
      '{"error":{"code":2,"msg":"Invalid request"},"id":1}',
    ]) {
      expect(normalizer.normalize(frame(text)).kind, text).toBe("error");
    }
  });
});
