import type { FearGreedEvent } from "../../protocol/ingest";
import type { NormalizeResult, Normalizer, RawFrame } from "../core/frames";
import { isRecord, parseJson, toEpochMs, toNumber, toText } from "../core/parse";

/**
 * alternative.me `GET /fng/?limit=1`: `{data: [{value, value_classification, timestamp, time_until_update}],
 * metadata: {error}}`, every value a string, `timestamp` in seconds, newest first.
 */
export class FearGreedNormalizer implements Normalizer {
  normalize(frame: RawFrame): NormalizeResult {
    if (frame.stream !== "rest /fng/") return { kind: "error", error: `unknown stream ${frame.stream}` };
    const body = parseJson(frame.frame);
    if (!isRecord(body) || !Array.isArray(body.data)) return { kind: "error", error: "no data list" };
    if (isRecord(body.metadata) && body.metadata.error)
      return { kind: "error", error: `venue error ${String(body.metadata.error)}` };
    const newest = body.data[0];
    if (!isRecord(newest)) return { kind: "error", error: "empty data list" };
    const value = toNumber(newest.value);
    const classification = toText(newest.value_classification);
    const timestamp = toEpochMs(newest.timestamp, "s");
    if (value === undefined || !Number.isInteger(value) || !classification || timestamp === undefined) {
      return { kind: "error", error: "unreadable index entry" };
    }
    const event: FearGreedEvent = { kind: "fear_greed", value, classification, timestamp };
    return { kind: "data", events: [event] };
  }
}
