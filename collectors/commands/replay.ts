import { createReadStream } from "node:fs";
import { createInterface } from "node:readline";
import type { IngestEvent } from "../../protocol/ingest";
import type { CliOptions } from "../cli-options";
import { sleep } from "../core/abortable-sleep";
import { processFrame } from "../core/frame-processor";
import type { Normalizer } from "../core/frames";
import type { Logger } from "../core/log";
import { parseJson } from "../core/parse";
import { RawFrameSchema } from "../core/raw-frame-schema";
import { FEEDS } from "../exchanges";
import { Pusher } from "../pusher/pusher";
import { boardFilter } from "./run";

/** Moves an event's times by `shift` ms (a replay shown as if it were happening now). */
export function retime(event: IngestEvent, shift: number): IngestEvent {
  if (shift === 0 || event.kind === "coin") return event;
  const moved = { ...event, timestamp: event.timestamp + shift };
  if ("received_at" in moved && moved.received_at !== undefined) moved.received_at += shift;
  return moved;
}

/**
 * `replay FILE [--speed N]`: reads a recording, runs every frame through the same adapters as live
 * (one normaliser per venue), paces them by their `received_at` (divided by `speed`; 0 = no pauses),
 * and pushes with source `replay`. Times are shifted to now unless `--no-retime`. Resolves when every
 * event was acknowledged.
 */
export async function replayFile(
  opts: CliOptions,
  log: Logger,
  signal: AbortSignal,
): Promise<{ frames: number; events: number; problems: number }> {
  const file = opts.file as string;
  const pusher = new Pusher({
    workerUrl: opts.workerUrl,
    token: opts.token,
    source: "replay",
    log,
    flushIntervalMs: opts.flushIntervalMs,
    maxBatchEvents: opts.maxBatchEvents,
    spoolDirectory: opts.spoolDirectory,
  });
  pusher.start();
  const normalizers = new Map<string, Normalizer>();
  const counts = { frames: 0, events: 0, problems: 0 };
  let firstAt: number | undefined;
  let startedAt = Date.now();
  const rl = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
  let line = 0;
  for await (const text of rl) {
    if (signal.aborted) break;
    line++;
    if (text.trim() === "") continue;
    const parsed = RawFrameSchema.safeParse(parseJson(text));
    if (!parsed.success) {
      counts.problems++;
      log.warn("not a raw frame; skipped", { line });
      continue;
    }
    const frame = parsed.data;
    if (firstAt === undefined) {
      firstAt = frame.received_at;
      startedAt = Date.now();
    }
    if (opts.speed > 0) {
      const due = startedAt + (frame.received_at - firstAt) / opts.speed;
      if (due > Date.now()) await sleep(due - Date.now(), signal);
    }
    let normalizer = normalizers.get(frame.venue);
    if (!normalizer) {
      const feed = FEEDS.find((f) => f.venue === frame.venue);
      if (!feed) {
        counts.problems++;
        log.warn("unknown venue; skipped", { line, venue: frame.venue });
        continue;
      }
      normalizer = feed.createNormalizer();
      normalizers.set(frame.venue, normalizer);
    }
    counts.frames++;
    const { result, events } = processFrame(normalizer, frame);
    if (result.kind === "error") counts.problems++;
    const shift = opts.retime ? startedAt - firstAt : 0;
    const out = events.filter(boardFilter).map((e) => retime(e, shift));
    counts.events += out.length;
    pusher.push(out);
  }
  await Promise.race([pusher.idle(), new Promise((r) => signal.addEventListener("abort", r, { once: true }))]);
  await pusher.stop();
  return counts;
}
