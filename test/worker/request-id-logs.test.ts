/**
 * Every answer carries a request id (`X-Request-Id`: the client's, else `cf-ray`, else a new UUID),
 * problem bodies too; each request logs one JSON line; the id reaches the objects' own log lines.
 */
import { exports } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { RequestLogLine } from "../../workers/middleware/request-log";
import { batchOf, postIngest } from "./support/ingest";
import { newTrader, placeOrder, setPrices } from "./support/trading";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** The JSON lines logged with `console.log` while `run` ran. */
async function logged<T>(run: () => Promise<T>): Promise<{ result: T; lines: Record<string, unknown>[] }> {
  const spy = vi.spyOn(console, "log");
  const result = await run();
  const lines = spy.mock.calls.flatMap(([first]) => {
    try {
      return typeof first === "string" ? [JSON.parse(first) as Record<string, unknown>] : [];
    } catch {
      return [];
    }
  });
  spy.mockRestore();
  return { result, lines };
}

afterEach(() => vi.restoreAllMocks());

describe("request ids", () => {
  it("makes a UUID when the request has none", async () => {
    const res = await exports.default.fetch("http://gateway/health");
    expect(res.headers.get("X-Request-Id")).toMatch(UUID);
  });

  it("echoes the client's X-Request-Id, else Cloudflare's cf-ray", async () => {
    const given = await exports.default.fetch("http://gateway/health", {
      headers: { "X-Request-Id": "client-req-42", "cf-ray": "8f00aa11bb22cc33-ICN" },
    });
    expect(given.headers.get("X-Request-Id")).toBe("client-req-42");
    const ray = await exports.default.fetch("http://gateway/health", { headers: { "cf-ray": "8f00aa11bb22cc33-ICN" } });
    expect(ray.headers.get("X-Request-Id")).toBe("8f00aa11bb22cc33-ICN");
  });

  it("ignores a client id that is not id-like (so nothing odd is echoed or logged)", async () => {
    const res = await exports.default.fetch("http://gateway/health", { headers: { "X-Request-Id": "a b<script>" } });
    expect(res.headers.get("X-Request-Id")).toMatch(UUID);
  });

  it("puts the id in error answers: the header and the problem's request_id", async () => {
    const missing = await exports.default.fetch("http://gateway/api/no-such-thing", {
      headers: { "X-Request-Id": "trace-404" },
    });
    expect(missing.status).toBe(404);
    expect(missing.headers.get("X-Request-Id")).toBe("trace-404");
    expect(await missing.json()).toMatchObject({ status: 404, request_id: "trace-404" });

    const refused = await postIngest({ batch_id: "not-a-batch" });
    expect(refused.status).toBe(400);
    const id = refused.headers.get("X-Request-Id");
    expect(id).toMatch(UUID);
    expect(await refused.json()).toMatchObject({ status: 400, request_id: id });
  });
});

describe("request logs", () => {
  it("logs one JSON line per request: method, route pattern, status, ms, request id", async () => {
    const { lines } = await logged(() =>
      exports.default.fetch("http://gateway/api/prices/NOSUCHCOIN", { headers: { "X-Request-Id": "log-shape-1" } }),
    );
    const requestLines = lines.filter((l) => l.msg === "request" && l.request_id === "log-shape-1");
    expect(requestLines).toHaveLength(1);
    const line = requestLines[0] as unknown as RequestLogLine;
    expect(line).toEqual({
      msg: "request",
      request_id: "log-shape-1",
      method: "GET",
      route: "/api/prices/:symbol",
      status: 404,
      ms: expect.any(Number),
    });
    expect(line.ms).toBeGreaterThanOrEqual(0);
  });

  it("names the user of an authenticated request, and the ledger logs the order with the same id", async () => {
    const trader = await newTrader("request-log");
    await setPrices("BTC", { upbit: 100_000_000 });
    const { result, lines } = await logged(() =>
      placeOrder(
        trader,
        { symbol: "BTC/KRW", venue: "upbit", side: "BUY", order_type: "MARKET", quantity: 0.001 },
        { "X-Request-Id": "order-trace-1" },
      ),
    );
    expect(result.status).toBe(201);
    const mine = lines.filter((l) => l.request_id === "order-trace-1");
    expect(mine.find((l) => l.msg === "request")).toMatchObject({
      route: "/api/orders",
      method: "POST",
      status: 201,
      user_id: trader.userId,
    });
    expect(mine.find((l) => l.msg === "order placed")).toMatchObject({
      user_id: trader.userId,
      symbol: "BTC/KRW",
      order_id: expect.any(String),
    });
  });

  it("carries the id into the board's log line of an ingest batch", async () => {
    const batch = batchOf([{ kind: "fx", pair: "USD/KRW", rate: 1_390, provider: "test", timestamp: Date.now() }]);
    const { lines } = await logged(() =>
      exports.default.fetch("http://gateway/internal/ingest", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          Authorization: "Bearer test-collector-token",
          "X-Request-Id": "ingest-trace-1",
        },
        body: JSON.stringify(batch),
      }),
    );
    expect(lines.find((l) => l.msg === "ingest batch" && l.request_id === "ingest-trace-1")).toEqual({
      msg: "ingest batch",
      request_id: "ingest-trace-1",
      batch_id: batch.batch_id,
      outcome: "applied",
      events: 1,
    });
  });
});
