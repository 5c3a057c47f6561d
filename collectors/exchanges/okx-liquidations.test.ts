import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IngestEvent } from "../../protocol/ingest";
import type { RawFrame } from "../core/frames";
import { OKX_INSTRUMENTS_STREAM, OkxLiquidationNormalizer } from "./okx-liquidations";

const FIXTURES = new URL("../../test/collectors/fixtures/venues/", import.meta.url);
const RECEIVED_AT = 1_763_700_000_000;

function frame(text: string, stream = "ws"): RawFrame {
  return { venue: "okx", stream, received_at: RECEIVED_AT, frame: text };
}

/** A `GET /api/v5/public/instruments?instType=SWAP` body in OKX's shape (fields we do not read left out). */
function instruments(rows: Record<string, string>[]): RawFrame {
  const data = rows.map((row) => ({ instType: "SWAP", ctMult: "1", state: "live", ...row }));
  return frame(JSON.stringify({ code: "0", msg: "", data }), OKX_INSTRUMENTS_STREAM);
}

const IOST = { instId: "IOST-USDT-SWAP", ctType: "linear", ctVal: "1000", ctValCcy: "IOST", settleCcy: "USDT" };
const BTC_USD = { instId: "BTC-USD-SWAP", ctType: "inverse", ctVal: "100", ctValCcy: "USD", settleCcy: "BTC" };
const BTC_USDT = { instId: "BTC-USDT-SWAP", ctType: "linear", ctVal: "0.01", ctValCcy: "BTC", settleCcy: "USDT" };

function push(instId: string, details: Record<string, string>[]): string {
  return JSON.stringify({
    arg: { channel: "liquidation-orders", instType: "SWAP" },
    data: [
      {
        details,
        instFamily: instId.replace(/-SWAP$/, ""),
        instId,
        instType: "SWAP",
        uly: instId.replace(/-SWAP$/, ""),
      },
    ],
  });
}

describe("OKX liquidation-orders", () => {
  it("reads the docs sample: posSide short is a short liquidated; sz is contracts x ctVal coins", () => {
    const normalizer = new OkxLiquidationNormalizer();
    expect(normalizer.normalize(instruments([IOST]))).toEqual({ kind: "control" });
    const text = readFileSync(new URL("okx-ws-liquidation-orders.json", FIXTURES), "utf8");
    const result = normalizer.normalize(frame(text));
    expect(result.kind === "data" && IngestEvent.safeParse(result.events[0]).success).toBe(true);
    expect(result).toEqual({
      kind: "data",
      events: [
        {
          kind: "liquidation",
          venue: "okx",
          base: "IOST",
          quote: "USDT",
          venue_symbol: "IOST-USDT-SWAP",
          side: "short",
          price: 0.007831,
          quantity: 13_000,
          value_usd: expect.closeTo(101.803, 9),
          timestamp: 1692266434010,
          received_at: RECEIVED_AT,
          id: expect.any(String),
        },
      ],
    });
  });

  it("refuses to guess a contract value before the instruments are loaded", () => {
    const text = readFileSync(new URL("okx-ws-liquidation-orders.json", FIXTURES), "utf8");
    expect(new OkxLiquidationNormalizer().normalize(frame(text))).toMatchObject({
      kind: "error",
      error: /contract value unknown/,
    });
  });

  it("values an inverse contract in USD (sz x ctVal dollars) and its coins as that / bkPx", () => {
    const normalizer = new OkxLiquidationNormalizer();
    normalizer.normalize(instruments([BTC_USD, BTC_USDT]));
    const inverse = normalizer.normalize(
      frame(
        push("BTC-USD-SWAP", [
          { bkLoss: "0", bkPx: "50000", ccy: "", posSide: "long", side: "sell", sz: "5", ts: "1700000000000" },
        ]),
      ),
    );
    expect(inverse.kind === "data" && inverse.events[0]).toMatchObject({
      base: "BTC",
      quote: "USD",
      side: "long",
      quantity: 0.01,
      value_usd: 500,
      price: 50000,
    });
    const linear = normalizer.normalize(
      frame(
        push("BTC-USDT-SWAP", [
          { bkLoss: "0", bkPx: "50000", ccy: "", posSide: "long", side: "sell", sz: "5", ts: "1700000000000" },
        ]),
      ),
    );
    expect(linear.kind === "data" && linear.events[0]).toMatchObject({ quantity: 0.05, value_usd: 2500 });
  });

  it("reads one-way (net) positions from the order side: sell closes a long, buy closes a short", () => {
    const normalizer = new OkxLiquidationNormalizer();
    normalizer.normalize(instruments([BTC_USDT]));
    const result = normalizer.normalize(
      frame(
        push("BTC-USDT-SWAP", [
          { bkLoss: "0", bkPx: "60000", ccy: "", posSide: "net", side: "sell", sz: "1", ts: "1700000000001" },
          { bkLoss: "0", bkPx: "61000", ccy: "", posSide: "net", side: "buy", sz: "2", ts: "1700000000002" },
        ]),
      ),
    );
    expect(result.kind === "data" && result.events.map((e) => e.kind === "liquidation" && e.side)).toEqual([
      "long",
      "short",
    ]);
  });

  it("takes refreshed contract values and keeps the old ones when a refresh fails", () => {
    const normalizer = new OkxLiquidationNormalizer();
    normalizer.normalize(instruments([IOST]));
    normalizer.normalize(instruments([{ ...IOST, ctVal: "10" }]));
    const failed = frame(JSON.stringify({ code: "50011", msg: "Too Many Requests", data: [] }), OKX_INSTRUMENTS_STREAM);
    expect(normalizer.normalize(failed)).toMatchObject({ kind: "error" });
    const text = readFileSync(new URL("okx-ws-liquidation-orders.json", FIXTURES), "utf8");
    const result = normalizer.normalize(frame(text));
    expect(result.kind === "data" && result.events[0]).toMatchObject({ quantity: 130 });
  });

  it("treats the text pong and subscribe events as control; error events and garbage as errors", () => {
    const normalizer = new OkxLiquidationNormalizer();
    expect(normalizer.normalize(frame("pong"))).toEqual({ kind: "control" });
    const ack = { event: "subscribe", arg: { channel: "liquidation-orders", instType: "SWAP" }, connId: "a4d3ae55" };
    expect(normalizer.normalize(frame(JSON.stringify(ack)))).toEqual({ kind: "control" });
    const error = { event: "error", code: "60012", msg: "Invalid request", connId: "a4d3ae55" };
    expect(normalizer.normalize(frame(JSON.stringify(error)))).toMatchObject({ kind: "error", error: /60012/ });
    normalizer.normalize(instruments([BTC_USDT]));
    for (const text of [
      "ping?",
      '{"arg":{"channel":"tickers"},"data":[]}',
      push("BTC-USDT-SWAP", [{ bkPx: "1", posSide: "both", side: "hold", sz: "1", ts: "1" }]),
      push("BTC-USDT-SWAP", [{ bkPx: "0", posSide: "long", side: "sell", sz: "1", ts: "1" }]),
    ]) {
      expect(normalizer.normalize(frame(text)).kind, text).toBe("error");
    }
  });
});
