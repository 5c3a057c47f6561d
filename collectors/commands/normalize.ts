import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { processFrame } from "../core/frame-processor";
import type { Normalizer } from "../core/frames";
import { parseJson } from "../core/parse";
import { RawFrameSchema } from "../core/raw-frame-schema";
import { FEEDS } from "../exchanges";

/** What `normalize` saw. */
export interface NormalizeSummary {
  lines: number;
  events: number;
  /** Lines that were not raw frames, frames not understood, unknown venues, invalid events. */
  problems: number;
}

/**
 * `normalize`: raw-frame JSON lines in (any venues, interleaved), ingest events as JSON lines out,
 * without a Worker. One normaliser per venue, fed in order, so stateful venues work. Every problem
 * (a garbage line, an unknown venue, a frame the adapter does not understand, an event failing the
 * schema) is reported on `errors` with its line number and skipped.
 */
export async function normalizeStream(input: Readable, output: Writable, errors: Writable): Promise<NormalizeSummary> {
  const normalizers = new Map<string, Normalizer>();
  const summary: NormalizeSummary = { lines: 0, events: 0, problems: 0 };
  const report = (line: number, message: string) => {
    summary.problems++;
    errors.write(`line ${line}: ${message}\n`);
  };
  const rl = createInterface({ input, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const text of rl) {
    summary.lines++;
    const n = summary.lines;
    if (text.trim() === "") continue;
    const parsed = RawFrameSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      report(n, `not a raw frame {venue, stream, received_at, frame}: ${text.slice(0, 80)}`);
      continue;
    }
    const frame = parsed.data;
    let normalizer = normalizers.get(frame.venue);
    if (!normalizer) {
      const feed = FEEDS.find((f) => f.venue === frame.venue);
      if (!feed) {
        report(n, `unknown venue "${frame.venue}"`);
        continue;
      }
      normalizer = feed.createNormalizer();
      normalizers.set(frame.venue, normalizer);
    }
    const { result, events, invalid } = processFrame(normalizer, frame);
    if (result.kind === "error") report(n, `${frame.venue} ${frame.stream}: ${result.error}`);
    for (const error of invalid) report(n, `${frame.venue}: event dropped, ${error}`);
    for (const event of events) {
      summary.events++;
      if (!output.write(`${JSON.stringify(event)}\n`)) await new Promise((r) => output.once("drain", r));
    }
  }
  return summary;
}
