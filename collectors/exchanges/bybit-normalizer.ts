import type { TickerEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import {
  isRecord,
  parseJson,
  ratioToPercent,
  toEpochMs,
  toNonNegative,
  toNumber,
  toPositive,
  toText,
} from "../core/parse";
import { perCoinPrice, perCoinVolume, resolveBase, splitConcatenated } from "../core/symbols";

/**
 * Bybit v5 spot. REST `GET /v5/market/tickers?category=spot` (`{retCode, result:{category, list}, time}`,
 * every value a string, `price24hPcnt` a ratio) and the WebSocket `tickers.<symbol>` topic of
 * `/v5/public/spot` (`{topic, type, ts, data}`, spot is snapshot-only); pongs and subscription answers
 * are control. Other categories belong to other feeds and are reported as errors here.
 */
export class BybitNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    const body = parseJson(frame.frame);
    if (!isRecord(body)) return { kind: "error", error: body === undefined ? "not JSON" : "not an object" };
    if (frame.stream === "rest /v5/market/tickers") {
      if (body.retCode !== 0)
        return { kind: "error", error: `venue error ${String(body.retCode)}: ${String(body.retMsg)}` };
      const result = body.result;
      if (!isRecord(result) || !Array.isArray(result.list)) return { kind: "error", error: "no result.list" };
      if (result.category !== "spot")
        return { kind: "error", error: `category ${String(result.category)} is not spot` };
      const time = toEpochMs(body.time) ?? frame.received_at;
      const events: TickerEvent[] = [];
      for (const row of result.list) {
        const event = isRecord(row) ? this.ticker(row, time, frame.received_at) : undefined;
        if (event) events.push(event);
      }
      return { kind: "data", events };
    }
    if (frame.stream !== "ws") return { kind: "error", error: `unknown stream ${frame.stream}` };
    if (body.op === "ping" || body.op === "pong" || body.op === "subscribe" || body.op === "unsubscribe") {
      return body.success === false
        ? { kind: "error", error: `venue said ${String(body.ret_msg)}` }
        : { kind: "control" };
    }
    const topic = toText(body.topic);
    if (!topic?.startsWith("tickers.") || !isRecord(body.data))
      return { kind: "error", error: `unknown topic ${String(body.topic)}` };
    const event = this.ticker(body.data, toEpochMs(body.ts) ?? frame.received_at, frame.received_at);
    return { kind: "data", events: event ? [event] : [] };
  }

  private ticker(row: Record<string, unknown>, timestamp: number, receivedAt: number): TickerEvent | undefined {
    const symbol = toText(row.symbol);
    const pair = symbol ? splitConcatenated(symbol) : null;
    const asset = pair && resolveBase("bybit", pair.base);
    const price = toPositive(row.lastPrice);
    const ratio = toNumber(row.price24hPcnt);
    if (!symbol || !pair || !asset || price === undefined || ratio === undefined) return undefined;
    const m = asset.multiplier;
    const event: TickerEvent = {
      kind: "ticker",
      venue: "bybit",
      base: asset.base,
      quote: pair.quote,
      venue_symbol: symbol,
      price: perCoinPrice(price, m),
      change_percent: ratioToPercent(ratio),
      volume: perCoinVolume(toNonNegative(row.volume24h) ?? 0, m),
      quote_volume: toNonNegative(row.turnover24h) ?? 0,
      timestamp: Math.round(timestamp),
      received_at: Math.round(receivedAt),
    };
    const high = toPositive(row.highPrice24h);
    const low = toPositive(row.lowPrice24h);
    if (high !== undefined) event.high = perCoinPrice(high, m);
    if (low !== undefined) event.low = perCoinPrice(low, m);
    return event;
  }
}
