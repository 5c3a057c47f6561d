/**
 * A transparent HTTP proxy in front of the Worker for pusher tests: it records every request and
 * the Worker's answer, and can lose answers on the way back (the Worker applied the batch but the
 * collector never heard) to prove a retried batch is applied once. When the Worker is stopped, the
 * proxy cuts the connection, so the pusher sees an unreachable Worker.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";

/** One request that went through. */
export interface ProxiedRequest {
  body: string;
  /** The Worker's status, or 0 when the Worker was unreachable. */
  status: number;
  response: string;
  /** The answer was withheld from the client. */
  dropped: boolean;
}

export interface IngestProxy {
  url: string;
  readonly requests: ProxiedRequest[];
  /**
   * Withhold the next `n` answers (the request still reaches the Worker); with `method`, the next `n`
   * answers to requests of that method only (`POST`: ingest batches, not coverage queries).
   */
  dropResponses(n: number, method?: string): void;
  /**
   * Give the next request the `batch_id` of the last batch the Worker accepted (its body otherwise
   * unchanged): a batch id that collides with another batch's.
   */
  collideNextBatchId(): void;
  close(): Promise<void>;
}

export async function startIngestProxy(targetUrl: string): Promise<IngestProxy> {
  const requests: ProxiedRequest[] = [];
  let toDrop = 0;
  let dropMethod: string | undefined;
  let collide = false;
  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    let body = Buffer.concat(chunks).toString("utf8");
    const lastAccepted = requests.findLast((r) => r.status === 200);
    if (collide && lastAccepted) {
      collide = false;
      const batchId = (JSON.parse(lastAccepted.body) as { batch_id: string }).batch_id;
      body = JSON.stringify({ ...JSON.parse(body), batch_id: batchId });
    }
    try {
      const upstream = await fetch(`${targetUrl}${req.url ?? "/"}`, {
        method: req.method,
        headers: {
          "Content-Type": req.headers["content-type"] ?? "application/json",
          Authorization: req.headers.authorization ?? "",
        },
        body: req.method === "GET" ? undefined : body,
      });
      const response = await upstream.text();
      const dropped = toDrop > 0 && (dropMethod === undefined || req.method === dropMethod);
      if (dropped) toDrop--;
      requests.push({ body, status: upstream.status, response, dropped });
      if (dropped) {
        req.socket.destroy();
        return;
      }
      res.writeHead(upstream.status, { "Content-Type": upstream.headers.get("content-type") ?? "application/json" });
      res.end(response);
    } catch {
      requests.push({ body, status: 0, response: "", dropped: false });
      req.socket.destroy();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    dropResponses: (n, method) => {
      toDrop += n;
      dropMethod = method;
    },
    collideNextBatchId: () => {
      collide = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
