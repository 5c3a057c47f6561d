/**
 * The gateway as a client meets it over a real HTTP connection (wrangler dev: workerd behind its
 * dev proxy), for what only shows on the wire: a refused body must not take the keep-alive
 * connection down with it, a private stream's client closing must not be an error in the Worker's
 * log, and a client that does not ask for gzip (plain `curl`) must not get it.
 */
import http from "node:http";
import { gunzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type IngestBatch, MAX_INGEST_BYTES } from "../../protocol/ingest";
import { startWorker, type WorkerProcess } from "../support/worker-process";

let worker: WorkerProcess;
beforeAll(async () => {
  worker = await startWorker();
}, 120_000);
afterAll(async () => {
  await worker?.dispose();
});

interface Answer {
  status: number;
  body: string;
  /** The local port of the TCP connection that carried the request. */
  via: number;
}

/** One request on `agent` (one socket, kept alive); `chunks` of 64 KiB are streamed with no Content-Length. */
function request(agent: http.Agent, path: string, init: { method?: string; chunks?: number; token?: string } = {}) {
  return new Promise<Answer>((resolve, reject) => {
    const req = http.request(
      {
        host: "127.0.0.1",
        port: worker.port,
        path,
        method: init.method ?? "GET",
        agent,
        headers: {
          "Content-Type": "application/json",
          ...(init.token ? { Authorization: `Bearer ${init.token}` } : {}),
        },
      },
      (res) => {
        const via = res.socket.localPort ?? -1;
        let body = "";
        res.setEncoding("utf8").on("data", (d: string) => {
          body += d;
        });
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body, via }));
      },
    );
    req.setTimeout(20_000, () => req.destroy(new Error(`no answer to ${path} within 20 s`)));
    req.on("error", reject);
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x20);
    const write = () => {
      while (sent < (init.chunks ?? 0)) {
        sent++;
        if (!req.write(chunk)) return void req.once("drain", write);
      }
      req.end();
    };
    write();
  });
}

describe("the gateway over HTTP", () => {
  for (const [path, chunks, limit] of [
    ["/api/auth/register", 48, "16384"],
    ["/internal/ingest", 48, String(MAX_INGEST_BYTES)],
  ] as const) {
    it(`answers a streamed body over the limit on ${path} with 413 and keeps the connection usable`, async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      try {
        const refused = await request(agent, path, { method: "POST", chunks, token: worker.token });
        expect(refused.status).toBe(413);
        expect(JSON.parse(refused.body)).toMatchObject({ status: 413, detail: expect.stringContaining(limit) });
        const next = await request(agent, "/health");
        expect(next.status).toBe(200);
        // Answered (a hung connection would time the request out) on the same connection.
        expect(next.via).toBe(refused.via);
      } finally {
        agent.destroy();
      }
    }, 60_000);
  }

  it("lets a client close its private stream without an error in the Worker's log", async () => {
    const email = `close-${Date.now()}@example.com`;
    const password = `Kimchi ${crypto.randomUUID().slice(0, 12)} Premium`;
    const post = (path: string, body: string, headers: Record<string, string>) =>
      fetch(`${worker.url}${path}`, { method: "POST", headers, body });
    expect(
      (
        await post("/api/auth/register", JSON.stringify({ email, username: "closer", password }), {
          "Content-Type": "application/json",
        })
      ).status,
    ).toBe(201);
    const signIn = await post("/api/auth/token", new URLSearchParams({ username: email, password }).toString(), {
      "Content-Type": "application/x-www-form-urlencoded",
    });
    const { access_token } = (await signIn.json()) as { access_token: string };
    for (let i = 0; i < 3; i++) {
      const ticketRes = await fetch(`${worker.url}/api/auth/ws-ticket`, {
        method: "POST",
        headers: { Authorization: `Bearer ${access_token}` },
      });
      const { ticket } = (await ticketRes.json()) as { ticket: string };
      const ws = new WebSocket(`${worker.url.replace("http", "ws")}/ws/user?ticket=${ticket}`);
      await new Promise((resolve, reject) => {
        ws.once("message", resolve);
        ws.once("error", reject);
      });
      const closed = new Promise((resolve) => ws.once("close", resolve));
      // Once cleanly, then twice the way a browser tab that goes away does: the connection just ends.
      if (i === 0) ws.close(1000, "bye");
      else ws.terminate();
      await closed;
    }
    await new Promise((r) => setTimeout(r, 1_500));
    expect(worker.logs()).not.toMatch(/Uncaught|Network connection lost/);
  }, 60_000);
});

/** A GET as a bare HTTP client sends it: only the headers given (Node adds no Accept-Encoding). */
function rawGet(path: string, headers: Record<string, string> = {}) {
  return new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
    const req = http.get({ host: "127.0.0.1", port: worker.port, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (d: Buffer) => chunks.push(d));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.setTimeout(20_000, () => req.destroy(new Error(`no answer to ${path} within 20 s`)));
    req.on("error", reject);
  });
}

describe("content encoding over HTTP", () => {
  beforeAll(async () => {
    const now = Date.now();
    const tick = (venue: string, quote: string, price: number) => ({
      kind: "ticker",
      venue,
      base: "BTC",
      quote,
      venue_symbol: `${quote}-BTC`,
      price,
      change_percent: 1,
      volume: 10,
      quote_volume: 10 * price,
      timestamp: now,
    });
    const batch = {
      batch_id: crypto.randomUUID(),
      source: "simulated",
      sent_at: now,
      events: [tick("upbit", "KRW", 140_000_000), tick("binance", "USDT", 97_000)],
    } as IngestBatch;
    const res = await fetch(`${worker.url}/internal/ingest`, {
      method: "POST",
      headers: { "Content-Type": "application/json", Authorization: `Bearer ${worker.token}` },
      body: JSON.stringify(batch),
    });
    expect(res.status).toBe(200);
  });

  it("answers identity JSON on every public GET route to a client that sends no Accept-Encoding", async () => {
    const doc = JSON.parse((await rawGet("/openapi.json")).body.toString("utf8")) as {
      paths: Record<string, { get?: { security?: unknown[] } }>;
    };
    const paths = Object.entries(doc.paths)
      .filter(
        ([path, item]) => item.get && !item.get.security && path.startsWith("/api/") && !path.includes("{user_id}"),
      )
      .map(([path]) => path.replace("{symbol}", "BTC").replace("{id}", "none"));
    expect(paths).toContain("/api/coins/latest");
    for (const path of paths) {
      const res = await rawGet(path);
      expect({ path, encoding: res.headers["content-encoding"] }).toEqual({ path, encoding: undefined });
      expect(() => JSON.parse(res.body.toString("utf8")), path).not.toThrow();
    }
  }, 60_000);

  it("still answers gzip with an ETag to a client that asks for it, and identity to one that refuses it", async () => {
    const gz = await rawGet("/api/coins/latest", { "Accept-Encoding": "gzip, deflate" });
    expect(gz.headers["content-encoding"]).toBe("gzip");
    expect(gz.headers.etag).toMatch(/^"/);
    const body = JSON.parse(gunzipSync(gz.body).toString("utf8")) as { coins: { symbol: string }[] };
    expect(body.coins.map((c) => c.symbol)).toContain("BTC");
    const refused = await rawGet("/api/coins/latest", { "Accept-Encoding": "gzip;q=0, identity" });
    expect(refused.headers["content-encoding"]).toBeUndefined();
    expect(JSON.parse(refused.body.toString("utf8")).coins.length).toBeGreaterThan(0);
  });
});
