import type { TickerEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toEpochMs, toNonNegative, toNumber, toPositive } from "../core/parse";
import { perCoinPrice, perCoinVolume, resolveBase } from "../core/symbols";
import { parseTickerList, parseUpbitStyleTicker } from "./upbit-style-ticker";

/**
 * Bithumb: the Upbit-compatible v1 REST `/v1/ticker` (numbers; `timestamp` is a true epoch while
 * `trade_timestamp` is shifted +9 h) and `/v1/market/all` (used for the code list: control), the
 * Upbit-style WebSocket ticker, and the legacy `/public/ticker/ALL_KRW` (strings; `fluctate_rate_24H`
 * is a percent; `date` sits beside the coin keys).
 */
export class BithumbNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    const body = parseJson(frame.frame);
    if (body === undefined) return { kind: "error", error: "not JSON" };
    if (isRecord(body) && isRecord(body.error)) {
      return { kind: "error", error: `venue error ${String(body.error.name)}: ${String(body.error.message)}` };
    }
    switch (frame.stream) {
      case "rest /v1/market/all":
        return Array.isArray(body) ? { kind: "control" } : { kind: "error", error: "market list is not an array" };
      case "rest /v1/ticker":
      case "ws":
        return this.tickers(body, frame.received_at);
      case "rest /public/ticker/ALL_KRW":
        return this.legacyAll(body, frame.received_at);
      default:
        return { kind: "error", error: `unknown stream ${frame.stream}` };
    }
  }

  private tickers(body: unknown, receivedAt: number): NormalizeResult {
    if (Array.isArray(body)) {
      const { events, errors } = parseTickerList("bithumb", body, receivedAt);
      return events.length === 0 && errors.length > 0
        ? { kind: "error", error: errors[0] ?? "" }
        : { kind: "data", events };
    }
    if (!isRecord(body)) return { kind: "error", error: "not an object" };
    if (body.status === "UP") return { kind: "control" };
    if ((body.type ?? body.ty) !== "ticker")
      return { kind: "error", error: `unknown message type ${String(body.type)}` };
    const parsed = parseUpbitStyleTicker("bithumb", body, receivedAt);
    if (parsed.ok === "skip") return { kind: "data", events: [] };
    if (parsed.ok === false) return { kind: "error", error: parsed.error };
    return { kind: "data", events: [parsed.event] };
  }

  private legacyAll(body: unknown, receivedAt: number): NormalizeResult {
    if (!isRecord(body) || body.status !== "0000" || !isRecord(body.data)) {
      const status = isRecord(body) ? String(body.status) : "?";
      return { kind: "error", error: `legacy ticker status ${status}` };
    }
    const timestamp = toEpochMs(body.data.date) ?? Math.round(receivedAt);
    const events: TickerEvent[] = [];
    for (const [key, row] of Object.entries(body.data)) {
      if (key === "date" || !isRecord(row)) continue;
      const asset = resolveBase("bithumb", key);
      const price = toPositive(row.closing_price);
      const change = toNumber(row.fluctate_rate_24H);
      if (!asset || price === undefined || change === undefined) continue;
      const m = asset.multiplier;
      const high = toPositive(row.max_price);
      const low = toPositive(row.min_price);
      const event: TickerEvent = {
        kind: "ticker",
        venue: "bithumb",
        base: asset.base,
        quote: "KRW",
        venue_symbol: `${key}_KRW`,
        price: perCoinPrice(price, m),
        change_percent: change,
        volume: perCoinVolume(toNonNegative(row.units_traded_24H) ?? 0, m),
        quote_volume: toNonNegative(row.acc_trade_value_24H) ?? 0,
        timestamp,
        received_at: Math.round(receivedAt),
      };
      if (high !== undefined) event.high = perCoinPrice(high, m);
      if (low !== undefined) event.low = perCoinPrice(low, m);
      events.push(event);
    }
    return { kind: "data", events };
  }
}
