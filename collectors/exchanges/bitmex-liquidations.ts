import type { IngestEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toPositive } from "../core/parse";
import { coinUnit, type FuturesMarket, liquidationEvent } from "./liquidation-event";

/** The REST stream instrument definitions arrive on (`GET /api/v1/instrument/active`). */
export const BITMEX_INSTRUMENTS_STREAM = "rest /api/v1/instrument/active";

/** How BitMEX sizes one instrument's contracts (from `/api/v1/instrument/active`). */
interface BitmexContract {
  market: FuturesMarket;
  kind: "inverse" | "linear" | "quanto";
  /** inverse: quote units per contract; linear: contracts per coin (`underlyingToPositionMultiplier`); quanto: `multiplier`. */
  factor: number;
  /** quanto only: the settlement currency's smallest unit per whole unit (XBt 1e8, USDt 1e6). */
  settleScale?: number;
  /** quanto only: whether it settles in bitcoin (its value needs a BTC/USD price). */
  settlesInXbt?: boolean;
}

/**
 * The one contract known without the instruments endpoint: XBTUSD is inverse and each contract is
 * worth exactly 1 USD (BitMEX contract specification). Every other symbol waits for the instrument list.
 */
const BUILT_IN: Record<string, BitmexContract> = {
  XBTUSD: { market: { base: "BTC", quote: "USD", multiplier: 1 }, kind: "inverse", factor: 1 },
};

/** How many counted order ids are remembered, so a re-sent partial or insert is not counted again. */
const COUNTED_LIMIT = 50_000;

interface LiveOrder {
  symbol: string;
  side: string;
  price: number;
  leavesQty: number;
}

/**
 * BitMEX `liquidation` table (wss://ws.bitmex.com/realtime).
 *
 * A row is a liquidation ORDER that rests and is worked: `insert` -> 0..n `update` (partial fills
 * lower `leavesQty`, the price can move) -> `delete`. It is counted once, when it first appears
 * (`insert`, or a `partial` snapshot after a (re)connect) with its full `leavesQty`; updates and
 * deletes only maintain the order book of live liquidations and never produce another event, and an
 * order id seen before is never counted twice. The id is BitMEX's `orderID`.
 * Side: `side` is the ORDER's side; the engine buys to close a short, so `Buy` = a short position
 * was liquidated and `Sell` = a long one. Rows carry no time, so the timestamp is our receive time.
 * Contracts: inverse (XBTUSD) contracts are worth 1 USD each, so the value is the contract count and
 * the coins are contracts / price; linear contracts are `1 / underlyingToPositionMultiplier` coins;
 * quanto contracts are worth `multiplier` x price in the settlement currency's smallest unit
 * (satoshis), converted to USD at the XBTUSD mark price from the same instrument list.
 * The table shows every liquidation order, so this feed is complete.
 */
export class BitmexLiquidationNormalizer implements Normalizer {
  private readonly contracts = new Map<string, BitmexContract>(Object.entries(BUILT_IN));
  private readonly live = new Map<string, LiveOrder>();
  private readonly counted = new Set<string>();
  private btcUsd: number | undefined;

  normalize(frame: RawFrame): NormalizeResult {
    if (frame.frame === "pong") return { kind: "control" };
    const message = parseJson(frame.frame);
    if (frame.stream.startsWith("rest ")) return this.instruments(message);
    if (!isRecord(message)) return { kind: "error", error: "not a JSON object" };
    if ("info" in message && "version" in message) return { kind: "control" };
    if ("error" in message || message.success === false) {
      return { kind: "error", error: `bitmex error: ${JSON.stringify(message.error ?? message)}` };
    }
    if ("success" in message) return { kind: "control" };
    if (message.table !== "liquidation" || !Array.isArray(message.data)) {
      return { kind: "error", error: `unexpected table ${JSON.stringify(message.table)}` };
    }
    switch (message.action) {
      case "partial":
        this.live.clear();
        return this.appear(message.data, frame.received_at);
      case "insert":
        return this.appear(message.data, frame.received_at);
      case "update":
        return this.update(message.data);
      case "delete":
        for (const row of message.data)
          if (isRecord(row) && typeof row.orderID === "string") this.live.delete(row.orderID);
        return { kind: "data", events: [] };
      default:
        return { kind: "error", error: `unexpected action ${JSON.stringify(message.action)}` };
    }
  }

  /** Orders currently resting on the book, as the table last described them. */
  get liveOrders(): number {
    return this.live.size;
  }

  /** New rows: counted once each. A frame with some bad rows still delivers the good ones. */
  private appear(rows: unknown[], receivedAt: number): NormalizeResult {
    const events: IngestEvent[] = [];
    const errors: string[] = [];
    for (const row of rows) {
      if (!isRecord(row) || typeof row.orderID !== "string" || typeof row.symbol !== "string") {
        errors.push("liquidation row without orderID and symbol");
        continue;
      }
      const price = toPositive(row.price);
      const leavesQty = toPositive(row.leavesQty);
      if (typeof row.side !== "string" || !price || !leavesQty) {
        errors.push(`${row.symbol}: row without side, price and leavesQty`);
        continue;
      }
      this.live.set(row.orderID, { symbol: row.symbol, side: row.side, price, leavesQty });
      if (this.counted.has(row.orderID)) continue;
      const event = this.event(row.orderID, row.symbol, row.side, price, leavesQty, receivedAt);
      if (typeof event === "string") {
        errors.push(event);
        continue;
      }
      this.remember(row.orderID);
      events.push(event);
    }
    if (events.length === 0 && errors.length > 0) return { kind: "error", error: errors.join("; ") };
    return { kind: "data", events };
  }

  private update(rows: unknown[]): NormalizeResult {
    for (const row of rows) {
      if (!isRecord(row) || typeof row.orderID !== "string") continue;
      const order = this.live.get(row.orderID);
      if (!order) continue;
      order.price = toPositive(row.price) ?? order.price;
      order.leavesQty = toPositive(row.leavesQty) ?? order.leavesQty;
    }
    return { kind: "data", events: [] };
  }

  private remember(orderID: string): void {
    this.counted.add(orderID);
    if (this.counted.size > COUNTED_LIMIT) {
      const oldest = this.counted.values().next().value;
      if (oldest !== undefined) this.counted.delete(oldest);
    }
  }

  private event(
    orderID: string,
    symbol: string,
    orderSide: string,
    price: number,
    contracts: number,
    receivedAt: number,
  ): IngestEvent | string {
    const side = orderSide === "Buy" ? "short" : orderSide === "Sell" ? "long" : undefined;
    if (!side) return `${symbol}: side ${JSON.stringify(orderSide)} is neither Buy nor Sell`;
    const contract = this.contracts.get(symbol);
    if (!contract) return `${symbol}: contract unknown (instruments not loaded)`;
    let quantity: number;
    let valueUsd: number | undefined;
    if (contract.kind === "inverse") {
      const quoteValue = contracts * contract.factor;
      quantity = quoteValue / price;
      valueUsd = contract.market.quote === "USD" ? quoteValue : undefined;
    } else if (contract.kind === "linear") {
      quantity = contracts / contract.factor;
      // Bitcoin-quoted linear contracts (ETH in XBT): the value in BTC at the XBTUSD price.
      if (contract.market.quote === "BTC" && this.btcUsd) valueUsd = quantity * price * this.btcUsd;
    } else {
      const settleValue = (contracts * contract.factor * price) / (contract.settleScale ?? 1e8);
      if (contract.settlesInXbt && !this.btcUsd) return `${symbol}: quanto value needs the XBTUSD price`;
      valueUsd = contract.settlesInXbt ? settleValue * (this.btcUsd ?? 0) : settleValue;
      quantity = valueUsd / price;
    }
    return liquidationEvent({
      venue: "bitmex",
      venueSymbol: symbol,
      market: contract.market,
      side,
      price,
      quantity,
      ...(valueUsd !== undefined ? { valueUsd } : {}),
      timestamp: receivedAt,
      receivedAt,
      id: orderID,
    });
  }

  /** Learns contract sizes and the XBTUSD mark price; a refresh adds and updates, never forgets. */
  private instruments(message: unknown): NormalizeResult {
    if (!Array.isArray(message)) return { kind: "error", error: "bitmex instruments: not an array" };
    for (const row of message) {
      if (!isRecord(row) || typeof row.symbol !== "string") continue;
      if (row.symbol === "XBTUSD") this.btcUsd = toPositive(row.markPrice) ?? toPositive(row.lastPrice) ?? this.btcUsd;
      const contract = bitmexContract(row);
      if (contract) this.contracts.set(row.symbol, contract);
    }
    return { kind: "control" };
  }
}

function bitmexContract(row: Record<string, unknown>): BitmexContract | undefined {
  if (typeof row.underlying !== "string" || typeof row.quoteCurrency !== "string") return undefined;
  const unit = coinUnit("bitmex", row.underlying);
  const quote = coinUnit("bitmex", row.quoteCurrency);
  if (!unit || !quote) return undefined;
  const market: FuturesMarket = { ...unit, quote: quote.base };
  const multiplier = typeof row.multiplier === "number" ? Math.abs(row.multiplier) : undefined;
  if (row.isInverse === true) {
    const toSettle =
      typeof row.underlyingToSettleMultiplier === "number" ? Math.abs(row.underlyingToSettleMultiplier) : 0;
    return { market, kind: "inverse", factor: multiplier && toSettle ? multiplier / toSettle : 1 };
  }
  if (row.isQuanto === true) {
    if (!multiplier) return undefined;
    const settle = typeof row.settlCurrency === "string" ? row.settlCurrency : "";
    if (settle === "XBt") return { market, kind: "quanto", factor: multiplier, settleScale: 1e8, settlesInXbt: true };
    if (settle === "USDt") return { market, kind: "quanto", factor: multiplier, settleScale: 1e6, settlesInXbt: false };
    return undefined;
  }
  const perCoin = toPositive(row.underlyingToPositionMultiplier);
  return perCoin ? { market, kind: "linear", factor: perCoin } : undefined;
}
