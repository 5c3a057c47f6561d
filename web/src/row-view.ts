/**
 * One board row's DOM. It remembers the text it last wrote into each cell and writes only what
 * changed, so a tick costs a handful of text updates however many coins the board holds.
 */
import { isStale, type RowFigures } from "./coin-row";
import { flash, h, setClass } from "./dom";
import { formatKrw, formatKrwAmount, formatPercent, formatUsdt, signOf } from "./format";
import { lang, t, tMaybe } from "./i18n";

/** A text slot that skips writes of the same text. */
class Slot {
  private last = "";
  constructor(readonly el: HTMLElement) {}
  set(text: string): void {
    if (text === this.last) return;
    this.last = text;
    this.el.textContent = text;
  }
}

/** Upbit's caution flags, normalised to the keys the i18n table knows. */
function warningKey(warning: string): string {
  return warning
    .trim()
    .toUpperCase()
    .replace(/[\s-]+/g, "_");
}

export class RowView {
  readonly element: HTMLTableRowElement;
  hidden = false;
  /** Whether the row is on screen; off-screen rows update their text but do not flash. */
  onScreen = false;
  private readonly star: HTMLButtonElement;
  private readonly trade: HTMLButtonElement;
  private readonly primary: Slot;
  private readonly secondary: Slot;
  private readonly tags: HTMLElement;
  private readonly symbol: Slot;
  private readonly krw: Slot;
  private readonly krwVenue: Slot;
  private readonly global: Slot;
  private readonly globalKrw: Slot;
  private readonly premium: Slot;
  private readonly premiumBadge: HTMLElement;
  private readonly usdtPremium: Slot;
  private readonly change: Slot;
  private readonly value: Slot;
  private readonly cells: {
    krw: HTMLTableCellElement;
    global: HTMLTableCellElement;
    premium: HTMLTableCellElement;
    usdtPremium: HTMLTableCellElement;
    change: HTMLTableCellElement;
  };
  private fig: RowFigures | undefined;
  private tagsKey = "";
  private stale = false;

  constructor(
    readonly symbolName: string,
    favourite: boolean,
  ) {
    const span = (cls: string) => h("span", { class: cls });
    this.star = h("button", { type: "button", class: "star", "data-symbol": symbolName });
    this.trade = h("button", { type: "button", class: "row-trade", "data-symbol": symbolName });
    const primary = span("name-primary");
    const secondary = span("name-secondary");
    this.tags = span("tags");
    const symbolEl = span("symbol");
    const krw = span("v");
    const krwVenue = span("venue-tag");
    const global = span("v");
    const globalKrw = span("v");
    const premium = span("v");
    this.premiumBadge = h("span", { class: "badge badge-reverse", hidden: true, title: t("reverseTitle") });
    const usdtPremium = span("v");
    const change = span("v");
    const value = span("v");
    this.cells = {
      krw: h("td", { role: "cell", class: "col-num col-krw" }, krwVenue, krw),
      global: h("td", { role: "cell", class: "col-num col-global" }, global),
      premium: h("td", { role: "cell", class: "col-num col-premium" }, this.premiumBadge, premium),
      usdtPremium: h("td", { role: "cell", class: "col-num col-usdt-premium" }, usdtPremium),
      change: h("td", { role: "cell", class: "col-num col-change" }, change),
    };
    this.element = h(
      "tr",
      { role: "row", "data-symbol": symbolName },
      h("td", { role: "cell", class: "col-fav" }, this.star),
      h(
        "th",
        { role: "rowheader", scope: "row", class: "col-name" },
        h(
          "a",
          { class: "coin-link", href: `#/coin/${encodeURIComponent(symbolName)}` },
          primary,
          secondary,
          h("span", { class: "name-symbol" }, symbolName),
        ),
        this.tags,
        this.trade,
      ),
      h("td", { role: "cell", class: "col-symbol" }, symbolEl),
      this.cells.krw,
      this.cells.global,
      h("td", { role: "cell", class: "col-num col-global-krw" }, globalKrw),
      this.cells.premium,
      this.cells.usdtPremium,
      this.cells.change,
      h("td", { role: "cell", class: "col-num col-value" }, value),
    );
    this.primary = new Slot(primary);
    this.secondary = new Slot(secondary);
    this.symbol = new Slot(symbolEl);
    this.krw = new Slot(krw);
    this.krwVenue = new Slot(krwVenue);
    this.global = new Slot(global);
    this.globalKrw = new Slot(globalKrw);
    this.premium = new Slot(premium);
    this.usdtPremium = new Slot(usdtPremium);
    this.change = new Slot(change);
    this.value = new Slot(value);
    this.setFavourite(favourite);
  }

  /** Shows or hides the row (search and the favourites tab). */
  setHidden(hidden: boolean): void {
    if (hidden === this.hidden) return;
    this.hidden = hidden;
    this.element.hidden = hidden;
  }

  setFavourite(on: boolean): void {
    this.star.textContent = on ? "★" : "☆";
    this.star.setAttribute("aria-pressed", String(on));
    this.star.setAttribute("aria-label", `${on ? t("favRemove") : t("favAdd")}: ${this.symbolName}`);
    setClass(this.star, "on", on);
  }

  /** Writes the row's figures; `force` re-renders language-dependent text too. */
  render(fig: RowFigures, force: boolean): void {
    const prev = this.fig;
    this.fig = fig;
    const ko = lang() === "ko";
    this.primary.set((ko ? fig.koreanName : fig.englishName) ?? fig.englishName ?? fig.symbol);
    this.secondary.set(ko ? (fig.englishName ?? "") : (fig.koreanName ?? ""));
    this.symbol.set(fig.symbol);
    this.krw.set(formatKrw(fig.krwPrice));
    this.krwVenue.set(fig.krwVenue && fig.krwVenue !== "upbit" ? t(`venue_${fig.krwVenue}` as "venue_bithumb") : "");
    this.global.set(formatUsdt(fig.globalPrice));
    this.globalKrw.set(formatKrw(fig.globalKrw));
    this.premium.set(formatPercent(fig.premium));
    this.usdtPremium.set(formatPercent(fig.usdtPremium));
    this.change.set(formatPercent(fig.change));
    this.value.set(formatKrwAmount(fig.value));

    this.colour(this.cells.premium, fig.premium);
    this.colour(this.cells.usdtPremium, fig.usdtPremium);
    this.colour(this.cells.change, fig.change);
    const reverse = fig.premium !== null && signOf(fig.premium) < 0;
    setClass(this.element, "reverse", reverse);
    if (this.premiumBadge.hidden === reverse || force) {
      this.premiumBadge.hidden = !reverse;
      this.premiumBadge.textContent = t("reverse");
      this.premiumBadge.title = t("reverseTitle");
    }

    if (this.onScreen && prev && prev.krwPrice !== null && fig.krwPrice !== null && prev.krwPrice !== fig.krwPrice)
      flash(this.cells.krw, fig.krwPrice > prev.krwPrice ? 1 : -1);
    if (
      this.onScreen &&
      prev &&
      prev.globalPrice !== null &&
      fig.globalPrice !== null &&
      prev.globalPrice !== fig.globalPrice
    )
      flash(this.cells.global, fig.globalPrice > prev.globalPrice ? 1 : -1);

    this.refreshStale(Date.now(), force);
    if (force) this.setFavourite(this.star.getAttribute("aria-pressed") === "true");
    if (force || !this.trade.textContent) {
      this.trade.textContent = t("trade");
      this.trade.setAttribute("aria-label", `${t("tradeLabel")}: ${this.symbolName}`);
    }
  }

  /** Marks the row stale (or not) as its inputs age; also redraws the tags when they change. */
  refreshStale(now: number, force = false): void {
    const fig = this.fig;
    if (!fig) return;
    const stale = isStale(fig, now);
    const key = `${lang()}|${stale}|${fig.source}|${fig.warnings.join(",")}`;
    if (stale !== this.stale) {
      this.stale = stale;
      setClass(this.element, "stale", stale);
    }
    if (key === this.tagsKey && !force) return;
    this.tagsKey = key;
    const badges: HTMLElement[] = [];
    // The most serious flag is shown; the others are counted, and all are in the tooltip.
    const flags = fig.warnings
      .map((w) => {
        const k = warningKey(w);
        return { label: tMaybe(`warn_${k}`, w), severe: k === "WARNING" || k === "DELISTING" };
      })
      .sort((a, b) => Number(b.severe) - Number(a.severe));
    const [first] = flags;
    if (first) {
      const all = flags.map((f) => f.label).join(", ");
      badges.push(
        h("span", { class: `badge ${first.severe ? "badge-warning" : "badge-caution"}`, title: all }, first.label),
      );
      if (flags.length > 1)
        badges.push(h("span", { class: "badge badge-caution badge-more", title: all }, `+${flags.length - 1}`));
    }
    if (stale) badges.push(h("span", { class: "badge badge-stale", title: t("staleTitle") }, t("staleNote")));
    if (fig.source !== "live") {
      badges.push(
        h(
          "span",
          {
            class: `badge badge-source badge-source-${fig.source}`,
            title: t(fig.source === "simulated" ? "sourceSimulated" : "sourceReplay"),
          },
          fig.source === "simulated" ? "SIM" : "REPLAY",
        ),
      );
    }
    this.tags.replaceChildren(...badges);
  }

  private colour(cell: HTMLElement, value: number | null): void {
    const sign = signOf(value);
    setClass(cell, "up", sign > 0);
    setClass(cell, "down", sign < 0);
  }
}
