import type { IngestEvent } from "../../protocol/ingest";
import { validateEvent } from "./event-validation";
import type { NormalizeResult, Normalizer, RawFrame } from "./frames";
import { errorMessage } from "./log";

/** What one frame became: the normaliser's verdict, the valid events, and why others were dropped. */
export interface ProcessedFrame {
  result: NormalizeResult;
  events: IngestEvent[];
  invalid: string[];
}

/**
 * Runs one frame through a normaliser and the ingest schema: the single path shared by live feeds,
 * replay and the `normalize` command. A normaliser that throws is reported as a parse error. Event
 * times are judged against when the frame was received (for a live feed, now; for a recording, when
 * it was recorded).
 */
export function processFrame(normalizer: Normalizer, frame: RawFrame): ProcessedFrame {
  let result: NormalizeResult;
  try {
    result = normalizer.normalize(frame);
  } catch (error) {
    result = { kind: "error", error: `normaliser threw: ${errorMessage(error)}` };
  }
  if (result.kind !== "data") return { result, events: [], invalid: [] };
  const events: IngestEvent[] = [];
  const invalid: string[] = [...(result.dropped ?? [])];
  for (const e of result.events) {
    const checked = validateEvent(e, frame.received_at);
    if (checked.ok) events.push(checked.event);
    else invalid.push(checked.error);
  }
  return { result, events, invalid };
}

/** A short, single-line excerpt of a frame for logs. */
export function excerpt(text: string, max = 160): string {
  const flat = text.replace(/\s+/g, " ");
  return flat.length > max ? `${flat.slice(0, max)}...` : flat;
}
