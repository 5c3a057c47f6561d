import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IngestEvent } from "../../protocol/ingest";
import type { RawFrame } from "../core/frames";
import { BYBIT_INSTRUMENTS_STREAM, BybitLinearLiquidationNormalizer } from "./bybit-linear-liquidations";

const FIXTURES = new URL("../../test/collectors/fixtures/venues/", import.meta.url);
const RECEIVED_AT = 1_763_700_000_000;

function frame(text: string, stream = "ws"): RawFrame {
  return { venue: "bybit-linear", stream, received_at: RECEIVED_AT, frame: text };
}

function push(symbol: string, items: Record<string, unknown>[]): string {
  return JSON.stringify({ topic: `allLiquidation.${symbol}`, type: "snapshot", ts: 1_763_700_000_500, data: items });
}

describe("Bybit allLiquidation", () => {
  it("reads the docs sample: S Sell is a SHORT position liquidated (the position's side, unlike Binance)", () => {
    const text = readFileSync(new URL("bybit-ws-all-liquidation.json", FIXTURES), "utf8");
    const result = new BybitLinearLiquidationNormalizer().normalize(frame(text));
    expect(result.kind === "data" && IngestEvent.safeParse(result.events[0]).success).toBe(true);
    expect(result).toEqual({
      kind: "data",
      events: [
        {
          kind: "liquidation",
          venue: "bybit",
          base: "ROSE",
          quote: "USDT",
          venue_symbol: "ROSEUSDT",
          side: "short",
          price: 0.04499,
          quantity: 20000,
          value_usd: expect.closeTo(899.8, 9),
          timestamp: 1739502302929,
          received_at: RECEIVED_AT,
          id: expect.any(String),
        },
      ],
    });
  });

  it("reads S Buy as a long position liquidated, as the docs say, for every item of the list", () => {
    const text = push("ETHUSDT", [
      { T: 1_763_700_000_001, s: "ETHUSDT", S: "Buy", v: "1.5", p: "3000" },
      { T: 1_763_700_000_002, s: "ETHUSDT", S: "Sell", v: "0.5", p: "3010" },
    ]);
    const result = new BybitLinearLiquidationNormalizer().normalize(frame(text));
    expect(result.kind === "data" && result.events).toEqual([
      expect.objectContaining({
        side: "long",
        quantity: 1.5,
        price: 3000,
        value_usd: 4500,
        timestamp: 1_763_700_000_001,
      }),
      expect.objectContaining({
        side: "short",
        quantity: 0.5,
        price: 3010,
        value_usd: 1505,
        timestamp: 1_763_700_000_002,
      }),
    ]);
  });

  it("turns 1000PEPEUSDT and the suffix form SHIB1000USDT into coin units", () => {
    const normalizer = new BybitLinearLiquidationNormalizer();
    const pepe = normalizer.normalize(
      frame(push("1000PEPEUSDT", [{ T: 1, s: "1000PEPEUSDT", S: "Buy", v: "3000", p: "0.01" }])),
    );
    expect(pepe.kind === "data" && pepe.events[0]).toMatchObject({
      base: "PEPE",
      quantity: 3_000_000,
      price: expect.closeTo(0.00001, 12),
      value_usd: expect.closeTo(30, 9),
    });
    const shib = normalizer.normalize(
      frame(push("SHIB1000USDT", [{ T: 1, s: "SHIB1000USDT", S: "Sell", v: "100", p: "0.02" }])),
    );
    expect(shib.kind === "data" && shib.events[0]).toMatchObject({
      base: "SHIB",
      quantity: 100_000,
      value_usd: expect.closeTo(2, 9),
    });
  });

  it("learns base and quote coins from instruments-info, so USDC perpetuals read right", () => {
    const normalizer = new BybitLinearLiquidationNormalizer();
    const page = {
      retCode: 0,
      retMsg: "OK",
      result: {
        category: "linear",
        list: [
          {
            symbol: "BTCPERP",
            contractType: "LinearPerpetual",
            status: "Trading",
            baseCoin: "BTC",
            quoteCoin: "USDC",
            settleCoin: "USDC",
          },
        ],
        nextPageCursor: "",
      },
      time: 1,
    };
    expect(normalizer.normalize(frame(JSON.stringify(page), BYBIT_INSTRUMENTS_STREAM))).toEqual({ kind: "control" });
    const result = normalizer.normalize(
      frame(push("BTCPERP", [{ T: 1, s: "BTCPERP", S: "Buy", v: "0.1", p: "90000" }])),
    );
    expect(result.kind === "data" && result.events[0]).toMatchObject({ base: "BTC", quote: "USDC", value_usd: 9000 });
  });

  it("values inverse contracts in USD: the size is dollars, the coins are size / price", () => {
    const result = new BybitLinearLiquidationNormalizer().normalize(
      frame(push("BTCUSD", [{ T: 1, s: "BTCUSD", S: "Buy", v: "5000", p: "100000" }])),
    );
    expect(result.kind === "data" && result.events[0]).toMatchObject({
      base: "BTC",
      quote: "USD",
      quantity: 0.05,
      value_usd: 5000,
    });
  });

  it("keeps the good items of a push with a bad one", () => {
    const text = push("ETHUSDT", [
      { T: 1, s: "ETHUSDT", S: "Buy", v: "1", p: "3000" },
      { T: 2, s: "ETHUSDT", S: "Sideways", v: "1", p: "3000" },
    ]);
    const result = new BybitLinearLiquidationNormalizer().normalize(frame(text));
    expect(result.kind === "data" && result.events.map((e) => e.kind === "liquidation" && e.timestamp)).toEqual([1]);
  });

  it("gives a re-sent item the same id", () => {
    const normalizer = new BybitLinearLiquidationNormalizer();
    const text = push("XRPUSDT", [{ T: 7, s: "XRPUSDT", S: "Buy", v: "10", p: "2" }]);
    const ids = [normalizer.normalize(frame(text)), normalizer.normalize(frame(text))].map((r) =>
      r.kind === "data" && r.events[0].kind === "liquidation" ? r.events[0].id : undefined,
    );
    expect(ids[0]).toEqual(expect.any(String));
    expect(ids[1]).toBe(ids[0]);
  });

  it("treats pong and subscribe acks as control, a failed subscribe and garbage as errors", () => {
    const normalizer = new BybitLinearLiquidationNormalizer();
    const pong = readFileSync(new URL("bybit-ws-pong-linear.json", FIXTURES), "utf8");
    expect(normalizer.normalize(frame(pong))).toEqual({ kind: "control" });
    const ack = { success: true, ret_msg: "", conn_id: "c", req_id: "1", op: "subscribe" };
    expect(normalizer.normalize(frame(JSON.stringify(ack)))).toEqual({ kind: "control" });
    const failed = {
      success: false,
      ret_msg: "error:handler not found,topic:allLiquidation.NOPE",
      conn_id: "c",
      op: "subscribe",
    };
    expect(normalizer.normalize(frame(JSON.stringify(failed)))).toMatchObject({
      kind: "error",
      error: /handler not found/,
    });
    for (const text of [
      "\u0000garbage",
      '{"topic":"tickers.BTCUSDT","data":{}}',
      push("BTCUSDT", [{ T: 1, s: "BTCUSDT", S: "Long", v: "1", p: "1" }]),
      push("BTCUSDT", [{ T: 1, s: "BTCUSDT", S: "Buy", v: "0", p: "1" }]),
      push("BTCUSDT", [{ T: "soon", s: "BTCUSDT", S: "Buy", v: "1", p: "1" }]),
    ]) {
      expect(normalizer.normalize(frame(text)).kind, text).toBe("error");
    }
    expect(normalizer.normalize(frame('{"retCode":10001,"retMsg":"bad"}', BYBIT_INSTRUMENTS_STREAM)).kind).toBe(
      "error",
    );
  });
});
