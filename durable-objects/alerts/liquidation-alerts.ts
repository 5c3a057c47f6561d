/**
 * Evaluates liquidation alerts against newly counted liquidations: an alert on a coin (or on any coin)
 * fires on a single liquidation worth at least its `min_usd`, at most once per cooldown. The rules are
 * indexed by coin and sorted by `min_usd`, so a liquidation only looks at the alerts it can fire.
 */
import type { AlertRule } from "../../protocol/alerts";
import type { LiquidationRecord } from "../../protocol/liquidations";
import type { AlertBook } from "./alert-book";

const ANY = "*";
/** A liquidation older than this when counted (a collector's late batch) fires nothing: it is history, not news. */
const MAX_AGE_MS = 5 * 60_000;
const indexes = new WeakMap<readonly AlertRule[], Map<string, AlertRule[]>>();

/** Evaluates the book's liquidation alerts against `accepted`; answers how many fired. */
export function evaluateLiquidationAlerts(book: AlertBook, accepted: LiquidationRecord[], now: number): number {
  if (book.size() === 0) return 0;
  const index = indexOf(book.list());
  let fired = 0;
  for (const l of accepted) {
    if (now - l.timestamp > MAX_AGE_MS) continue;
    for (const rules of [index.get(l.symbol), index.get(ANY)]) {
      for (const rule of rules ?? []) {
        book.counts.evaluations++;
        if (l.value_usd < (rule.min_usd ?? Number.POSITIVE_INFINITY)) break; // sorted: the rest need more
        const data = {
          user_id: rule.user_id,
          alert_id: rule.id,
          kind: rule.kind,
          symbol: l.symbol,
          venue: l.venue,
          basis: null,
          direction: null,
          threshold: rule.min_usd,
          value: l.value_usd,
          liquidation: {
            venue: l.venue,
            symbol: l.symbol,
            side: l.side,
            price: l.price,
            quantity: l.quantity,
            usd_value: l.value_usd,
          },
        };
        if (book.event(rule, now, data, l.timestamp)) fired++;
      }
    }
  }
  return fired;
}

function indexOf(rules: readonly AlertRule[]): Map<string, AlertRule[]> {
  let index = indexes.get(rules);
  if (!index) {
    index = new Map();
    for (const rule of rules) {
      const key = rule.symbol ?? ANY;
      const list = index.get(key) ?? [];
      list.push(rule);
      index.set(key, list);
    }
    for (const list of index.values()) list.sort((a, b) => (a.min_usd ?? 0) - (b.min_usd ?? 0));
    indexes.set(rules, index);
  }
  return index;
}
