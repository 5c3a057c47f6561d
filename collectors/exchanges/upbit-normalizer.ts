import type { CoinEvent, IngestEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toText } from "../core/parse";
import { resolveBase, splitQuoteFirst } from "../core/symbols";
import { parseTickerList, parseUpbitStyleTicker } from "./upbit-style-ticker";

/** Caution flags of `market_event.caution` (all true when any level is active, since 2026-01-29). */
const CAUTION_KEYS = [
  "PRICE_FLUCTUATIONS",
  "TRADING_VOLUME_SOARING",
  "DEPOSIT_AMOUNT_SOARING",
  "GLOBAL_PRICE_DIFFERENCES",
  "CONCENTRATION_OF_SMALL_ACCOUNTS",
] as const;

/**
 * The warnings of one `/v1/market/all?is_details=true` row: `WARNING` for `market_event.warning`
 * (유의종목, the delisting-review list) and each active caution flag by name. The legacy
 * `market_warning: "CAUTION"` (removed from Upbit in 2024, still on Bithumb) maps to `CAUTION`.
 */
export function upbitWarnings(row: Record<string, unknown>): string[] {
  const warnings: string[] = [];
  const event = row.market_event;
  if (isRecord(event)) {
    if (event.warning === true) warnings.push("WARNING");
    if (isRecord(event.caution)) {
      for (const key of CAUTION_KEYS) if (event.caution[key] === true) warnings.push(key);
    }
  }
  if (row.market_warning === "CAUTION") warnings.push("CAUTION");
  return warnings;
}

/** The KRW market codes of a `/v1/market/all` body (empty when it is not a market list). */
export function krwMarketCodes(body: unknown): string[] {
  if (!Array.isArray(body)) return [];
  return body
    .map((row) => (isRecord(row) ? toText(row.market) : undefined))
    .filter((code): code is string => code?.startsWith("KRW-") === true);
}

/**
 * Upbit: WebSocket `ticker` frames (DEFAULT or SIMPLE keys, one object or a `*_LIST` array), the
 * `{"status":"UP"}` answer to `PING`, error envelopes; REST `/v1/market/all` (coin names and caution
 * flags -> `coin` events for KRW markets) and `/v1/ticker`.
 */
export class UpbitNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    const body = parseJson(frame.frame);
    if (body === undefined) return { kind: "error", error: "not JSON" };
    if (frame.stream === "rest /v1/market/all") return this.marketList(body);
    if (frame.stream === "rest /v1/ticker" || frame.stream === "rest /v1/ticker/all") {
      if (!Array.isArray(body)) return { kind: "error", error: "ticker list is not an array" };
      const { events, errors } = parseTickerList("upbit", body, frame.received_at);
      return events.length === 0 && errors.length > 0
        ? { kind: "error", error: errors[0] ?? "" }
        : { kind: "data", events };
    }
    if (frame.stream !== "ws") return { kind: "error", error: `unknown stream ${frame.stream}` };
    if (Array.isArray(body)) {
      const { events, errors } = parseTickerList("upbit", body, frame.received_at);
      return events.length === 0 && errors.length > 0
        ? { kind: "error", error: errors[0] ?? "" }
        : { kind: "data", events };
    }
    if (!isRecord(body)) return { kind: "error", error: "not an object" };
    if (body.status === "UP") return { kind: "control" };
    if (isRecord(body.error)) {
      return { kind: "error", error: `venue error ${String(body.error.name)}: ${String(body.error.message)}` };
    }
    const type = body.type ?? body.ty;
    if (type !== "ticker") return { kind: "error", error: `unknown message type ${String(type)}` };
    const parsed = parseUpbitStyleTicker("upbit", body, frame.received_at);
    if (parsed.ok === "skip") return { kind: "data", events: [] };
    if (parsed.ok === false) return { kind: "error", error: parsed.error };
    return { kind: "data", events: [parsed.event] };
  }

  private marketList(body: unknown): NormalizeResult {
    if (!Array.isArray(body)) {
      const name = isRecord(body) && isRecord(body.error) ? String(body.error.name) : "unexpected shape";
      return { kind: "error", error: `market list: ${name}` };
    }
    const events: IngestEvent[] = [];
    for (const row of body) {
      if (!isRecord(row)) continue;
      const code = toText(row.market);
      const market = code ? splitQuoteFirst(code) : null;
      if (market?.quote !== "KRW") continue;
      const asset = resolveBase("upbit", market.base);
      const korean = toText(row.korean_name);
      const english = toText(row.english_name);
      if (!asset || !korean || !english) continue;
      const coin: CoinEvent = {
        kind: "coin",
        base: asset.base,
        korean_name: korean,
        english_name: english,
        venue: "upbit",
        warnings: upbitWarnings(row),
      };
      events.push(coin);
    }
    return { kind: "data", events };
  }
}
