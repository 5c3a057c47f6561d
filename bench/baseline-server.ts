/**
 * The baseline: what a team writes first. A plain Node `ws` server that takes the same ingest
 * batches over HTTP (`POST /internal/ingest`, bearer token, the same zod schema, idempotent by
 * `batch_id`; see node-ingest.ts) and forwards every ticker event, as it comes, to every subscriber
 * of `/ws/market` (`?symbols=A,B` narrows a subscriber to some coins). No conflation, no backpressure.
 *
 * Run as its own process: `node --import tsx bench/baseline-server.ts <port> <token>`; it prints
 * `listening <port>` when ready.
 */
import { createServer } from "node:http";
import { type WebSocket, WebSocketServer } from "ws";
import type { IngestBatch } from "../protocol/ingest";
import { ingestHandler, reply } from "./node-ingest";

const port = Number(process.argv[2] ?? 0);
const token = process.argv[3] ?? "";

interface Subscriber {
  ws: WebSocket;
  symbols: Set<string> | null;
}

const subscribers = new Set<Subscriber>();

function forward(batch: IngestBatch): void {
  for (const event of batch.events) {
    if (event.kind !== "ticker") continue;
    const message = JSON.stringify({ type: "tick", data: event });
    for (const s of subscribers) {
      if (s.symbols === null || s.symbols.has(event.base)) s.ws.send(message);
    }
  }
}

const ingest = ingestHandler(token, forward);
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
