/**
 * Half-open time ranges `[from, to)` in ms, kept sorted and merged: what is covered, what is wanted,
 * and what is left to fetch. (The Worker keeps its own copy of the merge rule in
 * durable-objects/market/candle-ranges.ts; collectors never import Worker code.)
 */
export type TimeRange = readonly [from: number, to: number];

/** `ranges` (sorted, merged) with `range` added; overlapping and touching ranges become one. */
export function withRange(ranges: readonly TimeRange[], range: TimeRange): TimeRange[] {
  if (range[1] <= range[0]) return [...ranges];
  const out: TimeRange[] = [];
  let [from, to] = range;
  let placed = false;
  for (const r of ranges) {
    if (r[1] < from) out.push(r);
    else if (r[0] > to) {
      if (!placed) out.push([from, to]);
      placed = true;
      out.push(r);
    } else {
      from = Math.min(from, r[0]);
      to = Math.max(to, r[1]);
    }
  }
  if (!placed) out.push([from, to]);
  return out;
}

/** The union of many ranges, sorted and merged. */
export function unionOf(ranges: readonly TimeRange[]): TimeRange[] {
  return ranges.reduce<TimeRange[]>((acc, r) => withRange(acc, r), []);
}

/** `ranges` with `cut` taken out. */
export function withoutRange(ranges: readonly TimeRange[], cut: TimeRange): TimeRange[] {
  const out: TimeRange[] = [];
  for (const [from, to] of ranges) {
    if (to <= cut[0] || from >= cut[1]) {
      out.push([from, to]);
      continue;
    }
    if (from < cut[0]) out.push([from, cut[0]]);
    if (to > cut[1]) out.push([cut[1], to]);
  }
  return out;
}

/** The parts of `wanted` that none of `covered` (sorted, merged) holds, oldest first. */
export function gapsIn(wanted: TimeRange, covered: readonly TimeRange[]): TimeRange[] {
  return covered.reduce<TimeRange[]>((left, c) => withoutRange(left, c), wanted[1] > wanted[0] ? [wanted] : []);
}

/** How many ms of `window` the sorted, merged `ranges` hold. */
export function coveredLength(ranges: readonly TimeRange[], window: TimeRange): number {
  let total = 0;
  for (const [from, to] of ranges) total += Math.max(0, Math.min(to, window[1]) - Math.max(from, window[0]));
  return total;
}

/** `ranges` cut to start no earlier than `since`. */
export function rangesSince(ranges: readonly TimeRange[], since: number): TimeRange[] {
  return ranges.filter(([, to]) => to > since).map(([from, to]) => [Math.max(from, since), to] as const);
}
