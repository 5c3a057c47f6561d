/**
 * The premium board: one row per coin listed on a Korean venue, sortable by any column, searchable
 * by name, symbol or 초성, with favourites. Updates are batched per animation frame and touch only
 * the cells whose text changed; rows are re-ordered at most once a second while prices move, so the
 * table does not jump under the reader's eyes.
 */

import { compareRows, type RowFigures, rowFigures, type SortKey } from "./coin-row";
import { h } from "./dom";
import type { Favourites } from "./favourites";
import { hangulIncludes } from "./hangul";
import { lang, type MessageKey, onLangChange, t } from "./i18n";
import type { MarketChange, MarketState } from "./market-state";
import { RowView } from "./row-view";

interface Column {
  key: SortKey | "fav";
  label: MessageKey;
  unit?: MessageKey;
  className: string;
  /** Sorting a numeric column starts descending (largest first), a text column ascending. */
  numeric: boolean;
}

const COLUMNS: Column[] = [
  { key: "fav", label: "colFav", className: "col-fav", numeric: false },
  { key: "name", label: "colName", className: "col-name", numeric: false },
  { key: "symbol", label: "colSymbol", className: "col-symbol", numeric: false },
  { key: "krwPrice", label: "colKrw", unit: "colKrwUnit", className: "col-num col-krw", numeric: true },
  { key: "globalPrice", label: "colGlobal", unit: "colGlobalUnit", className: "col-num col-global", numeric: true },
  {
    key: "globalKrw",
    label: "colGlobalKrw",
    unit: "colGlobalKrwUnit",
    className: "col-num col-global-krw",
    numeric: true,
  },
  { key: "premium", label: "colPremium", unit: "colPremiumUnit", className: "col-num col-premium", numeric: true },
  {
    key: "usdtPremium",
    label: "colUsdtPremium",
    unit: "colUsdtPremiumUnit",
    className: "col-num col-usdt-premium",
    numeric: true,
  },
  { key: "change", label: "colChange", unit: "colChangeUnit", className: "col-num col-change", numeric: true },
  { key: "value", label: "colValue", unit: "colValueUnit", className: "col-num col-value", numeric: true },
];

/** How often rows may be re-ordered while the sorted figure keeps moving. */
const RESORT_EVERY_MS = 1000;
/** How often rows are re-checked for staleness (inputs age even when nothing arrives). */
const STALE_CHECK_MS = 2000;

type Tab = "all" | "favourites";

export class Board {
  readonly element: HTMLElement;
  /** Opens the trade dialog for a coin (set by the page once the trader's part is wired). */
  onTrade: ((symbol: string, tab: "order" | "premium" | "alert", opener: HTMLElement) => void) | null = null;
  private readonly tbody: HTMLTableSectionElement;
  private readonly headRow: HTMLTableRowElement;
  private readonly empty: HTMLElement;
  private readonly search: HTMLInputElement;
  private readonly tabAll: HTMLButtonElement;
  private readonly tabFav: HTMLButtonElement;
  private readonly rows = new Map<string, RowView>();
  private readonly figures = new Map<string, RowFigures>();
  private readonly dirty = new Set<string>();
  private order: string[] = [];
  private sortKey: SortKey = "value";
  private sortDir: 1 | -1 = -1;
  private query = "";
  private tab: Tab = "all";
  private frame = 0;
  private orderDirty = true;
  private lastSort = 0;
  private resortTimer: ReturnType<typeof setTimeout> | undefined;
  /** Tells rows whether they are on screen, so only those animate (hundreds of flashing cells cost frames). */
  private readonly visibility = new IntersectionObserver((entries) => {
    for (const entry of entries) {
      const symbol = (entry.target as HTMLElement).dataset.symbol;
      const row = symbol ? this.rows.get(symbol) : undefined;
      if (row) row.onScreen = entry.isIntersecting;
    }
  });

  constructor(
    private readonly market: MarketState,
    private readonly favourites: Favourites,
  ) {
    this.search = h("input", {
      type: "search",
      class: "search",
      id: "coin-search",
      autocomplete: "off",
      spellcheck: "false",
      "aria-label": t("searchLabel"),
      placeholder: t("search"),
      oninput: () => this.setQuery(this.search.value),
      onkeydown: (e: Event) => {
        if ((e as KeyboardEvent).key === "Escape") {
          this.search.value = "";
          this.setQuery("");
        }
      },
    });
    // Two toggle buttons that filter the one table (not ARIA tabs: there is a single panel).
    this.tabAll = h("button", { type: "button", class: "tab", onclick: () => this.setTab("all") });
    this.tabFav = h("button", { type: "button", class: "tab", onclick: () => this.setTab("favourites") });
    this.headRow = h("tr", { role: "row" });
    this.tbody = h("tbody", { role: "rowgroup" });
    this.empty = h("p", { class: "board-empty", role: "status" });
    this.element = h(
      "section",
      { class: "board", "aria-labelledby": "board-title" },
      h(
        "div",
        { class: "board-toolbar" },
        h("div", { class: "tabs", role: "group" }, this.tabAll, this.tabFav),
        h("div", { class: "search-wrap" }, this.search, h("kbd", { class: "search-hint", "aria-hidden": "true" }, "/")),
      ),
      h(
        "div",
        { class: "table-wrap" },
        h(
          "table",
          // Explicit roles: the rows are CSS grids, and display overrides can drop native table semantics.
          { class: "board-table", id: "board-table", role: "table", "aria-labelledby": "board-title" },
          h("caption", { id: "board-title", class: "visually-hidden" }),
          h("thead", { role: "rowgroup" }, this.headRow),
          this.tbody,
        ),
        this.empty,
      ),
    );
    this.renderLabels();

    // Star and trade clicks are delegated: one listener for hundreds of rows.
    this.tbody.addEventListener("click", (e) => {
      const star = (e.target as Element).closest<HTMLButtonElement>("button.star");
      if (star?.dataset.symbol) this.favourites.toggle(star.dataset.symbol);
      const trade = (e.target as Element).closest<HTMLButtonElement>("button.row-trade");
      if (trade?.dataset.symbol) this.onTrade?.(trade.dataset.symbol, "order", trade);
    });

    market.onChange((change) => this.onMarket(change));
    favourites.onChange((symbol) => {
      this.rows.get(symbol)?.setFavourite(favourites.has(symbol));
      this.renderTabs();
      if (this.tab === "favourites") this.applyFilter();
    });
    onLangChange(() => {
      this.renderLabels();
      for (const [symbol, row] of this.rows) row.render(this.figures.get(symbol) as RowFigures, true);
      if (this.sortKey === "name") this.orderDirty = true;
      this.schedule();
    });
    setInterval(() => {
      const now = Date.now();
      for (const row of this.rows.values()) row.refreshStale(now);
    }, STALE_CHECK_MS);
  }

  /** Puts keyboard focus back on a coin's link (after closing its detail view). */
  focusRow(symbol: string | null): void {
    const link = symbol ? this.rows.get(symbol)?.element.querySelector<HTMLElement>(".coin-link") : null;
    link?.focus({ preventScroll: false });
  }

  /** Focuses the search box (the `/` shortcut). */
  focusSearch(): void {
    this.search.focus();
    this.search.select();
  }

  private onMarket(change: MarketChange): void {
    if (change.globals || change.snapshot) {
      // A new rate moves every row's KRW-converted figures.
      for (const symbol of this.market.coins.keys()) this.dirty.add(symbol);
    }
    for (const symbol of change.coins) this.dirty.add(symbol);
    for (const symbol of change.removed) {
      this.dropRow(symbol);
      this.orderDirty = true;
    }
    this.schedule();
  }

  private dropRow(symbol: string): void {
    const row = this.rows.get(symbol);
    if (row) {
      this.visibility.unobserve(row.element);
      row.element.remove();
    }
    this.rows.delete(symbol);
    this.figures.delete(symbol);
    this.order = this.order.filter((s) => s !== symbol);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.flush();
    });
  }

  /** Applies every pending change in one go. */
  private flush(): void {
    const rate = this.market.exchangeRate;
    let added = false;
    let sortedFigureMoved = false;
    for (const symbol of this.dirty) {
      const coin = this.market.coins.get(symbol);
      if (!coin) continue;
      const fig = rowFigures(coin, rate);
      // The board lists coins traded in KRW; global-only coins have no premium to show.
      if (fig.krwPrice === null) {
        if (this.rows.has(symbol)) {
          this.dropRow(symbol);
          this.orderDirty = true;
        }
        continue;
      }
      const before = this.figures.get(symbol);
      this.figures.set(symbol, fig);
      let row = this.rows.get(symbol);
      if (!row) {
        row = new RowView(symbol, this.favourites.has(symbol));
        this.rows.set(symbol, row);
        this.visibility.observe(row.element);
        added = true;
        row.setHidden(!this.matches(fig));
      }
      row.render(fig, false);
      if (!before || before[this.sortKeyField()] !== fig[this.sortKeyField()]) sortedFigureMoved = true;
    }
    this.dirty.clear();
    if (added) {
      this.orderDirty = true;
      this.applyFilter();
      this.renderTabs();
    }
    if (added || this.orderDirty) this.sortNow();
    else if (sortedFigureMoved) this.scheduleResort();
    this.renderEmpty();
  }

  private sortKeyField(): keyof RowFigures {
    return this.sortKey === "name" ? (lang() === "ko" ? "koreanName" : "englishName") : this.sortKey;
  }

  private scheduleResort(): void {
    if (this.resortTimer !== undefined) return;
    const wait = Math.max(0, RESORT_EVERY_MS - (Date.now() - this.lastSort));
    this.resortTimer = setTimeout(() => {
      this.resortTimer = undefined;
      this.sortNow();
    }, wait);
  }

  /** Puts rows in order, moving only when the order actually changed. */
  private sortNow(): void {
    this.lastSort = Date.now();
    this.orderDirty = false;
    const koreanNames = lang() === "ko";
    const next = [...this.figures.values()]
      .sort((a, b) => compareRows(a, b, this.sortKey, this.sortDir, koreanNames))
      .map((f) => f.symbol);
    if (next.length === this.order.length && next.every((s, i) => s === this.order[i])) return;
    this.order = next;
    const fragment = document.createDocumentFragment();
    for (const symbol of next) fragment.append((this.rows.get(symbol) as RowView).element);
    // Keep keyboard focus where it was: moving a focused node blurs it in some browsers.
    const focused = document.activeElement;
    this.tbody.append(fragment);
    if (focused instanceof HTMLElement && focused !== document.activeElement && this.tbody.contains(focused))
      focused.focus({ preventScroll: true });
  }

  private setSort(key: SortKey, numeric: boolean): void {
    if (this.sortKey === key) this.sortDir = this.sortDir === 1 ? -1 : 1;
    else {
      this.sortKey = key;
      this.sortDir = numeric ? -1 : 1;
    }
    this.renderHead();
    this.sortNow();
  }

  private setQuery(query: string): void {
    this.query = query.trim();
    this.applyFilter();
  }

  private setTab(tab: Tab): void {
    this.tab = tab;
    this.renderTabs();
    this.applyFilter();
  }

  private matches(fig: RowFigures): boolean {
    if (this.tab === "favourites" && !this.favourites.has(fig.symbol)) return false;
    const q = this.query;
    if (!q) return true;
    const lower = q.toLowerCase();
    if (fig.symbol.toLowerCase().includes(lower)) return true;
    if (fig.englishName?.toLowerCase().includes(lower)) return true;
    return fig.koreanName !== null && hangulIncludes(fig.koreanName, q);
  }

  private applyFilter(): void {
    for (const [symbol, row] of this.rows) row.setHidden(!this.matches(this.figures.get(symbol) as RowFigures));
    this.renderEmpty();
  }

  private renderEmpty(): void {
    let visible = 0;
    for (const row of this.rows.values()) if (!row.hidden) visible++;
    let message = "";
    if (!this.market.loaded || this.rows.size === 0) message = t("waiting");
    else if (visible === 0) message = this.tab === "favourites" && !this.query ? t("noFavourites") : t("noMatch");
    this.empty.textContent = message;
    this.empty.hidden = message === "";
  }

  private renderTabs(): void {
    this.tabAll.textContent = `${t("tabAll")} ${this.rows.size}`;
    this.tabFav.textContent = `★ ${t("tabFavourites")} ${this.favourites.size}`;
    this.tabAll.setAttribute("aria-pressed", String(this.tab === "all"));
    this.tabFav.setAttribute("aria-pressed", String(this.tab === "favourites"));
  }

  private renderHead(): void {
    const cells = COLUMNS.map((col) => {
      if (col.key === "fav") {
        return h(
          "th",
          { role: "columnheader", scope: "col", class: col.className },
          h("span", { class: "visually-hidden" }, t(col.label)),
        );
      }
      const key = col.key;
      const active = this.sortKey === key;
      const ariaSort = active ? (this.sortDir === 1 ? "ascending" : "descending") : undefined;
      return h(
        "th",
        { role: "columnheader", scope: "col", class: col.className, "aria-sort": ariaSort, "data-key": key },
        h(
          "button",
          { type: "button", class: "sort", onclick: () => this.setSort(key, col.numeric) },
          h("span", { class: "th-label" }, t(col.label)),
          col.unit ? h("span", { class: "th-unit" }, t(col.unit)) : null,
          h("span", { class: "sort-mark", "aria-hidden": "true" }, active ? (this.sortDir === 1 ? "▲" : "▼") : "↕"),
        ),
      );
    });
    this.headRow.replaceChildren(...cells);
  }

  private renderLabels(): void {
    this.search.placeholder = t("search");
    this.search.setAttribute("aria-label", t("searchLabel"));
    const caption = this.element.querySelector("caption");
    if (caption) caption.textContent = t("title");
    this.renderHead();
    this.renderTabs();
    this.renderEmpty();
  }
}
