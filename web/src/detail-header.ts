/**
 * The detail view's title row: the way back to the board, the favourite star, the coin's names in
 * the reader's language first, and its caution flags. It also names the page after the coin.
 */
import type { Coin } from "../../protocol/market";
import { h, setClass } from "./dom";
import type { Favourites } from "./favourites";
import { lang, t } from "./i18n";

/** The trade dialog's tabs, each opened by its own button here. */
export type TradeTab = "order" | "premium" | "alert";

const TRADE_BUTTONS: { tab: TradeTab; key: "tradeOrder" | "tradePremium" | "tradeAlert" }[] = [
  { tab: "order", key: "tradeOrder" },
  { tab: "premium", key: "tradePremium" },
  { tab: "alert", key: "tradeAlert" },
];

/** The title row at the top of a coin's detail view. */
export class DetailHeader {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly subheading: HTMLElement;
  private readonly star: HTMLButtonElement;
  private readonly tags: HTMLElement;
  private readonly backButton: HTMLAnchorElement;
  private readonly tradeButtons: { button: HTMLButtonElement; key: "tradeOrder" | "tradePremium" | "tradeAlert" }[];

  /** `onStar` runs when the star is clicked (the view toggles the favourite it shows); `onTrade` when a trade button is. */
  constructor(
    private readonly favourites: Favourites,
    onStar: () => void,
    onTrade: (tab: TradeTab, opener: HTMLElement) => void,
  ) {
    this.tradeButtons = TRADE_BUTTONS.map(({ tab, key }) => {
      const button: HTMLButtonElement = h("button", {
        type: "button",
        class: `button detail-trade detail-trade-${tab}`,
        onclick: () => onTrade(tab, button),
      });
      return { button, key };
    });
    this.heading = h("h1", { class: "detail-name", id: "detail-title", tabindex: "-1" });
    this.subheading = h("span", { class: "detail-sub" });
    this.tags = h("span", { class: "tags" });
    this.star = h("button", { type: "button", class: "star detail-star", onclick: onStar });
    this.backButton = h("a", { class: "back", href: "#/" });
    this.element = h(
      "div",
      { class: "detail-head" },
      this.backButton,
      h("div", { class: "detail-title" }, this.star, this.heading, this.subheading, this.tags),
      h("div", { class: "detail-actions" }, ...this.tradeButtons.map((b) => b.button)),
    );
  }

  /** Writes the names, flags, star and page title for `symbol` in the current language. */
  render(symbol: string | null, coin: Coin | undefined): void {
    const name = symbol ?? "";
    const ko = lang() === "ko";
    const primary = (ko ? coin?.korean_name : coin?.english_name) ?? coin?.english_name ?? name;
    const secondary = ko ? coin?.english_name : coin?.korean_name;
    this.heading.textContent = primary;
    this.subheading.textContent = [name, secondary].filter(Boolean).join(" · ");
    this.backButton.textContent = t("back");
    this.backButton.setAttribute("aria-label", t("backLabel"));
    this.tags.replaceChildren(
      ...(coin?.warnings ?? []).map((w) => h("span", { class: "badge badge-caution", title: w }, w)),
    );
    this.renderStar(symbol);
    for (const { button, key } of this.tradeButtons) button.textContent = t(key);
    document.title = `${name} ${primary} · ${t("title")}`;
  }

  /** Shows whether `symbol` is a favourite. */
  renderStar(symbol: string | null): void {
    const on = symbol !== null && this.favourites.has(symbol);
    this.star.textContent = on ? "★" : "☆";
    this.star.setAttribute("aria-pressed", String(on));
    this.star.setAttribute("aria-label", on ? t("favRemove") : t("favAdd"));
    setClass(this.star, "on", on);
  }
}
