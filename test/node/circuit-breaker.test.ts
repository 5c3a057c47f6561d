/**
 * The circuit breaker's state machine, the last good cache's bounds and the call deadline, on a
 * clock the tests move.
 */
import { describe, expect, it } from "vitest";
import { CircuitBreaker, type Permit } from "../../workers/resilience/breaker";
import { approximateBytes, LastGoodCache } from "../../workers/resilience/last-good-cache";
import { ObjectTimeout, withDeadline } from "../../workers/resilience/object-failure";

function setup(options: Partial<ConstructorParameters<typeof CircuitBreaker>[0]> = {}) {
  const clock = { now: 1_000_000 };
  const breaker = new CircuitBreaker({ failureThreshold: 3, cooldownMs: 10_000, now: () => clock.now, ...options });
  const permit = (): Permit => {
    const a = breaker.admit();
    if (!a.admitted) throw new Error(`refused for ${a.retryAfterMs} ms`);
    return a.permit;
  };
  const fail = (n = 1) => {
    for (let i = 0; i < n; i++) breaker.failed(permit());
  };
  return { clock, breaker, permit, fail };
}

describe("the circuit breaker", () => {
  it("stays closed while failures are not consecutive", () => {
    const { breaker, permit, fail } = setup();
    fail(2);
    breaker.succeeded(permit());
    fail(2);
    expect(breaker.state).toBe("closed");
  });

  it("opens after the threshold of failures in a row and refuses with the rest of the cool-down", () => {
    const { breaker, clock, fail } = setup();
    fail(3);
    expect(breaker.state).toBe("open");
    clock.now += 4_000;
    expect(breaker.admit()).toEqual({ admitted: false, retryAfterMs: 6_000 });
    expect(breaker.retryAfterMs()).toBe(6_000);
  });

  it("opens on the failure rate of a window once it holds enough calls", () => {
    const { breaker, permit } = setup({ failureThreshold: 100, failureRate: 0.5, minimumCalls: 10, windowMs: 10_000 });
    for (let i = 0; i < 9; i++) {
      const p = permit();
      if (i % 2 === 0) breaker.failed(p);
      else breaker.succeeded(p);
    }
    expect(breaker.state).toBe("closed"); // 5 of 9: not enough calls yet
    breaker.failed(permit());
    expect(breaker.state).toBe("open"); // 6 of 10
  });

  it("forgets the window's calls when it ends", () => {
    const { breaker, clock, permit } = setup({
      failureThreshold: 100,
      failureRate: 0.5,
      minimumCalls: 4,
      windowMs: 1_000,
    });
    breaker.failed(permit());
    breaker.failed(permit());
    breaker.succeeded(permit());
    clock.now += 1_000;
    breaker.failed(permit());
    expect(breaker.state).toBe("closed");
  });

  it("half-opens after the cool-down: one probe at a time, the others refused", () => {
    const { breaker, clock, fail } = setup();
    fail(3);
    clock.now += 10_000;
    expect(breaker.state).toBe("half-open");
    const probe = breaker.admit();
    expect(probe).toMatchObject({ admitted: true, permit: { probe: true } });
    expect(breaker.admit().admitted).toBe(false);
  });

  it("closes when the probe succeeds", () => {
    const { breaker, clock, fail, permit } = setup();
    fail(3);
    clock.now += 10_000;
    breaker.succeeded(permit());
    expect(breaker.state).toBe("closed");
    expect(breaker.admit().admitted).toBe(true);
  });

  it("reopens for a whole cool-down when the probe fails", () => {
    const { breaker, clock, fail } = setup();
    fail(3);
    clock.now += 10_000;
    fail(1);
    expect(breaker.state).toBe("open");
    expect(breaker.admit()).toEqual({ admitted: false, retryAfterMs: 10_000 });
  });

  it("ignores the outcome of a call admitted before the breaker changed state", () => {
    const { breaker, clock, permit, fail } = setup();
    const slow = permit();
    fail(3);
    breaker.succeeded(slow); // admitted while closed; must not close the open breaker
    expect(breaker.state).toBe("open");
    clock.now += 10_000;
    const probe = permit();
    const late = { ...slow };
    breaker.failed(late);
    expect(breaker.state).toBe("half-open");
    breaker.succeeded(probe);
    expect(breaker.state).toBe("closed");
  });

  it("lets a new probe through when one never reported back within a cool-down", () => {
    const { breaker, clock, fail } = setup();
    fail(3);
    clock.now += 10_000;
    expect(breaker.admit().admitted).toBe(true);
    clock.now += 10_000;
    expect(breaker.admit().admitted).toBe(true);
  });
});

describe("the last good cache", () => {
  it("keeps a key's value, rewritten at most once per refresh interval", () => {
    const clock = { now: 0 };
    const cache = new LastGoodCache({ refreshMs: 1_000, now: () => clock.now });
    cache.remember("a", 1);
    clock.now = 500;
    cache.remember("a", 2);
    expect(cache.recall("a")).toEqual({ value: 1, at: 0 });
    clock.now = 1_000;
    cache.remember("a", 3);
    expect(cache.recall("a")).toEqual({ value: 3, at: 1_000 });
  });

  it("does not serve an entry older than its maximum age", () => {
    const clock = { now: 0 };
    const cache = new LastGoodCache({ maxAgeMs: 60_000, now: () => clock.now });
    cache.remember("a", { x: 1 });
    clock.now = 60_001;
    expect(cache.recall("a")).toBeUndefined();
    expect(cache.size.entries).toBe(0);
  });

  it("drops the least recently used entries beyond its byte budget", () => {
    const value = "x".repeat(1_000);
    const cache = new LastGoodCache({ maxBytes: approximateBytes(value) * 3 + 100, refreshMs: 0 });
    cache.remember("a", value);
    cache.remember("b", value);
    cache.remember("c", value);
    cache.recall("a");
    cache.remember("d", value);
    expect(cache.recall("b")).toBeUndefined();
    expect(cache.recall("a")?.value).toBe(value);
    expect(cache.size.bytes).toBeLessThanOrEqual(approximateBytes(value) * 3 + 100);
  });

  it("sizes strings, byte arrays and nested objects roughly", () => {
    expect(approximateBytes("abcd")).toBe(24);
    expect(approximateBytes(new Uint8Array(1_000))).toBeGreaterThanOrEqual(1_000);
    expect(approximateBytes({ a: [1, 2, { b: "xy" }] })).toBeGreaterThan(approximateBytes({ a: [1, 2] }));
  });
});

describe("the call deadline", () => {
  it("passes a prompt answer through and fails a late one with ObjectTimeout", async () => {
    await expect(withDeadline(Promise.resolve(7), 50)).resolves.toBe(7);
    const never = new Promise<never>(() => {});
    await expect(withDeadline(never, 20)).rejects.toBeInstanceOf(ObjectTimeout);
  });
});
