import { readFileSync } from "node:fs";
import type { RawFrame } from "../../../collectors/core/frames";

const DIR = new URL("../fixtures/venues/", import.meta.url);

/** A venue sample's text, as stored (test/collectors/fixtures/venues, copied from the shared samples). */
export function fixtureText(name: string): string {
  return readFileSync(new URL(name, DIR), "utf8");
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
