import { exports } from "cloudflare:workers";
import type { IngestBatch, IngestEvent } from "../../../protocol/ingest";

export const TOKEN = "test-collector-token";

/** A batch around the given events, with a fresh id. */
export function batchOf(events: IngestEvent[], overrides: Partial<IngestBatch> = {}): IngestBatch {
  return { batch_id: crypto.randomUUID(), source: "live", sent_at: Date.now(), events, ...overrides };
}

/** POSTs a body to /internal/ingest as the collectors would. */
export function postIngest(body: unknown, init: { token?: string | null; raw?: boolean } = {}): Promise<Response> {
  const headers: Record<string, string> = { "Content-Type": "application/json" };
  const token = init.token === undefined ? TOKEN : init.token;
  if (token !== null) headers.Authorization = `Bearer ${token}`;
  return exports.default.fetch("http://gateway/internal/ingest", {
    method: "POST",
    headers,
    body: init.raw ? (body as string) : JSON.stringify(body),
  });
}

/** GETs a JSON path from the gateway. */
export async function getJson<T = unknown>(path: string): Promise<{ status: number; body: T }> {
  const res = await exports.default.fetch(`http://gateway${path}`);
  return { status: res.status, body: (await res.json()) as T };
}

/**
 * Delivers every coin's pending history to its MarketSymbol now (in production this happens within
 * about a second): runs the board's delivery alarm until the outbox is empty. A delivery round the
 * board started on its own (its real alarm or its timer for watched coins) may still be in flight
 * when no alarm is scheduled, so the outbox itself is the condition waited for, not the alarm.
 */
export async function deliverCoinUpdates(): Promise<void> {
  const { runDurableObjectAlarm } = await import("cloudflare:test");
  const { env } = await import("cloudflare:workers");
  const { marketBoard } = await import("../../../durable-objects/addresses");
  const board = marketBoard(env);
  const deadline = Date.now() + 10_000;
  while ((await board.pendingSymbolUpdates()) > 0) {
    if (Date.now() > deadline) throw new Error("the board's outbox did not empty within 10 s");
    if (!(await runDurableObjectAlarm(board))) await new Promise((r) => setTimeout(r, 10));
  }
}
