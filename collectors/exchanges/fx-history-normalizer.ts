import type { FxHistoryEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toPositive } from "../core/parse";

/** The provider named in every forex history event. */
export const FRANKFURTER_PROVIDER = "frankfurter (ECB reference rate)";

const TIME_SERIES = /^rest \/v1\/\d{4}-\d{2}-\d{2}\.\.(\d{4}-\d{2}-\d{2})?$/;

/**
 * USD/KRW history from Frankfurter's time series (`GET /v1/{start}..{end}?base=USD&symbols=KRW`, the
 * ECB's reference rates): `{amount, base, start_date, end_date, rates: {"2025-01-02": {"KRW": n}, ...}}`,
 * one entry per ECB working day (none on weekends and TARGET holidays). Each becomes the day's rate
 * (per one dollar), dated 00:00 UTC of that day.
 */
export class FxHistoryNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    if (!TIME_SERIES.test(frame.stream)) return { kind: "error", error: `unknown stream ${frame.stream}` };
    const body = parseJson(frame.frame);
    if (!isRecord(body) || body.base !== "USD" || !isRecord(body.rates)) {
      return { kind: "error", error: "not a USD time series" };
    }
    const amount = toPositive(body.amount) ?? 1;
    const events: FxHistoryEvent[] = [];
    for (const [date, rates] of Object.entries(body.rates)) {
      const day = /^\d{4}-\d{2}-\d{2}$/.test(date) ? Date.parse(`${date}T00:00:00Z`) : Number.NaN;
      const krw = isRecord(rates) ? toPositive(rates.KRW) : undefined;
      if (Number.isNaN(day) || krw === undefined) continue;
      events.push({
        kind: "fx_history",
        pair: "USD/KRW",
        day,
        rate: krw / amount,
        provider: FRANKFURTER_PROVIDER,
        timestamp: Math.round(frame.received_at),
      });
    }
    return { kind: "data", events: events.sort((a, b) => a.day - b.day) };
  }
}
