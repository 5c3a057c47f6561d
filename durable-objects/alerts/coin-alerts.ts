/**
 * Evaluates a coin's alerts against the coin as the board last reported it: a price on a venue, the
 * premium on either basis, where the premium sits in the coin's own history, and caution flags that
 * were not there before. Stale figures fire nothing. Runs on the tick path, so it only reads the
 * coin and compares numbers; storage is written only when an alert changes state.
 */
import type { AlertRule } from "../../protocol/alerts";
import type { Coin } from "../../protocol/market";
import { readingOf } from "./alert-bands";
import type { AlertBook } from "./alert-book";

/**
 * A reading older than this fires nothing even when not marked stale (the coin held by an object
 * that has had no update for a while, evaluated when an alert is created).
 */
const MAX_READING_AGE_MS = 60_000;

/** Evaluates every alert of the book against `coin`; answers how many fired. */
export function evaluateCoinAlerts(book: AlertBook, coin: Coin, previous: Coin | null, now: number): number {
  let fired = 0;
  const newFlags = previous ? coin.warnings.filter((w) => !previous.warnings.includes(w)) : [];
  book.counts.evaluations += book.list().length;
  for (const rule of book.list()) {
    if (rule.kind === "caution") {
      if (newFlags.length > 0 && book.event(rule, now, { ...about(rule, coin, null), flags: newFlags }, now)) fired++;
      continue;
    }
    const reading = readingOf(rule, coin);
    if (
      reading &&
      now - reading.at <= MAX_READING_AGE_MS &&
      book.level(rule, reading.value, now, () => about(rule, coin, reading.value), reading.at)
    )
      fired++;
  }
  return fired;
}

function about(rule: AlertRule, coin: Coin, value: number | null) {
  return {
    user_id: rule.user_id,
    alert_id: rule.id,
    kind: rule.kind,
    symbol: coin.symbol,
    venue: rule.venue,
    basis: rule.basis,
    direction: rule.direction,
    threshold: rule.threshold,
    value,
    korean_name: coin.korean_name,
  };
}
