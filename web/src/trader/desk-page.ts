/**
 * The trader's desk (`#/desk`): the account, the positions with live PnL, the open orders, the
 * latest fills and the premium trades. Everything moves with `/ws/user` and the market stream; no
 * reload is ever needed.
 */
import type { Position } from "../../../protocol/trading";
import { h, setText } from "../dom";
import type { Page } from "../page";
import { AccountSummary } from "./account-summary";
import { FillsPanel } from "./fills-panel";
import { OrdersPanel } from "./orders-panel";
import { PositionsPanel } from "./positions-panel";
import { PremiumTradesPanel } from "./premium-trades-panel";
import type { TradeDialog } from "./trade-dialog";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";

export class DeskPage implements Page {
  readonly element: HTMLElement;
  private readonly heading = h("h1", { tabindex: "-1", id: "desk-title" });
  private readonly summary: AccountSummary;
  private readonly positions: PositionsPanel;
  private readonly orders: OrdersPanel;
  private readonly fills: FillsPanel;
  private readonly premiumTrades: PremiumTradesPanel;

  constructor(
    ctx: TraderContext,
    private readonly dialog: TradeDialog,
  ) {
    this.positions = new PositionsPanel(ctx, (position, opener) => this.closePosition(position, opener));
    this.summary = new AccountSummary(ctx, this.positions);
    this.orders = new OrdersPanel(ctx);
    this.fills = new FillsPanel(ctx);
    this.premiumTrades = new PremiumTradesPanel(ctx);
    this.element = h(
      "section",
      { class: "page desk", id: "desk", hidden: true, "aria-labelledby": "desk-title" },
      this.heading,
      this.summary.element,
      this.positions.element,
      this.orders.element,
      this.fills.element,
      this.premiumTrades.element,
    );
    this.relabel();
  }

  show(): void {
    this.element.hidden = false;
    document.title = `${tr("deskTitle")} · Kimchi Edge`;
    this.positions.refresh();
    this.premiumTrades.start();
  }

  hide(): void {
    this.element.hidden = true;
    this.premiumTrades.stop();
  }

  relabel(): void {
    setText(this.heading, tr("deskTitle"));
    this.summary.relabel();
    this.positions.relabel();
    this.orders.relabel();
    this.fills.relabel();
    this.premiumTrades.relabel();
    if (!this.element.hidden) document.title = `${tr("deskTitle")} · Kimchi Edge`;
  }

  /** Opens the order ticket on the position's coin, set to trade it back to zero. */
  private closePosition(position: Position, opener: HTMLElement): void {
    const base = position.symbol.split("/")[0] as string;
    this.dialog.open(base, "order", opener);
    this.dialog.prefillClose(position);
  }
}
