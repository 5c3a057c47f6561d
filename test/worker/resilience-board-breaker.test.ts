/**
 * The stale fallback and the circuit breaker, with the real MarketBoard made to throw inside workerd
 * (its RPC methods replaced on the class for the test): reads answer from their last good result
 * marked stale; five failures in a row open the board's breaker, which then stops calling it; after
 * the cool-down one probe goes through, and its success closes the breaker, its failure reopens it.
 */
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { MarketBoard } from "../../durable-objects/market-board";
import { MarketSymbol } from "../../durable-objects/market-symbol";
import { objectGuards } from "../../workers/resilience/object-guard";
import { call } from "./support/auth";
import { expectProblem } from "./support/http";
import { batchOf, postIngest } from "./support/ingest";
import { ticker } from "./support/market";

const COOLDOWN_MS = Number(env.BREAKER_COOLDOWN_MS);
const FAILURES = Number(env.BREAKER_FAILURES);

/** What the runtime throws for an object whose queue is full (the `overloaded` flag crosses the RPC). */
function overloaded(): never {
  throw Object.assign(new Error("Durable Object is overloaded. Too many requests queued."), { overloaded: true });
}

/**
 * Makes the board throw on the two calls `/api/market/prices` makes (as an overloaded object fails
 * every call); returns the spy on `allCoins`, which counts the calls that reached the board.
 */
function breakBoard() {
  vi.spyOn(MarketBoard.prototype, "source").mockImplementation(overloaded);
  return vi.spyOn(MarketBoard.prototype, "allCoins").mockImplementation(overloaded);
}

let clock = Date.now();

beforeEach(async () => {
  objectGuards.reset();
  clock = Date.now();
  objectGuards.now = () => clock;
  const res = await postIngest(batchOf([ticker("upbit", "RSL", 1_000), ticker("binance", "RSL", 0.7)]));
  expect(res.status).toBe(200);
});

afterEach(() => {
  vi.restoreAllMocks();
  objectGuards.reset();
  objectGuards.now = Date.now;
});

async function prices() {
  const res = await call("/api/market/prices");
  const body = res.headers.get("Content-Type")?.includes("json") ? ((await res.json()) as Record<string, unknown>) : {};
  return { res, body };
}

describe("a read while the board throws", () => {
  it("answers the last good result with stale: true and the stale headers", async () => {
    const fresh = await prices();
    expect(fresh.res.status).toBe(200);
    expect(fresh.body.stale).toBeUndefined();
    expect(fresh.res.headers.get("X-Stale")).toBeNull();

    breakBoard();
    clock += 3_000;
    const stale = await prices();
    expect(stale.res.status).toBe(200);
    expect(stale.body.stale).toBe(true);
    expect(stale.body.prices).toEqual(fresh.body.prices);
    expect(stale.res.headers.get("X-Stale")).toBe("true");
    expect(stale.res.headers.get("Warning")).toBe('110 - "Response is Stale"');
    expect(stale.res.headers.get("Cache-Control")).toBe("no-store");
  });

  it("marks an array answer by its headers only (candles)", async () => {
    const path = "/api/market/candles/RSL?venue=upbit&interval=1m&limit=5";
    const fresh = await call(path);
    const rows = await fresh.json();
    vi.spyOn(MarketSymbol.prototype, "candles").mockImplementation(overloaded);
    const stale = await call(path);
    expect(stale.status).toBe(200);
    expect(stale.headers.get("X-Stale")).toBe("true");
    expect(await stale.json()).toEqual(rows);
  });

  it("serves /api/coins/latest's last rendering marked stale once its own 5 s cache has run out", async () => {
    const fresh = (await (await call("/api/coins/latest")).json()) as Record<string, unknown>;
    vi.spyOn(MarketBoard.prototype, "latestBody").mockImplementation(overloaded);
    clock += 6_000;
    const res = await call("/api/coins/latest");
    expect(res.status).toBe(200);
    expect(res.headers.get("X-Stale")).toBe("true");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body.stale).toBe(true);
    expect(body.coins).toEqual(fresh.coins);
  });

  it("answers 503 problem+json with Retry-After when it has no last good result", async () => {
    vi.spyOn(MarketBoard.prototype, "coinNames").mockImplementation(overloaded);
    const res = await call("/api/coin-names");
    await expectProblem(res, 503);
    expect(res.headers.get("Retry-After")).toBe("1");
  });
});

describe("the board's breaker", () => {
  // `/api/prices/{symbol}` makes one call to the board per request (`coin`), so calls and requests match.
  it(`opens after ${FAILURES} failures in a row; then the board is not called and reads answer stale at once`, async () => {
    await coin();
    const calls = vi.spyOn(MarketBoard.prototype, "coin").mockImplementation(overloaded);
    for (let i = 0; i < FAILURES; i++) expect((await coin()).stale).toBe(true);
    expect(calls).toHaveBeenCalledTimes(FAILURES);
    expect(objectGuards.stateOf("market-board", "board")).toBe("open");

    for (let i = 0; i < 5; i++) expect((await coin()).stale).toBe(true);
    expect(calls).toHaveBeenCalledTimes(FAILURES);
    // A read with nothing remembered is refused at once too, with the rest of the cool-down.
    const names = vi.spyOn(MarketBoard.prototype, "coinNames");
    const refused = await call("/api/coin-names");
    await expectProblem(refused, 503);
    expect(refused.headers.get("Retry-After")).toBe(String(COOLDOWN_MS / 1000));
    expect(names).not.toHaveBeenCalled();
  });

  it("lets one probe through after the cool-down, and its success closes the breaker", async () => {
    await coin();
    vi.spyOn(MarketBoard.prototype, "coin").mockImplementation(overloaded);
    for (let i = 0; i < FAILURES; i++) await coin();
    expect(objectGuards.stateOf("market-board", "board")).toBe("open");

    vi.restoreAllMocks();
    const calls = vi.spyOn(MarketBoard.prototype, "coin");
    clock += COOLDOWN_MS - 1;
    expect((await coin()).stale).toBe(true);
    expect(calls).not.toHaveBeenCalled();

    clock += 1;
    expect(objectGuards.stateOf("market-board", "board")).toBe("half-open");
    const probe = await coin();
    expect(probe.stale).toBeUndefined();
    expect(probe.symbol).toBe("RSL");
    expect(calls).toHaveBeenCalledTimes(1);
    expect(objectGuards.stateOf("market-board", "board")).toBe("closed");

    await coin();
    expect(calls).toHaveBeenCalledTimes(2);
  });

  it("reopens when the probe fails", async () => {
    await coin();
    const calls = vi.spyOn(MarketBoard.prototype, "coin").mockImplementation(overloaded);
    for (let i = 0; i < FAILURES; i++) await coin();
    clock += COOLDOWN_MS;
    expect((await coin()).stale).toBe(true);
    expect(calls).toHaveBeenCalledTimes(FAILURES + 1);
    expect(objectGuards.stateOf("market-board", "board")).toBe("open");

    await coin();
    expect(calls).toHaveBeenCalledTimes(FAILURES + 1);
  });
});

/** GET /api/prices/RSL: one call to the board. */
async function coin(): Promise<Record<string, unknown>> {
  const res = await call("/api/prices/RSL");
  expect(res.status).toBe(200);
  return (await res.json()) as Record<string, unknown>;
}
