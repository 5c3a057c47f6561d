/** The WebSocket helper against a server that rate-limits the handshake (429 with Retry-After). */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Feed } from "../../collectors/core/feed";
import { runFeed } from "../../collectors/core/feed-runner";
import { silentLogger } from "../../collectors/core/log";
import { MetricsRegistry } from "../../collectors/core/metrics";
import { runWebSocket } from "../../collectors/core/ws-connection";
import { waitUntil } from "./support/feed-harness";

const attempts: number[] = [];
const server = createServer();
server.on("upgrade", (_req, socket) => {
  attempts.push(Date.now());
  // The client may reset the connection before reading the refusal (it is aborted at the end, or
  // under load it gives up first): expected here, and not an error of the test.
  socket.on("error", () => {});
  socket.end("HTTP/1.1 429 Too Many Requests\r\nRetry-After: 1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
});
let url = "";
beforeAll(async () => {
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  url = `ws://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
});

describe("runWebSocket", () => {
  it("waits as long as a rate-limited handshake's Retry-After says before connecting again", async () => {
    const feed: Feed = {
      venue: "limited",
      description: "test",
      endpoints: { ws: url },
      createNormalizer: () => ({ normalize: () => ({ kind: "control" }) }),
      run: (ctx) => runWebSocket(ctx, { url: () => `${ctx.endpoints.ws}/stream`, silenceMs: 10_000 }),
    };
    const controller = new AbortController();
    const metrics = new MetricsRegistry();
    const done = runFeed(feed, {
      signal: controller.signal,
      sink: { events: () => {} },
      log: silentLogger,
      metrics,
      tuning: { backoff: { initialMs: 10, maxMs: 20 } },
    });
    try {
      await waitUntil(() => attempts.length >= 3, "three handshakes");
      expect(metrics.venue("limited").rateLimited).toBeGreaterThanOrEqual(2);
      expect((attempts[1] ?? 0) - (attempts[0] ?? 0)).toBeGreaterThanOrEqual(1000);
      expect((attempts[2] ?? 0) - (attempts[1] ?? 0)).toBeGreaterThanOrEqual(1000);
    } finally {
      controller.abort();
      await done;
    }
  });
});
