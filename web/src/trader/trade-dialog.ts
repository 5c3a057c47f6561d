/**
 * The dialog opened from a coin's row or detail view: three tabs, the order ticket, the premium
 * trade and an alert. A modal `<dialog>`: focus stays inside, Esc closes it, and focus returns to the
 * button that opened it.
 */
import type { Position } from "../../../protocol/trading";
import { AlertForm } from "../alerts/alert-form";
import { h, setText } from "../dom";
import { fill, lang } from "../i18n";
import { OrderTicket } from "./order-ticket";
import { PremiumTicket } from "./premium-ticket";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";

export type TradeTab = "order" | "premium" | "alert";

const TABS: TradeTab[] = ["order", "premium", "alert"];
const TAB_LABELS = { order: "tabOrder", premium: "tabPremium", alert: "tabAlert" } as const;

export class TradeDialog {
  readonly element: HTMLDialogElement;
  private readonly title = h("h2", { id: "trade-dialog-title" });
  private readonly closeButton = h("button", { type: "button", class: "dialog-close", id: "trade-dialog-close" }, "×");
  private readonly tabs: Record<TradeTab, HTMLButtonElement>;
  private readonly panels: Record<TradeTab, HTMLElement>;
  private readonly order: OrderTicket;
  private readonly premium: PremiumTicket;
  private readonly alert: AlertForm;
  private symbol = "";
  private current: TradeTab = "order";
  private opener: HTMLElement | null = null;

  constructor(private readonly ctx: TraderContext) {
    this.order = new OrderTicket(ctx);
    this.premium = new PremiumTicket(ctx);
    this.alert = new AlertForm(ctx);
    const content = { order: this.order.element, premium: this.premium.element, alert: this.alert.element };
    this.tabs = {} as Record<TradeTab, HTMLButtonElement>;
    this.panels = {} as Record<TradeTab, HTMLElement>;
    for (const tab of TABS) {
      this.tabs[tab] = h("button", {
        type: "button",
        role: "tab",
        class: "tab",
        id: `trade-tab-${tab}`,
        "aria-controls": `trade-panel-${tab}`,
        onclick: () => this.select(tab, true),
      });
      this.panels[tab] = h(
        "div",
        { role: "tabpanel", id: `trade-panel-${tab}`, "aria-labelledby": `trade-tab-${tab}`, class: "tab-panel" },
        content[tab],
      );
    }
    const tablist = h("div", { role: "tablist", class: "tabs dialog-tabs" }, ...TABS.map((t) => this.tabs[t]));
    // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab goes into the panel.
    tablist.addEventListener("keydown", (e) => {
      const step = e.key === "ArrowRight" ? 1 : e.key === "ArrowLeft" ? -1 : 0;
      if (!step) return;
      e.preventDefault();
      const next = TABS[(TABS.indexOf(this.current) + step + TABS.length) % TABS.length] as TradeTab;
      this.select(next, false);
      this.tabs[next].focus();
    });
    this.element = h(
      "dialog",
      { class: "trade-dialog", id: "trade-dialog", "aria-labelledby": "trade-dialog-title" },
      h("div", { class: "dialog-head" }, this.title, this.closeButton),
      tablist,
      ...TABS.map((t) => this.panels[t]),
    );
    this.closeButton.addEventListener("click", () => this.close());
    this.element.addEventListener("close", () => {
      this.opener?.focus();
      this.opener = null;
    });
    // A click on the backdrop (outside the dialog's box) closes it.
    this.element.addEventListener("click", (e) => {
      if (e.target === this.element) this.close();
    });
    this.relabel();
  }

  /** Opens the dialog on a coin at a tab; `opener` gets focus back when it closes. */
  open(symbol: string, tab: TradeTab, opener: HTMLElement | null): void {
    this.symbol = symbol;
    this.opener = opener;
    this.order.setSymbol(symbol);
    this.premium.setSymbol(symbol);
    this.alert.setSymbol(symbol);
    this.renderTitle();
    if (!this.element.open) this.element.showModal();
    this.select(tab, true);
  }

  /** Sets the order ticket to close `position`: the other side, its whole quantity, on its venue. */
  prefillClose(position: Position): void {
    this.order.prefillClose(position);
  }

  close(): void {
    if (this.element.open) this.element.close();
  }

  relabel(): void {
    for (const tab of TABS) setText(this.tabs[tab], tr(TAB_LABELS[tab]));
    this.closeButton.setAttribute("aria-label", tr("close"));
    this.order.relabel();
    this.premium.relabel();
    this.alert.relabel();
    this.renderTitle();
  }

  private renderTitle(): void {
    const coin = this.ctx.market.coins.get(this.symbol);
    const name = (lang() === "ko" ? coin?.korean_name : coin?.english_name) ?? this.symbol;
    setText(this.title, fill(tr("dialogTitle"), { coin: `${name} (${this.symbol})` }));
  }

  private select(tab: TradeTab, focusContent: boolean): void {
    this.current = tab;
    for (const t of TABS) {
      const on = t === tab;
      this.tabs[t].setAttribute("aria-selected", String(on));
      this.tabs[t].tabIndex = on ? 0 : -1;
      this.panels[t].hidden = !on;
    }
    if (!focusContent) return;
    if (tab === "order") this.order.focusFirst();
    else if (tab === "premium") this.premium.focusFirst();
    else this.alert.focusFirst();
  }
}
