import type { Feed } from "../core/feed";

/**
 * Every feed the collectors can run, one line each (see collectors/README.md, "Adding a venue").
 * `--venues` selects among them by `venue` id.
 */
export const FEEDS: readonly Feed[] = [];

/** A feed by id, or undefined. */
export function feedById(venue: string): Feed | undefined {
  return FEEDS.find((f) => f.venue === venue);
}
