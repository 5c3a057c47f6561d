import type { FxEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toEpochMs, toPositive, toText } from "../core/parse";

/**
 * USD/KRW. Dunamu's `GET /v1/forex/recent?codes=FRX.KRWUSD` (an array; `basePrice` per `currencyUnit`
 * dollars; `timestamp` ms; `provider` the bank, usually Hana Bank's notice rate) and, as the fallback,
 * Frankfurter's `GET /v1/latest?from=USD&to=KRW` (ECB reference rate, daily: `{amount, base, date,
 * rates: {KRW}}`, timed at the ECB's 16:00 CET publication, never later than its receipt).
 */
export class FxNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    const body = parseJson(frame.frame);
    if (body === undefined) return { kind: "error", error: "not JSON" };
    if (frame.stream === "rest /v1/forex/recent") {
      const row = Array.isArray(body) ? body.find((r) => isRecord(r) && r.code === "FRX.KRWUSD") : undefined;
      if (!isRecord(row)) return { kind: "error", error: "no FRX.KRWUSD row" };
      const price = toPositive(row.basePrice);
      const unit = toPositive(row.currencyUnit) ?? 1;
      if (price === undefined) return { kind: "error", error: "no basePrice" };
      const event: FxEvent = {
        kind: "fx",
        pair: "USD/KRW",
        rate: price / unit,
        provider: `dunamu (${toText(row.provider) ?? "unknown bank"})`.slice(0, 64),
        timestamp: toEpochMs(row.timestamp) ?? Math.round(frame.received_at),
      };
      return { kind: "data", events: [event] };
    }
    if (frame.stream === "rest /v1/latest") {
      if (!isRecord(body) || body.base !== "USD" || !isRecord(body.rates))
        return { kind: "error", error: "not a USD rate" };
      const krw = toPositive(body.rates.KRW);
      const amount = toPositive(body.amount) ?? 1;
      const date = toText(body.date);
      if (krw === undefined || !date) return { kind: "error", error: "no KRW rate" };
      const published = Date.parse(`${date}T15:00:00Z`);
      const event: FxEvent = {
        kind: "fx",
        pair: "USD/KRW",
        rate: krw / amount,
        provider: "frankfurter (ECB reference rate)",
        timestamp: Number.isNaN(published)
          ? Math.round(frame.received_at)
          : Math.min(published, Math.round(frame.received_at)),
      };
      return { kind: "data", events: [event] };
    }
    return { kind: "error", error: `unknown stream ${frame.stream}` };
  }
}
