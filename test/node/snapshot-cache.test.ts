import { describe, expect, it } from "vitest";
import { SnapshotCache } from "../../durable-objects/support/snapshot-cache";

/** A cache on a clock the test moves, and a loader that counts its calls and can be held back. */
function harness(maxAgeMs = 500, maxStaleMs = 5_000) {
  let now = 1_000_000;
  let loads = 0;
  let release: (() => void) | undefined;
  let hold = false;
  const cache = new SnapshotCache<string>(maxAgeMs, maxStaleMs, () => now);
  const load = async () => {
    loads++;
    const n = loads;
    if (hold) await new Promise<void>((r) => (release = r));
    return `rendering ${n}`;
  };
  const background: Promise<unknown>[] = [];
  return {
    get: () => cache.get(load, (work) => background.push(work)),
    advance: (ms: number) => {
      now += ms;
    },
    loads: () => loads,
    holdLoads: (value: boolean) => {
      hold = value;
    },
    release: () => release?.(),
    settled: () => Promise.all(background.splice(0)),
  };
}

describe("SnapshotCache", () => {
  it("loads once and shares the value while it is younger than its max age", async () => {
    const h = harness();
    expect(await h.get()).toBe("rendering 1");
    h.advance(499);
    expect(await Promise.all([h.get(), h.get(), h.get()])).toEqual(["rendering 1", "rendering 1", "rendering 1"]);
    expect(h.loads()).toBe(1);
  });

  it("serves the old value while it refreshes in the background, then the new one", async () => {
    const h = harness();
    await h.get();
    h.advance(600);
    h.holdLoads(true);
    expect(await h.get()).toBe("rendering 1"); // stale but within 5 s: served at once
    expect(await h.get()).toBe("rendering 1"); // one refresh in flight, not two
    expect(h.loads()).toBe(2);
    h.release();
    await h.settled();
    expect(await h.get()).toBe("rendering 2");
  });

  it("waits for a new value rather than serve one older than its max staleness", async () => {
    const h = harness();
    await h.get();
    h.advance(5_001);
    expect(await h.get()).toBe("rendering 2");
    expect(h.loads()).toBe(2);
  });
});
