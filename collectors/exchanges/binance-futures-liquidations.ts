import type { IngestEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toEpochMs, toPositive } from "../core/parse";
import { liquidationEvent, splitFuturesSymbol } from "./liquidation-event";

/**
 * Binance USDⓈ-M futures `forceOrder` events (`!forceOrder@arr`, combined-stream wrapped or raw).
 *
 * Side: `o.S` is the side of the liquidation ORDER. The engine sells to close a long, so `SELL` means
 * a long position was liquidated and `BUY` a short one (fixtures/venues/NOTES.md §3).
 * Quantity: `o.z` (filled so far, in the base unit of the symbol) at the average price `o.ap`; an
 * order with nothing filled yet falls back to the order's `o.q` at `o.p`. `l` is only the last fill.
 * Binance pushes at most one liquidation per symbol per second, so this feed is a sample
 * (https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/All-Market-Liquidation-Order-Streams).
 * There is no liquidation id; the id is derived from symbol, trade time, side, quantity and price,
 * which is stable when the same message is delivered twice.
 */
export class BinanceFuturesLiquidationNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    const message = parseJson(frame.frame);
    if (!isRecord(message)) return { kind: "error", error: "not a JSON object" };
    if ("result" in message && "id" in message) return { kind: "control" };
    if (isRecord(message.error)) return { kind: "error", error: `binance error: ${JSON.stringify(message.error)}` };
    const payload = "stream" in message && "data" in message ? message.data : message;
    const items = Array.isArray(payload) ? payload : [payload];
    const events: IngestEvent[] = [];
    const errors: string[] = [];
    for (const item of items) {
      if (!isRecord(item)) return { kind: "error", error: "forceOrder payload is not an object" };
      if (item.e === "serverShutdown") return { kind: "control" };
      if (item.e !== "forceOrder") return { kind: "error", error: `unexpected event ${String(item.e)}` };
      const event = forceOrder(item, frame.received_at);
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
}

function forceOrder(message: Record<string, unknown>, receivedAt: number): IngestEvent | string {
  const order = message.o;
  if (!isRecord(order)) return "forceOrder without o";
  const symbol = typeof order.s === "string" ? order.s : "";
  const market = splitFuturesSymbol("binance", symbol);
  if (!market) return `unknown futures symbol ${JSON.stringify(order.s)}`;
  const side = order.S === "SELL" ? "long" : order.S === "BUY" ? "short" : undefined;
  if (!side) return `${symbol}: side ${JSON.stringify(order.S)} is neither BUY nor SELL`;
  const filled = toPositive(order.z);
  const averagePrice = toPositive(order.ap);
  const quantity = filled && averagePrice ? filled : toPositive(order.q);
  const price = filled && averagePrice ? averagePrice : toPositive(order.p);
  if (!quantity || !price) return `${symbol}: no positive quantity and price`;
  const timestamp = toEpochMs(order.T) ?? toEpochMs(message.E);
  if (timestamp === undefined) return `${symbol}: no trade time`;
  return liquidationEvent({
    venue: "binance",
    venueSymbol: symbol,
    market,
    side,
    price,
    quantity,
    timestamp,
    receivedAt,
    id: `${symbol}:${timestamp}:${order.S}:${quantity}:${price}`,
  });
}
