import { IngestEvent } from "../../protocol/ingest";

/** An event that passed the ingest schema, or why it did not. */
export type ValidatedEvent = { ok: true; event: IngestEvent } | { ok: false; error: string };

/**
 * Checks one normalised event against the ingest contract. The Worker rejects a batch whole when one
 * event is invalid, so every event is checked here and a bad one is dropped (and counted) alone.
 */
export function validateEvent(event: unknown): ValidatedEvent {
  const parsed = IngestEvent.safeParse(event);
  if (parsed.success) return { ok: true, event: parsed.data };
  const issue = parsed.error.issues[0];
  return { ok: false, error: `${issue?.path.join(".") || "(event)"}: ${issue?.message ?? "invalid"}` };
}
