/**
 * The baseline: what a team writes first. A plain Node `ws` server that takes the same ingest
 * batches over HTTP (`POST /internal/ingest`, bearer token, the same zod schema, idempotent by
 * `batch_id`) and forwards every ticker event, as it comes, to every subscriber of `/ws/market`
 * (`?symbols=A,B` narrows a subscriber to some coins). No conflation, no backpressure.
 *
 * Run as its own process: `node --import tsx bench/baseline-server.ts <port> <token>`; it prints
 * `listening <port>` when ready.
 */
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import { IngestBatch, MAX_INGEST_BYTES } from "../protocol/ingest";

const port = Number(process.argv[2] ?? 0);
const token = process.argv[3] ?? "";

interface Subscriber {
  ws: WebSocket;
  symbols: Set<string> | null;
}

const subscribers = new Set<Subscriber>();
const appliedBatches = new Set<string>();

function reply(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify(body));
}

function ingest(req: IncomingMessage, res: ServerResponse): void {
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
      for (const event of batch.events) {
        if (event.kind !== "ticker") continue;
        const message = JSON.stringify({ type: "tick", data: event });
        for (const s of subscribers) {
          if (s.symbols === null || s.symbols.has(event.base)) s.ws.send(message);
        }
      }
    }
    reply(res, 200, { batch_id: batch.batch_id, accepted: batch.events.length, duplicate });
  });
}

const server = createServer((req, res) => {
  if (req.method === "POST" && req.url === "/internal/ingest") ingest(req, res);
  else if (req.url === "/health") reply(res, 200, { status: "ok" });
  else reply(res, 404, { title: "not found" });
});

const wss = new WebSocketServer({ server, path: "/ws/market" });
wss.on("connection", (ws, req) => {
  const query = new URL(req.url ?? "/", "http://localhost").searchParams.get("symbols");
  const subscriber: Subscriber = { ws, symbols: query ? new Set(query.split(",")) : null };
  subscribers.add(subscriber);
  ws.on("close", () => subscribers.delete(subscriber));
  ws.on("error", () => subscribers.delete(subscriber));
});

server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  console.log(`listening ${typeof address === "object" && address ? address.port : port}`);
});
