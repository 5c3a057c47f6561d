import { readFileSync } from "node:fs";
import type { RawFrame } from "../../../collectors/core/frames";

const DIR = new URL("../fixtures/venues/", import.meta.url);

/** A venue sample's text, as stored (test/collectors/fixtures/venues, copied from the shared samples). */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, DIR), "utf8");
}

const CANDLE_DIR = new URL("../fixtures/candles/", import.meta.url);

/** A venue candle answer as compact JSON text (test/collectors/fixtures/candles; sources in its README). */
export function candleFixture(name: string): string {
  return JSON.stringify(JSON.parse(readFileSync(new URL(name, CANDLE_DIR), "utf8")));
}

/** A venue sample as compact JSON text (what the wire carries). */
export function fixtureFrame(name: string): string {
  return JSON.stringify(JSON.parse(fixtureText(name)));
}

/** A sample parsed. */
export function fixtureJson<T = unknown>(name: string): T {
  return JSON.parse(fixtureText(name)) as T;
}

/** A raw frame around a text. */
export function frameOf(venue: string, stream: string, frame: string, receivedAt = 1_763_700_000_000): RawFrame {
  return { venue, stream, received_at: receivedAt, frame };
}

// --- samples as if sent at another time -----------------------------------------------------------
// The samples were recorded years ago, and events older than their kind allows (a day for a ticker)
// are dropped; a live feed judges them against now, so a test feeding one moves its times first.

/** One replacement in a sample's compact text: every occurrence of `from` becomes `to`. */
export type SampleEdit = readonly [from: string | number, to: string | number];

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/**
 * A venue sample (compact JSON text) with some of its own values replaced, typically the several
 * fields that carry its time (`[1708410689000, at]`, `['"date":"2024-02-20"', '"date":"…"']`). All the
 * replacements are made in one pass, so one's result is never taken for another's `from`; a `from`
 * the sample does not hold is a mistake in the test and throws.
 */
export function fixtureFrameWith(name: string, edits: readonly SampleEdit[]): string {
  const text = fixtureFrame(name);
  const to = new Map(edits.map(([from, value]) => [String(from), String(value)]));
  for (const from of to.keys()) if (!text.includes(from)) throw new Error(`${name} does not hold ${from}`);
  if (to.size === 0) return text;
  const pattern = new RegExp(
    [...to.keys()]
      .sort((a, b) => b.length - a.length)
      .map(escapeRegExp)
      .join("|"),
    "g",
  );
  return text.replace(pattern, (match) => to.get(match) ?? match);
}

/**
 * A venue sample as if the venue sent it at `at`: every occurrence of the sample's own event time
 * `sampleTime` is replaced (the samples were recorded years ago; events older than a day are dropped).
 */
export function fixtureFrameAt(name: string, sampleTime: number, at: number): string {
  return fixtureFrameWith(name, [[sampleTime, at]]);
}

/** Korea's offset from UTC in hours: the Korean venues and banks write their dates and clocks in KST. */
export const KST = 9;

/** A time as a calendar date `YYYY-MM-DD` and a clock `HH:MM:SS` at a UTC offset in hours. */
export function wallClock(ms: number, offsetHours = 0): { date: string; time: string } {
  const iso = new Date(ms + offsetHours * 3_600_000).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 19) };
}

/** A time in whole epoch seconds, as alternative.me writes it. */
export function epochSeconds(ms: number): number {
  return Math.floor(ms / 1000);
}

/**
 * Dunamu's USD/KRW sample (Hana Bank's notice of 2024-02-20 15:31:14 KST, stored 15 s later) as if
 * published at `at`: its epoch `timestamp`, its KST `date` and `time`, and its `modifiedAt`.
 */
export function dunamuSampleAt(at: number): string {
  const notice = wallClock(at - 15_000, KST);
  return fixtureFrameWith("dunamu-forex-recent-krwusd.json", [
    ['"timestamp":1708410689000', `"timestamp":${at}`],
    ['"date":"2024-02-20"', `"date":"${notice.date}"`],
    ['"time":"15:31:14"', `"time":"${notice.time}"`],
    [
      '"modifiedAt":"2024-02-20T06:31:29.000+00:00"',
      `"modifiedAt":"${new Date(at).toISOString().replace("Z", "+00:00")}"`,
    ],
  ]);
}
