/**
 * `POST /internal/ingest` for the benchmark's Node servers (the naive baseline and the conflated
 * peer): bearer token, the same zod schema as the Worker (`IngestBatch`), idempotent by `batch_id`
 * (a batch seen before is acknowledged with `duplicate: true` and applied no more).
 */
import type { IncomingMessage, ServerResponse } from "node:http";
import { IngestBatch, MAX_INGEST_BYTES } from "../protocol/ingest";

/** Writes a JSON response. */
export function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

/** A request handler that validates each batch and passes it to `apply` once. */
export function ingestHandler(
  token: string,
  apply: (batch: IngestBatch) => void,
): (req: IncomingMessage, res: ServerResponse) => void {
  const appliedBatches = new Set<string>();
  return (req, res) => {
    if (req.headers.authorization !== `Bearer ${token}`) {
      reply(res, 401, { title: "unauthorized" });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on("data", (c: Buffer) => {
      size += c.length;
      if (size <= MAX_INGEST_BYTES) chunks.push(c);
    });
    req.on("end", () => {
      if (size > MAX_INGEST_BYTES) {
        reply(res, 400, { title: "too large" });
        return;
      }
      let parsed: ReturnType<typeof IngestBatch.safeParse>;
      try {
        parsed = IngestBatch.safeParse(JSON.parse(Buffer.concat(chunks).toString("utf8")));
      } catch {
        reply(res, 400, { title: "not JSON" });
        return;
      }
      if (!parsed.success) {
        reply(res, 400, { title: "invalid", issues: parsed.error.issues });
        return;
      }
      const batch = parsed.data;
      const duplicate = appliedBatches.has(batch.batch_id);
      if (!duplicate) {
        appliedBatches.add(batch.batch_id);
        apply(batch);
      }
      reply(res, 200, { batch_id: batch.batch_id, accepted: batch.events.length, duplicate });
    });
  };
}
