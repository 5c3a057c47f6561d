import type { TickerEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toEpochMs, toNonNegative, toNumber, toPositive, toText } from "../core/parse";
import { perCoinPrice, perCoinVolume, resolveBase, splitConcatenated } from "../core/symbols";

/** Whether a frame is Binance's `serverShutdown` notice (reconnect now). */
export function isServerShutdown(text: string): boolean {
  if (!text.includes("serverShutdown")) return false;
  const body = parseJson(text);
  const event = isRecord(body) && isRecord(body.data) ? body.data : body;
  return isRecord(event) && event.e === "serverShutdown";
}

type Parsed = TickerEvent | "skip" | string;

/**
 * Binance spot. WebSocket `!miniTicker@arr` (an array of `24hrMiniTicker`, only symbols that changed,
 * every second; the change is (c / o - 1) x 100 since `o` is the price 24 h ago) and `<symbol>@ticker`
 * (`24hrTicker`, `P` is a percent string), raw or wrapped in a combined-stream `{stream, data}`;
 * `serverShutdown` and subscription answers are control. REST `/api/v3/ticker/24hr` (object or array,
 * `priceChangePercent` a percent string). Every value is a string; symbols are split by their quote.
 */
export class BinanceNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    const parsed = parseJson(frame.frame);
    if (parsed === undefined) return { kind: "error", error: "not JSON" };
    if (frame.stream === "rest /api/v3/ticker/24hr")
      return this.list(parsed, frame.received_at, (o, t) => this.rest(o, t));
    if (frame.stream !== "ws") return { kind: "error", error: `unknown stream ${frame.stream}` };
    const body = isRecord(parsed) && typeof parsed.stream === "string" && "data" in parsed ? parsed.data : parsed;
    if (isRecord(body)) {
      if (body.e === "serverShutdown") return { kind: "control" };
      if ("result" in body && "id" in body) return { kind: "control" };
      if (typeof body.code === "number" && typeof body.msg === "string") {
        return { kind: "error", error: `venue error ${body.code}: ${body.msg}` };
      }
    }
    return this.list(body, frame.received_at, (o, t) => this.stream(o, t));
  }

  private list(
    body: unknown,
    receivedAt: number,
    parse: (o: Record<string, unknown>, receivedAt: number) => Parsed,
  ): NormalizeResult {
    const items = Array.isArray(body) ? body : [body];
    const events: TickerEvent[] = [];
    let firstError: string | undefined;
    for (const item of items) {
      const result = isRecord(item) ? parse(item, receivedAt) : "not an object";
      if (typeof result === "object") events.push(result);
      else if (result !== "skip") firstError ??= result;
    }
    if (events.length === 0 && firstError) return { kind: "error", error: firstError };
    return { kind: "data", events };
  }

  private stream(o: Record<string, unknown>, receivedAt: number): Parsed {
    if (o.e !== "24hrMiniTicker" && o.e !== "24hrTicker") return `unknown event ${String(o.e)}`;
    const price = toPositive(o.c);
    const open = toPositive(o.o);
    if (price === undefined) return `${String(o.s)}: no last price`;
    const percent = toNumber(o.P) ?? (open !== undefined ? (price / open - 1) * 100 : undefined);
    if (percent === undefined) return `${String(o.s)}: no change`;
    return this.ticker(o.s, price, percent, o.v, o.q, o.h, o.l, toEpochMs(o.E) ?? receivedAt, receivedAt);
  }

  private rest(o: Record<string, unknown>, receivedAt: number): Parsed {
    const price = toPositive(o.lastPrice);
    if (price === undefined) return "skip"; // a symbol that never traded, or a halted one
    const open = toPositive(o.openPrice);
    const percent = toNumber(o.priceChangePercent) ?? (open !== undefined ? (price / open - 1) * 100 : undefined);
    if (percent === undefined) return `${String(o.symbol)}: no change`;
    const time = toEpochMs(o.closeTime) ?? receivedAt;
    return this.ticker(o.symbol, price, percent, o.volume, o.quoteVolume, o.highPrice, o.lowPrice, time, receivedAt);
  }

  private ticker(
    rawSymbol: unknown,
    price: number,
    percent: number,
    volume: unknown,
    quoteVolume: unknown,
    high: unknown,
    low: unknown,
    timestamp: number,
    receivedAt: number,
  ): Parsed {
    const symbol = toText(rawSymbol);
    if (!symbol) return "ticker without a symbol";
    const pair = splitConcatenated(symbol);
    const asset = pair && resolveBase("binance", pair.base);
    if (!pair || !asset) return "skip"; // an unknown quote or a non-ASCII name: not a market we key
    const m = asset.multiplier;
    const event: TickerEvent = {
      kind: "ticker",
      venue: "binance",
      base: asset.base,
      quote: pair.quote,
      venue_symbol: symbol,
      price: perCoinPrice(price, m),
      change_percent: Math.round(percent * 1e6) / 1e6,
      volume: perCoinVolume(toNonNegative(volume) ?? 0, m),
      quote_volume: toNonNegative(quoteVolume) ?? 0,
      timestamp: Math.round(timestamp),
      received_at: Math.round(receivedAt),
    };
    const h = toPositive(high);
    const l = toPositive(low);
    if (h !== undefined) event.high = perCoinPrice(h, m);
    if (l !== undefined) event.low = perCoinPrice(l, m);
    return event;
  }
}
