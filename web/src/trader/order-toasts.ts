/**
 * Short notices when one of the trader's orders changes status (filled, partly filled, cancelled,
 * rejected), wherever they are on the page: a polite live region, so screen readers hear them too.
 * Each fades after a few seconds; the desk keeps the full record.
 */
import type { Order } from "../../../protocol/trading";
import { h } from "../dom";
import { formatMoney, formatQuantity } from "../format";
import { tr } from "./trader-messages";
import type { TraderState } from "./trader-state";

const SHOWN_MS = 6_000;
const MAX_SHOWN = 4;

export class OrderToasts {
  readonly element = h("div", { class: "toasts", role: "status", "aria-live": "polite", id: "order-toasts" });

  constructor(trader: TraderState) {
    trader.onChange((change) => {
      if (change.order && change.order.status !== "PENDING") this.show(change.order);
    });
  }

  private show(order: Order): void {
    const side = tr(order.side === "BUY" ? "buy" : "sell");
    const price = order.average_fill_price ?? order.price;
    const parts = [
      `${order.symbol} ${side}`,
      tr(`status_${order.status}`),
      order.filled_quantity > 0
        ? `${formatQuantity(order.filled_quantity)} @ ${formatMoney(price, order.fee_currency)}`
        : "",
      order.reject_reason ?? "",
    ];
    const toast = h("p", { class: `toast toast-${order.status.toLowerCase()}` }, parts.filter(Boolean).join(" · "));
    this.element.append(toast);
    while (this.element.childElementCount > MAX_SHOWN) this.element.firstElementChild?.remove();
    setTimeout(() => toast.remove(), SHOWN_MS);
  }
}
