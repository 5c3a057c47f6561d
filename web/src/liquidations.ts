/**
 * The liquidation panel: long and short totals over 1 h, 4 h and 24 h, and the live feed from
 * `/ws/liquidations` with a size filter. The filter is applied by the Worker (`{"op":"filter"}`,
 * and `?min_usd=` on reconnect), so a large threshold still shows a full list.
 */
import type { LiquidationVenue } from "../../protocol/common";
import type {
  Liquidation,
  LiquidationSnapshotMessage,
  LiquidationSummary,
  LiquidationTotals,
  LiquidationUpdateMessage,
  LiquidationWindow,
} from "../../protocol/liquidations";
import { h } from "./dom";
import { formatKrwAmount, formatTime, formatUsdAmount, formatUsdt } from "./format";
import { type MessageKey, onLangChange, t } from "./i18n";
import { LiveStream, type StreamEnvelope } from "./live-stream";

const WINDOWS: LiquidationWindow[] = ["1h", "4h", "24h"];
const SIZE_STEPS = [0, 10_000, 100_000, 1_000_000] as const;
/** Rows kept in the feed; older ones fall off the end. */
const FEED_MAX = 60;
const STORAGE_KEY = "kimchi.liqMinUsd";

function readMinUsd(): number {
  try {
    const n = Number(localStorage.getItem(STORAGE_KEY));
    return (SIZE_STEPS as readonly number[]).includes(n) ? n : 0;
  } catch {
    return 0;
  }
}

function sizeLabel(usd: number): string {
  return usd === 0 ? t("liqAll") : `≥ ${formatUsdAmount(usd)}`;
}

export class LiquidationPanel {
  readonly element: HTMLElement;
  readonly stream: LiveStream;
  private readonly title: HTMLElement;
  private readonly totalsTitle: HTMLElement;
  private readonly totals: HTMLElement;
  private readonly sampledNote: HTMLElement;
  private readonly sizeSelect: HTMLSelectElement;
  private readonly sizeLabel: HTMLElement;
  private readonly feed: HTMLOListElement;
  private readonly empty: HTMLElement;
  private minUsd = readMinUsd();
  private summary: LiquidationSummary | null = null;
  private loaded = false;
  private readonly shown = new Set<string>();

  constructor(onStatus: () => void) {
    this.title = h("h2", { class: "panel-title", id: "liq-title" });
    this.totalsTitle = h("h3", { class: "visually-hidden" });
    this.totals = h("div", { class: "liq-totals", id: "liq-totals" });
    this.sampledNote = h("p", { class: "liq-note" });
    this.sizeLabel = h("label", { for: "liq-min" });
    this.sizeSelect = h("select", {
      id: "liq-min",
      onchange: () => this.setMinUsd(Number(this.sizeSelect.value)),
    });
    this.feed = h("ol", { class: "liq-feed", id: "liq-feed", "aria-live": "polite", "aria-relevant": "additions" });
    this.empty = h("p", { class: "liq-empty" });
    this.element = h(
      "section",
      { class: "panel liq", "aria-labelledby": "liq-title" },
      h("div", { class: "panel-head" }, this.title),
      this.totalsTitle,
      this.totals,
      this.sampledNote,
      h("div", { class: "liq-filter" }, this.sizeLabel, this.sizeSelect),
      h("div", { class: "liq-feed-wrap" }, this.feed, this.empty),
    );
    this.stream = new LiveStream(
      () => (this.minUsd > 0 ? `/ws/liquidations?min_usd=${this.minUsd}` : "/ws/liquidations"),
      {
        onSnapshot: (data) => this.onSnapshot(data as LiquidationSnapshotMessage["data"]),
        onMessage: (message) => this.onMessage(message),
        onStatus,
      },
    );
    onLangChange(() => this.render());
    this.render();
  }

  private setMinUsd(value: number): void {
    this.minUsd = value;
    try {
      localStorage.setItem(STORAGE_KEY, String(value));
    } catch {
      // not remembered; still applied
    }
    // The Worker answers with a snapshot filtered the new way.
    this.stream.send({ op: "filter", min_usd: value });
  }

  private onSnapshot(data: LiquidationSnapshotMessage["data"]): void {
    this.loaded = true;
    this.summary = data.summary;
    this.shown.clear();
    this.feed.replaceChildren();
    // Newest first in a snapshot: append in that order.
    for (const l of data.liquidations.slice(0, FEED_MAX)) this.feed.append(this.item(l, false));
    this.renderTotals();
    this.renderEmpty();
  }

  private onMessage(message: StreamEnvelope): void {
    if (message.type !== "update") return;
    const data = message.data as LiquidationUpdateMessage["data"];
    this.summary = data.summary;
    // Oldest first in an update: each new one goes on top.
    for (const l of data.liquidations) {
      if (l.value_usd < this.minUsd || this.shown.has(`${l.venue}:${l.id}`)) continue;
      this.feed.prepend(this.item(l, true));
    }
    while (this.feed.childElementCount > FEED_MAX) {
      const last = this.feed.lastElementChild as HTMLElement;
      this.shown.delete(last.dataset.key ?? "");
      last.remove();
    }
    this.renderTotals();
    this.renderEmpty();
  }

  private item(l: Liquidation, fresh: boolean): HTMLLIElement {
    const key = `${l.venue}:${l.id}`;
    this.shown.add(key);
    const size = l.value_usd >= 1_000_000 ? " huge" : l.value_usd >= 100_000 ? " big" : "";
    const side = l.side === "long" ? "liqLong" : "liqShort";
    return h(
      "li",
      {
        class: `liq-item side-${l.side}${size}${fresh ? " fresh" : ""}`,
        "data-key": key,
        "data-symbol": l.symbol,
        title: `${l.venue_symbol} · ${l.quantity} @ ${l.price}${l.value_krw !== null ? ` · ${formatKrwAmount(l.value_krw)}` : ""}`,
      },
      h("span", { class: `liq-side side-${l.side}` }, t(side)),
      h(
        "span",
        { class: "liq-what" },
        h("span", { class: "liq-symbol" }, l.symbol),
        h("span", { class: "liq-venue" }, t(`venue_${l.venue}` as MessageKey)),
      ),
      h("span", { class: "liq-price" }, formatUsdt(l.price)),
      h("span", { class: "liq-value" }, formatUsdAmount(l.value_usd)),
      h("time", { class: "liq-time", datetime: new Date(l.timestamp).toISOString() }, formatTime(l.timestamp)),
    );
  }

  private renderTotals(): void {
    const summary = this.summary;
    if (!summary) {
      this.totals.replaceChildren();
      this.sampledNote.textContent = "";
      return;
    }
    let sampled = false;
    const rows = WINDOWS.map((w) => {
      const totals = summary.windows[w]?.total;
      if (!totals) return null;
      if (totals.completeness === "sampled" && totals.total.count > 0) sampled = true;
      return this.totalsRow(w, totals);
    });
    this.totals.replaceChildren(
      h(
        "div",
        { class: "liq-row liq-row-head", "aria-hidden": "true" },
        h("span", {}, ""),
        h("span", { class: "side-long liq-head-long" }, t("liqLongTotal")),
        h("span", { class: "side-short liq-head-short" }, t("liqShortTotal")),
      ),
      ...rows.filter((r): r is HTMLElement => r !== null),
    );
    this.sampledNote.textContent = sampled ? `≥ ${t("liqSampled")}` : "";
    this.sampledNote.hidden = !sampled;
  }

  private totalsRow(window: LiquidationWindow, totals: LiquidationTotals): HTMLElement {
    const floor = (value: number) => (totals.completeness === "sampled" && value > 0 ? "≥ " : "");
    const longPct = totals.long_percent ?? 50;
    const krw = (v: number | null) => (v === null ? "" : formatKrwAmount(v));
    return h(
      "div",
      { class: "liq-row", "data-window": window },
      h("span", { class: "liq-window" }, window),
      h(
        "span",
        { class: "liq-amount side-long", title: `${totals.long.count} · ${krw(totals.long.value_krw)}` },
        `${floor(totals.long.value_usd)}${formatUsdAmount(totals.long.value_usd)}`,
      ),
      h(
        "span",
        {
          class: totals.total.count === 0 ? "liq-bar empty" : "liq-bar",
          role: "img",
          "aria-label": `${t("liqLong")} ${totals.long_percent === null ? "—" : `${longPct.toFixed(0)}%`}`,
        },
        h("span", { class: "liq-bar-long", style: `width:${longPct}%` }),
      ),
      h(
        "span",
        { class: "liq-amount side-short", title: `${totals.short.count} · ${krw(totals.short.value_krw)}` },
        `${floor(totals.short.value_usd)}${formatUsdAmount(totals.short.value_usd)}`,
      ),
    );
  }

  private renderEmpty(): void {
    const none = this.minUsd === 0 ? t("liqNone") : t("liqEmpty");
    const text = !this.loaded ? t("liqWaiting") : this.feed.childElementCount === 0 ? none : "";
    this.empty.textContent = text;
    this.empty.hidden = text === "";
  }

  private render(): void {
    this.title.textContent = t("liquidations");
    this.totalsTitle.textContent = t("liqTotals");
    this.sizeLabel.textContent = t("liqMin");
    this.sizeSelect.replaceChildren(
      ...SIZE_STEPS.map((v) => h("option", { value: v, selected: v === this.minUsd }, sizeLabel(v))),
    );
    // Venue names and side labels in the feed follow the language.
    for (const li of this.feed.querySelectorAll<HTMLElement>(".liq-item")) {
      const venue = li.dataset.key?.split(":")[0] as LiquidationVenue | undefined;
      const venueEl = li.querySelector(".liq-venue");
      if (venue && venueEl) venueEl.textContent = t(`venue_${venue}` as MessageKey);
      const sideEl = li.querySelector(".liq-side");
      if (sideEl) sideEl.textContent = t(sideEl.classList.contains("side-long") ? "liqLong" : "liqShort");
    }
    this.renderTotals();
    this.renderEmpty();
  }
}
