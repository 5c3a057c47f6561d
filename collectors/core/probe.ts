import type { Feed } from "./feed";

/**
 * Whether a feed's venue answers at all (any HTTP status counts: it is reachable). Used by
 * `--simulate auto` to fall back to the simulator on a machine without internet.
 */
export async function probeFeed(feed: Feed, timeoutMs = 4000): Promise<boolean> {
  if (!feed.probe) return false;
  const base = feed.endpoints[feed.probe.endpoint];
  if (!base) return false;
  try {
    const res = await fetch(`${base}${feed.probe.path}`, { signal: AbortSignal.timeout(timeoutMs) });
    await res.body?.cancel();
    return true;
  } catch {
    return false;
  }
}
