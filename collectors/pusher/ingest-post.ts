import { randomUUID } from "node:crypto";
import type { Source } from "../../protocol/common";
import { parseRetryAfter } from "../core/http-errors";
import { errorMessage } from "../core/log";

/** Where and how batches are posted: the Worker's base URL, `COLLECTOR_TOKEN`, the per-request timeout. */
export interface IngestTarget {
  workerUrl: string;
  token: string;
  /** Per-request timeout (ms). Default 10 000. */
  requestTimeoutMs?: number;
}

/** One batch as it goes on the wire: its id and the body every retry of it sends unchanged. */
export interface EncodedBatch {
  batchId: string;
  body: string;
}

/** What one POST of a batch came to. */
export type PostOutcome =
  /** Applied (or applied before: `duplicate`). */
  | { kind: "acknowledged"; duplicate: boolean; latencySeconds: number }
  /** 400/413: the Worker will never take this batch. */
  | { kind: "rejected"; status: number; detail: string }
  /** 409: the id is known with another body; nothing of this batch was applied. */
  | { kind: "conflict" }
  /** Anything else: retry later (at least `retryAfterMs` when the Worker said so). */
  | { kind: "failed"; reason: string; unreachable: boolean; refused: boolean; retryAfterMs?: number };

/**
 * A batch around events already serialised as JSON (each fragment one or more events joined by
 * commas): a fresh id, `sent_at` now, and a body that stays the same on every retry.
 */
export function encodeBatch(source: Source, eventFragments: readonly string[]): EncodedBatch {
  const batchId = randomUUID();
  const body = `{"batch_id":${JSON.stringify(batchId)},"source":${JSON.stringify(source)},"sent_at":${Date.now()},"events":[${eventFragments.join(",")}]}`;
  return { batchId, body };
}

/** The `Authorization` header of the collector token. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}

/** POSTs one batch to `/internal/ingest` once and says what came of it (never throws). */
export async function postBatch(target: IngestTarget, batch: EncodedBatch, signal: AbortSignal): Promise<PostOutcome> {
  const started = performance.now();
  let res: Response;
  try {
    res = await fetch(`${target.workerUrl.replace(/\/+$/, "")}/internal/ingest`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: bearer(target.token) },
      body: batch.body,
      signal: AbortSignal.any([signal, AbortSignal.timeout(target.requestTimeoutMs ?? 10_000)]),
    });
  } catch (error) {
    return {
      kind: "failed",
      reason: `the Worker is unreachable: ${errorMessage(error)}`,
      unreachable: true,
      refused: false,
    };
  }
  const text = await res.text().catch(() => "");
  if (res.ok) {
    let duplicate = false;
    try {
      duplicate = (JSON.parse(text) as { duplicate?: boolean }).duplicate === true;
    } catch {
      // an unreadable ack is still an ack
    }
    return { kind: "acknowledged", duplicate, latencySeconds: (performance.now() - started) / 1000 };
  }
  if (res.status === 400 || res.status === 413) return { kind: "rejected", status: res.status, detail: text };
  if (res.status === 409) return { kind: "conflict" };
  if (res.status === 401 || res.status === 403) {
    return {
      kind: "failed",
      reason: "the Worker refused the token (check COLLECTOR_TOKEN / --token)",
      unreachable: false,
      refused: true,
    };
  }
  return {
    kind: "failed",
    reason: `the Worker answered HTTP ${res.status}`,
    unreachable: false,
    refused: false,
    retryAfterMs: parseRetryAfter(res.headers.get("retry-after")),
  };
}
