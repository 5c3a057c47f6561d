import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Source } from "../protocol/common";
import type { MetricsRegistry } from "./core/metrics";

/** How long every feed may be silent before `/health` says 503 (a restart might help then). */
const ALL_SILENT_MS = 5 * 60_000;

/** The collectors' own HTTP endpoints: `GET /health` (JSON) and `GET /metrics` (Prometheus text). */
export async function startOpsServer(
  metrics: MetricsRegistry,
  info: { source: Source; startedAt: number },
  port: number,
  host = "0.0.0.0",
): Promise<{ server: Server; port: number; close(): Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const now = Date.now();
    if (req.method === "GET" && path === "/metrics") {
      res.writeHead(200, { "Content-Type": "text/plain; version=0.0.4; charset=utf-8" });
      res.end(metrics.render(now));
      return;
    }
    if (req.method === "GET" && path === "/health") {
      const venues = Object.fromEntries(
        metrics.allVenues().map((v) => [
          v.venue,
          {
            connected: v.connected,
            last_message_age_ms: v.lastMessageAt ? now - v.lastMessageAt : null,
            messages: v.messages,
            parse_errors: v.parseErrors,
            reconnects: v.reconnects,
          },
        ]),
      );
      const p = metrics.pusherStats();
      const newest = Math.max(info.startedAt, ...metrics.allVenues().map((v) => v.lastMessageAt));
      const allSilent = now - newest > ALL_SILENT_MS;
      const workerDown = p ? !p.workerReachable : false;
      const status = allSilent ? "failing" : workerDown ? "degraded" : "ok";
      res.writeHead(allSilent ? 503 : 200, { "Content-Type": "application/json" });
      res.end(
        JSON.stringify({
          status,
          source: info.source,
          uptime_s: Math.round((now - info.startedAt) / 1000),
          venues,
          pusher: p && {
            worker_reachable: p.workerReachable,
            last_success_age_ms: p.lastSuccessAt ? now - p.lastSuccessAt : null,
            buffered_tickers: p.bufferedTickers,
            buffered_ordered: p.bufferedOrdered,
            spooled_events: p.spooledEvents,
            batches_applied: p.batchesOk,
            batches_duplicate: p.batchesDuplicate,
            batches_rejected: p.batchesRejected,
          },
          timestamp: now,
        }),
      );
      return;
    }
    res.writeHead(404, { "Content-Type": "application/problem+json" });
    res.end(
      JSON.stringify({ type: "about:blank", title: "Not Found", status: 404, detail: "try /health or /metrics" }),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => resolve());
  });
  return {
    server,
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
