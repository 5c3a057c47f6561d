import type { Feed } from "../core/feed";
import { FEEDS } from "../exchanges";

/** The registered feeds named in `--venues` (all when none); throws on an unknown id. */
export function selectFeeds(venues: readonly string[] | undefined): Feed[] {
  if (!venues || venues.length === 0) return [...FEEDS];
  return venues.map((id) => {
    const feed = FEEDS.find((f) => f.venue === id);
    if (!feed) throw new Error(`unknown venue "${id}"; known: ${FEEDS.map((f) => f.venue).join(", ")}`);
    return feed;
  });
}
