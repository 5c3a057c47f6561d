/** The latest fills, newest first: the page's copy starts from `GET /api/fills` and `/ws/user` adds each new one. */
import type { Fill } from "../../../protocol/trading";
import { h, setText } from "../dom";
import { formatMoney, formatQuantity, formatTime } from "../format";
import { t } from "../i18n";
import { KeyedTable } from "./keyed-table";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";

const SHOWN = 50;

export class FillsPanel {
  readonly element: HTMLElement;
  private readonly heading = h("h2", { id: "fills-title" });
  private readonly table: KeyedTable<Fill>;

  constructor(private readonly ctx: TraderContext) {
    this.table = new KeyedTable<Fill>(
      "fills-table",
      [
        { name: "time", label: () => tr("colTime"), text: (f) => formatTime(f.timestamp) },
        { name: "coin", label: () => tr("colCoin"), text: (f) => f.symbol },
        { name: "venue", label: () => tr("colVenue"), text: (f) => t(`venue_${f.venue}` as "venue_upbit") },
        {
          name: "side",
          label: () => tr("colSide"),
          text: (f) => tr(f.side === "BUY" ? "buy" : "sell"),
          tone: (f) => (f.side === "BUY" ? 1 : -1),
        },
        {
          name: "price",
          label: () => tr("colPrice"),
          numeric: true,
          text: (f) => formatMoney(f.price, f.fee_currency),
        },
        { name: "quantity", label: () => tr("colQuantity"), numeric: true, text: (f) => formatQuantity(f.quantity) },
        { name: "fee", label: () => tr("colFee"), numeric: true, text: (f) => formatMoney(f.fee, f.fee_currency) },
        { name: "liquidity", label: () => tr("colLiquidity"), text: (f) => tr(f.liquidity) },
      ],
      (f) => f.id,
      () => tr("noFills"),
      () => tr("fills"),
    );
    this.element = h(
      "section",
      { class: "panel desk-panel", "aria-labelledby": "fills-title" },
      this.heading,
      this.table.element,
    );
    ctx.trader.onChange((change) => {
      if (change.fills) this.table.render(this.ctx.trader.fills.slice(0, SHOWN));
    });
    this.relabel();
  }

  relabel(): void {
    setText(this.heading, tr("fills"));
    this.table.relabel();
    this.table.render(this.ctx.trader.fills.slice(0, SHOWN));
  }
}
