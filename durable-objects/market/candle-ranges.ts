/** Half-open time ranges [from, to), kept sorted and merged: what a collector has said is covered. */
export type TimeRange = [from: number, to: number];

/** `ranges` with `range` added, overlapping and touching ranges merged; sorted by start. */
export function addRange(ranges: readonly TimeRange[], range: TimeRange): TimeRange[] {
  const all = [...ranges, range].sort((a, b) => a[0] - b[0]);
  const out: TimeRange[] = [];
  for (const [from, to] of all) {
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

/** `ranges` cut to start no earlier than `since` (older parts are past retention). */
export function clipRanges(ranges: readonly TimeRange[], since: number): TimeRange[] {
  return ranges.filter(([, to]) => to > since).map(([from, to]) => [Math.max(from, since), to]);
}
