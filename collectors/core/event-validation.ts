import { eventTimeProblem, IngestEvent } from "../../protocol/ingest";

/** The share of the Worker's future allowance the collectors give an event (see `eventTimeProblem`). */
const COLLECTOR_FUTURE_SHARE = 0.5;

/** An event that passed the ingest schema, or why it did not. */
export type ValidatedEvent = { ok: true; event: IngestEvent } | { ok: false; error: string };

/**
 * Checks one normalised event against the ingest contract, its time included (against this process's
 * clock). The Worker rejects a batch whole when one event is invalid, so every event is checked here
 * and a bad one is dropped (and counted) alone.
 */
export function validateEvent(event: unknown, now = Date.now()): ValidatedEvent {
  const parsed = IngestEvent.safeParse(event);
  if (parsed.success) {
    const timeProblem = eventTimeProblem(parsed.data, now, COLLECTOR_FUTURE_SHARE);
    return timeProblem ? { ok: false, error: `timestamp: ${timeProblem}` } : { ok: true, event: parsed.data };
  }
  const issue = parsed.error.issues[0];
  return { ok: false, error: `${issue?.path.join(".") || "(event)"}: ${issue?.message ?? "invalid"}` };
}
