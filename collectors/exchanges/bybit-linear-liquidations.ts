import type { IngestEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toEpochMs, toPositive } from "../core/parse";
import { coinUnit, type FuturesMarket, liquidationEvent, splitFuturesSymbol } from "./liquidation-event";

/** The REST stream the linear symbol list arrives on (`GET /v5/market/instruments-info?category=linear`). */
export const BYBIT_INSTRUMENTS_STREAM = "rest /v5/market/instruments-info";

/**
 * Bybit v5 `allLiquidation.{symbol}` pushes (public linear WebSocket).
 *
 * Side: `S` is the side of the POSITION: "When you receive a `Buy` update, this means that a long
 * position has been liquidated" (bybit-exchange/docs, docs/v5/websocket/public/all-liquidation.mdx),
 * the opposite of Binance's `S`. `v` is the executed size in the symbol's base unit (`1000PEPE` for
 * `1000PEPEUSDT`), `p` the bankruptcy price. The topic pushes every liquidation (every 500 ms, as a
 * list), so this feed is complete. No liquidation id: it is derived from symbol, time, side, size and
 * price. The instruments list, when it has been seen, gives each symbol's base and quote coins, so
 * symbols whose name does not end in a known quote (USDC `BTCPERP`) are read correctly.
 */
export class BybitLinearLiquidationNormalizer implements Normalizer {
  private readonly markets = new Map<string, FuturesMarket>();

  normalize(frame: RawFrame): NormalizeResult {
    const message = parseJson(frame.frame);
    if (!isRecord(message)) return { kind: "error", error: "not a JSON object" };
    if (frame.stream.startsWith("rest ")) return this.instruments(message);
    if (typeof message.op === "string" || "success" in message) {
      return message.success === false
        ? { kind: "error", error: `bybit ${String(message.op)} failed: ${String(message.ret_msg)}` }
        : { kind: "control" };
    }
    if (typeof message.topic !== "string" || !message.topic.startsWith("allLiquidation.")) {
      return { kind: "error", error: `unexpected topic ${JSON.stringify(message.topic)}` };
    }
    const items = Array.isArray(message.data) ? message.data : [message.data];
    const events: IngestEvent[] = [];
    const errors: string[] = [];
    for (const item of items) {
      if (!isRecord(item)) return { kind: "error", error: "allLiquidation item is not an object" };
      const event = this.liquidation(item, frame.received_at);
      if (typeof event === "string") {
        errors.push(event);
        continue;
      }
      events.push(event);
    }
    // A bad item does not cost the good ones of the same frame; a frame with nothing good is an error.
    if (events.length === 0 && errors.length > 0) return { kind: "error", error: errors.join("; ") };
    return { kind: "data", events };
  }

  /** Learns base and quote coins from an instruments-info page; the feed itself uses it for the symbol list. */
  private instruments(message: Record<string, unknown>): NormalizeResult {
    if (message.retCode !== 0 || !isRecord(message.result) || !Array.isArray(message.result.list)) {
      return { kind: "error", error: `bybit instruments-info failed: ${String(message.retMsg)}` };
    }
    for (const row of message.result.list) {
      if (!isRecord(row) || typeof row.symbol !== "string") continue;
      if (typeof row.baseCoin !== "string" || typeof row.quoteCoin !== "string") continue;
      const unit = coinUnit("bybit", row.baseCoin);
      if (unit) this.markets.set(row.symbol, { ...unit, quote: row.quoteCoin.toUpperCase() });
    }
    return { kind: "control" };
  }

  private liquidation(item: Record<string, unknown>, receivedAt: number): IngestEvent | string {
    const symbol = typeof item.s === "string" ? item.s : "";
    const market = this.markets.get(symbol) ?? bybitSymbol(symbol);
    if (!market) return `unknown futures symbol ${JSON.stringify(item.s)}`;
    const side = item.S === "Buy" ? "long" : item.S === "Sell" ? "short" : undefined;
    if (!side) return `${symbol}: side ${JSON.stringify(item.S)} is neither Buy nor Sell`;
    const size = toPositive(item.v);
    const price = toPositive(item.p);
    if (!size || !price) return `${symbol}: no positive size and price`;
    const timestamp = toEpochMs(item.T);
    if (timestamp === undefined) return `${symbol}: no time`;
    // Inverse contracts (BTCUSD) are sized in USD: the value is the size, the coins are size / price.
    const inverse = market.quote === "USD";
    return liquidationEvent({
      venue: "bybit",
      venueSymbol: symbol,
      market,
      side,
      price,
      quantity: inverse ? size / price : size,
      ...(inverse ? { valueUsd: size } : {}),
      timestamp,
      receivedAt,
      id: `${symbol}:${timestamp}:${item.S}:${item.v}:${item.p}`,
    });
  }
}

/** Reads a Bybit linear symbol; `BTCPERP` and `ETH-27MAR26`-style USDC contracts are quoted in USDC. */
function bybitSymbol(symbol: string): FuturesMarket | undefined {
  const perp = /^([A-Z0-9]+)PERP$/.exec(symbol);
  const unit = perp ? coinUnit("bybit", perp[1]) : undefined;
  if (unit) return { ...unit, quote: "USDC" };
  return splitFuturesSymbol("bybit", symbol);
}
