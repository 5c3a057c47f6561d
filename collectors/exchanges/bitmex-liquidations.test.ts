import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { IngestEvent } from "../../protocol/ingest";
import type { RawFrame } from "../core/frames";
import { BITMEX_INSTRUMENTS_STREAM, BitmexLiquidationNormalizer } from "./bitmex-liquidations";

const FIXTURES = new URL("../../test/collectors/fixtures/venues/", import.meta.url);

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), "utf8");
}

function frame(text: string, receivedAt = 1_763_700_000_000, stream = "ws"): RawFrame {
  return { venue: "bitmex", stream, received_at: receivedAt, frame: text };
}

function table(action: string, data: Record<string, unknown>[]): string {
  return JSON.stringify({ table: "liquidation", action, data });
}

/** A `GET /api/v1/instrument/active` body in BitMEX's shape, with the fields that size a contract. */
const INSTRUMENTS = frame(
  JSON.stringify([
    {
      symbol: "XBTUSD",
      underlying: "XBT",
      quoteCurrency: "USD",
      settlCurrency: "XBt",
      multiplier: -100000000,
      underlyingToSettleMultiplier: -100000000,
      underlyingToPositionMultiplier: null,
      isQuanto: false,
      isInverse: true,
      markPrice: 90000,
    },
    {
      symbol: "XBTUSDT",
      underlying: "XBT",
      quoteCurrency: "USDT",
      settlCurrency: "USDt",
      multiplier: 1,
      underlyingToPositionMultiplier: 1000000,
      quoteToSettleMultiplier: 1000000,
      isQuanto: false,
      isInverse: false,
      markPrice: 90010,
    },
    {
      symbol: "ETHUSD",
      underlying: "ETH",
      quoteCurrency: "USD",
      settlCurrency: "XBt",
      multiplier: 100,
      underlyingToSettleMultiplier: null,
      underlyingToPositionMultiplier: null,
      isQuanto: true,
      isInverse: false,
      markPrice: 3000,
    },
  ]),
  1,
  BITMEX_INSTRUMENTS_STREAM,
);

describe("BitMEX liquidation table", () => {
  it("reads the docs insert: side Buy is a SHORT being closed; XBT is BTC; XBTUSD contracts are dollars", () => {
    const normalizer = new BitmexLiquidationNormalizer();
    expect(normalizer.normalize(frame(fixture("bitmex-ws-liquidation-partial.json")))).toEqual({
      kind: "data",
      events: [],
    });
    const result = normalizer.normalize(frame(fixture("bitmex-ws-liquidation-insert.json"), 1_763_700_000_123));
    expect(result.kind === "data" && IngestEvent.safeParse(result.events[0]).success).toBe(true);
    expect(result).toEqual({
      kind: "data",
      events: [
        {
          kind: "liquidation",
          venue: "bitmex",
          base: "BTC",
          quote: "USD",
          venue_symbol: "XBTUSD",
          side: "short",
          price: 88303.7,
          quantity: expect.closeTo(50900 / 88303.7, 12),
          value_usd: 50900,
          timestamp: 1_763_700_000_123,
          received_at: 1_763_700_000_123,
          id: "8c808f22-254c-49d9-b24a-a99329b9f6d4",
        },
      ],
    });
  });

  it("counts an order once across insert, update and delete, a re-sent insert and a later partial", () => {
    const normalizer = new BitmexLiquidationNormalizer();
    const count = (text: string) => {
      const result = normalizer.normalize(frame(text));
      expect(result.kind, text).toBe("data");
      return result.kind === "data" ? result.events.length : 0;
    };
    const insert = fixture("bitmex-ws-liquidation-insert.json");
    const sequence = [
      fixture("bitmex-ws-liquidation-partial.json"),
      insert,
      fixture("bitmex-ws-liquidation-update.json"),
      table("update", [{ orderID: "8c808f22-254c-49d9-b24a-a99329b9f6d4", symbol: "XBTUSD", price: 88290.5 }]),
      insert,
      fixture("bitmex-ws-liquidation-delete.json"),
    ];
    expect(sequence.map(count)).toEqual([0, 1, 0, 0, 0, 0]);
    expect(normalizer.liveOrders).toBe(0);
    // After a reconnect BitMEX sends a partial with the orders still resting: ones already counted are not counted again.
    const partial = JSON.stringify({
      ...JSON.parse(fixture("bitmex-ws-liquidation-partial.json")),
      data: [
        {
          orderID: "8c808f22-254c-49d9-b24a-a99329b9f6d4",
          symbol: "XBTUSD",
          side: "Buy",
          price: 88290.5,
          leavesQty: 50700,
        },
        {
          orderID: "0f8c6a3e-0000-4000-8000-000000000001",
          symbol: "XBTUSD",
          side: "Sell",
          price: 88000,
          leavesQty: 1000,
        },
      ],
    });
    expect(count(partial)).toBe(1);
    expect(normalizer.liveOrders).toBe(2);
  });

  it("sizes linear contracts by underlyingToPositionMultiplier and quanto ones in satoshis at the XBTUSD price", () => {
    const normalizer = new BitmexLiquidationNormalizer();
    expect(normalizer.normalize(INSTRUMENTS)).toEqual({ kind: "control" });
    const result = normalizer.normalize(
      frame(
        table("insert", [
          { orderID: "a", symbol: "XBTUSDT", side: "Sell", price: 90000, leavesQty: 2000 },
          { orderID: "b", symbol: "ETHUSD", side: "Buy", price: 3000, leavesQty: 10 },
        ]),
      ),
    );
    expect(result.kind === "data" && result.events).toEqual([
      expect.objectContaining({
        base: "BTC",
        quote: "USDT",
        side: "long",
        quantity: 0.002,
        value_usd: expect.closeTo(180, 9),
      }),
      // 10 contracts x 100 sat x 3000 = 0.03 XBT = 2700 USD at 90000; 0.9 ETH-equivalent.
      expect.objectContaining({
        base: "ETH",
        quote: "USD",
        side: "short",
        value_usd: expect.closeTo(2700, 9),
        quantity: expect.closeTo(0.9, 12),
      }),
    ]);
  });

  it("reports an insert of an unknown contract as an error, and counts it once the instruments are known", () => {
    const normalizer = new BitmexLiquidationNormalizer();
    const insert = table("insert", [{ orderID: "c", symbol: "XBTUSDT", side: "Sell", price: 90000, leavesQty: 1000 }]);
    expect(normalizer.normalize(frame(insert))).toMatchObject({ kind: "error", error: /contract unknown/ });
    normalizer.normalize(INSTRUMENTS);
    const again = normalizer.normalize(frame(insert));
    expect(again.kind === "data" && again.events).toHaveLength(1);
  });

  it("keeps the good rows of a frame with a bad one", () => {
    const normalizer = new BitmexLiquidationNormalizer();
    const result = normalizer.normalize(
      frame(
        table("insert", [
          { orderID: "d", symbol: "XBTUSD", side: "Sell", price: 90000, leavesQty: 100 },
          { orderID: "e", symbol: "XBTUSD", side: "Sideways", price: 90000, leavesQty: 100 },
        ]),
      ),
    );
    expect(result.kind === "data" && result.events.map((e) => e.kind === "liquidation" && e.id)).toEqual(["d"]);
  });

  it("treats welcome, subscribe ack and pong as control; errors and garbage as errors", () => {
    const normalizer = new BitmexLiquidationNormalizer();
    expect(normalizer.normalize(frame(fixture("bitmex-ws-welcome.json")))).toEqual({ kind: "control" });
    expect(normalizer.normalize(frame(fixture("bitmex-ws-subscribe-ack.json")))).toEqual({ kind: "control" });
    expect(normalizer.normalize(frame("pong"))).toEqual({ kind: "control" });
    for (const text of [
      '{"status":400,"error":"Unknown table: liquidations","meta":{},"request":{"op":"subscribe","args":["liquidations"]}}',
      '{"table":"trade","action":"insert","data":[]}',
      '{"table":"liquidation","action":"upsert","data":[]}',
      table("insert", [{ orderID: "f", symbol: "XBTUSD", side: "Buy", price: -1, leavesQty: 5 }]),
      "<html>502</html>",
    ]) {
      expect(normalizer.normalize(frame(text)).kind, text).toBe("error");
    }
    expect(normalizer.normalize(frame('{"error":"rate limited"}', 1, BITMEX_INSTRUMENTS_STREAM)).kind).toBe("error");
  });
});
