/**
 * The open orders, newest first, moved by `/ws/user` (a fill or a cancel removes a row without a
 * reload): cancel one, or all. A cancel that fails says why in the panel.
 */
import type { Order } from "../../../protocol/trading";
import { ApiError } from "../api";
import { h, setText } from "../dom";
import { formatMoney, formatQuantity, formatTime } from "../format";
import { fill, t } from "../i18n";
import { KeyedTable } from "./keyed-table";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";

function orderPrice(order: Order): string {
  const currency = order.fee_currency;
  const limit = order.price !== null ? formatMoney(order.price, currency) : null;
  const stop = order.stop_price !== null ? `▲▼ ${formatMoney(order.stop_price, currency)}` : null;
  return [stop, limit].filter(Boolean).join(" → ") || tr("kind_MARKET");
}

export class OrdersPanel {
  readonly element: HTMLElement;
  private readonly heading = h("h2", { id: "orders-title" });
  private readonly cancelAll = h("button", { type: "button", class: "button button-small", id: "cancel-all" });
  private readonly message = h("p", { class: "form-message", role: "alert", hidden: true });
  private readonly table: KeyedTable<Order>;

  constructor(private readonly ctx: TraderContext) {
    this.table = new KeyedTable<Order>(
      "orders-table",
      [
        { name: "time", label: () => tr("colTime"), text: (o) => formatTime(Date.parse(o.created_at)) },
        { name: "coin", label: () => tr("colCoin"), text: (o) => o.symbol },
        { name: "venue", label: () => tr("colVenue"), text: (o) => t(`venue_${o.venue}` as "venue_upbit") },
        {
          name: "side",
          label: () => tr("colSide"),
          text: (o) => tr(o.side === "BUY" ? "buy" : "sell"),
          tone: (o) => (o.side === "BUY" ? 1 : -1),
        },
        { name: "type", label: () => tr("colType"), text: (o) => tr(`kind_${o.order_type}`) },
        { name: "price", label: () => tr("colPrice"), numeric: true, text: orderPrice },
        { name: "quantity", label: () => tr("colQuantity"), numeric: true, text: (o) => formatQuantity(o.quantity) },
        { name: "filled", label: () => tr("colFilled"), numeric: true, text: (o) => formatQuantity(o.filled_quantity) },
        { name: "status", label: () => tr("colStatus"), text: (o) => tr(`status_${o.status}`) },
      ],
      (o) => o.id,
      () => tr("noOpenOrders"),
      () => tr("openOrders"),
      (id) => {
        const button = h("button", {
          type: "button",
          class: "button button-small cancel-order",
          onclick: () => void this.cancel(id),
        });
        button.dataset.label = "cancel";
        return [button];
      },
    );
    this.cancelAll.addEventListener("click", () => void this.cancelEverything());
    this.element = h(
      "section",
      { class: "panel desk-panel", "aria-labelledby": "orders-title" },
      h("div", { class: "panel-head" }, this.heading, this.cancelAll),
      this.message,
      this.table.element,
    );
    ctx.trader.onChange((change) => {
      if (change.orders) this.refresh();
    });
    this.relabel();
  }

  relabel(): void {
    setText(this.heading, tr("openOrders"));
    setText(this.cancelAll, tr("cancelAll"));
    this.table.relabel();
    this.refresh();
  }

  private refresh(): void {
    const orders = [...this.ctx.trader.openOrders.values()].sort((a, b) => b.created_at.localeCompare(a.created_at));
    this.table.render(orders);
    this.cancelAll.disabled = orders.length === 0;
    for (const button of this.element.querySelectorAll<HTMLButtonElement>(".cancel-order")) {
      const order = this.ctx.trader.openOrders.get(button.closest("tr")?.dataset.key ?? "");
      button.textContent = tr("cancel");
      if (order)
        button.setAttribute(
          "aria-label",
          fill(tr("cancelOrder"), {
            what: `${order.symbol} ${tr(order.side === "BUY" ? "buy" : "sell")} ${formatQuantity(order.quantity)}`,
          }),
        );
    }
  }

  private async cancel(id: string): Promise<void> {
    await this.run(() => this.ctx.api.delete(`/api/orders/${encodeURIComponent(id)}`));
  }

  private async cancelEverything(): Promise<void> {
    await this.run(() => this.ctx.api.delete("/api/orders"));
  }

  /** Runs a cancel; the stream removes the rows, and a refusal is shown here. */
  private async run(action: () => Promise<unknown>): Promise<void> {
    this.message.hidden = true;
    try {
      await action();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.message.hidden = false;
      setText(this.message, error.status === 0 ? tr("networkError") : (error.problem.detail ?? error.problem.title));
    }
  }
}
