/**
 * A user's notification preferences: which channels each event type goes to (defaults for types they
 * never set), quiet hours in their time zone, and their locale (the profile's `locale` and `timezone`,
 * so there is one place for each).
 */
import type { NotificationEventType } from "../../protocol/events";
import { type Channel, DEFAULT_CHANNELS, type QuietHours } from "../../protocol/notifications";

/** The channels an event type goes to for a user whose stored choices are `events`. */
export function channelsFor(events: Partial<Record<string, Channel[]>>, type: NotificationEventType): Channel[] {
  return events[type] ?? DEFAULT_CHANNELS[type];
}

/** Every event type with its channels: the user's choices over the defaults. */
export function withDefaults(events: Partial<Record<string, Channel[]>>): Record<string, Channel[]> {
  return { ...DEFAULT_CHANNELS, ...events };
}

/** Whether `now` falls in the quiet hours, read on the clock of `timeZone` (a span may cross midnight). */
export function inQuietHours(quiet: QuietHours | null, timeZone: string, now: number): boolean {
  if (!quiet) return false;
  const clock = localClock(timeZone, now);
  return quiet.start < quiet.end
    ? clock >= quiet.start && clock < quiet.end
    : clock >= quiet.start || clock < quiet.end;
}

const clocks = new Map<string, Intl.DateTimeFormat>();

/** HH:MM (24 h) on the clock of a time zone. */
export function localClock(timeZone: string, now: number): string {
  let format = clocks.get(timeZone);
  if (!format) {
    format = new Intl.DateTimeFormat("en-GB", { timeZone, hour: "2-digit", minute: "2-digit", hourCycle: "h23" });
    clocks.set(timeZone, format);
  }
  return format.format(now);
}

/** Stored choices as JSON (unknown types and channels, e.g. from an older version, are dropped). */
export function parseEvents(json: string | null): Partial<Record<string, Channel[]>> {
  if (!json) return {};
  try {
    const value = JSON.parse(json) as Record<string, unknown>;
    const out: Partial<Record<string, Channel[]>> = {};
    for (const [type, channels] of Object.entries(value)) {
      if (type in DEFAULT_CHANNELS && Array.isArray(channels)) out[type] = channels as Channel[];
    }
    return out;
  } catch {
    return {};
  }
}
