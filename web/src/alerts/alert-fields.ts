/**
 * The alert form's fields as data: which fields each kind of alert asks for, their labels, the fixed
 * choices of the selects, and the server's defaults the hints quote.
 */
import type { AlertKind } from "../../../protocol/alerts";
import { h } from "../dom";
import type { AlertMessageKey } from "./alert-messages";

/** The kinds that compare a value with a threshold (and re-arm after moving back by the hysteresis). */
export type LevelKind = "price" | "premium" | "premium_percentile";

/** The kinds in the order the form offers them: the premium first, this being a kimchi-premium board. */
export const KINDS: AlertKind[] = ["premium", "price", "premium_percentile", "liquidation", "caution"];

/** Each field's label (the threshold's depends on the kind: see alert-hints.ts). */
export const LABELS: Record<string, AlertMessageKey> = {
  kind: "kind",
  symbol: "coin",
  venue: "venue",
  basis: "basis",
  window: "window",
  direction: "direction",
  scope: "scope",
  min_usd: "minUsd",
  note: "note",
  hysteresis: "hysteresis",
  cooldown_seconds: "cooldown",
};

/** The fixed choices of the selects, as [value, label] (the venues depend on the coin). */
export const CHOICES: Record<string, [string, AlertMessageKey][]> = {
  kind: KINDS.map((k) => [k, `kind_${k}` as const]),
  basis: [
    ["usd", "basis_usd"],
    ["usdt", "basis_usdt"],
  ],
  window: [
    ["30d", "window_30d"],
    ["90d", "window_90d"],
  ],
  direction: [
    ["above", "above"],
    ["below", "below"],
  ],
  scope: [
    ["coin", "scope_coin"],
    ["any", "scope_any"],
  ],
};

/** The fields each kind asks for, besides the kind, the coin and the folded options. */
export const KIND_FIELDS: Record<AlertKind, string[]> = {
  price: ["venue", "direction", "threshold", "hysteresis"],
  premium: ["basis", "direction", "threshold", "hysteresis"],
  premium_percentile: ["basis", "window", "direction", "threshold", "hysteresis"],
  liquidation: ["scope", "min_usd"],
  caution: [],
};

/** The server's default cooldowns (protocol/alerts.ts, which the page cannot import: it holds zod schemas). */
export const LEVEL_COOLDOWN_SECONDS = 300;
export const EVENT_COOLDOWN_SECONDS = 60;

/** How the server's default re-arm margin (`ruleFromCreate`) reads, per level kind. */
export const HYSTERESIS_DEFAULT: Record<LevelKind, AlertMessageKey> = {
  price: "hysteresisPrice",
  premium: "hysteresisPremium",
  premium_percentile: "hysteresisPercentile",
};

/** Whether a kind is a level alert. */
export function isLevel(kind: AlertKind): kind is LevelKind {
  return kind === "price" || kind === "premium" || kind === "premium_percentile";
}

/** Replaces a select's options, keeping its choice when that is still offered. */
export function setOptions(select: HTMLSelectElement, entries: [string, string][]): void {
  const value = select.value;
  select.replaceChildren(...entries.map(([v, text]) => h("option", { value: v }, text)));
  if (entries.some(([v]) => v === value)) select.value = value;
}
