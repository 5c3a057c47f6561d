/**
 * The trader's positions with live figures: each marked at its venue's last price from the market
 * stream (`/ws/market`), so value, unrealised PnL and return move with every tick, between the
 * ledger's own position messages on `/ws/user`. Only the rows whose coin ticked are recomputed.
 */
import type { Position } from "../../../protocol/trading";
import type { MarketVenue } from "../../../protocol/venues";
import { h, setText } from "../dom";
import { formatMoney, formatPercent, formatQuantity, signOf } from "../format";
import { t } from "../i18n";
import { KeyedTable } from "./keyed-table";
import { markPosition, type PositionMark } from "./live-valuation";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";

export interface MarkedPosition {
  position: Position;
  mark: PositionMark;
}

const baseOf = (p: Position) => p.symbol.split("/")[0] as string;

export class PositionsPanel {
  readonly element: HTMLElement;
  private readonly heading = h("h2", { id: "positions-title" });
  private readonly table: KeyedTable<MarkedPosition>;
  private marked: MarkedPosition[] = [];

  constructor(
    private readonly ctx: TraderContext,
    /** Opens the order ticket to close a position (side and quantity filled in). */
    onClose: (position: Position, opener: HTMLElement) => void,
  ) {
    this.table = new KeyedTable<MarkedPosition>(
      "positions-table",
      [
        { name: "coin", label: () => tr("colCoin"), text: (m) => m.position.symbol },
        { name: "venue", label: () => tr("colVenue"), text: (m) => t(`venue_${m.position.venue}` as "venue_upbit") },
        {
          name: "quantity",
          label: () => tr("colQuantity"),
          numeric: true,
          text: (m) =>
            `${formatQuantity(m.position.quantity)} ${m.position.quantity < 0 ? `(${tr("short")})` : ""}`.trim(),
        },
        {
          name: "avg",
          label: () => tr("colAvgPrice"),
          numeric: true,
          text: (m) => formatMoney(m.position.avg_price, m.position.currency),
        },
        {
          name: "mark",
          label: () => tr("colMarkPrice"),
          numeric: true,
          text: (m) => formatMoney(m.mark.price, m.position.currency),
        },
        {
          name: "value",
          label: () => tr("colValue"),
          numeric: true,
          text: (m) => formatMoney(m.mark.value, m.position.currency),
        },
        {
          name: "pnl",
          label: () => tr("colPnl"),
          numeric: true,
          text: (m) => formatMoney(m.mark.unrealized, m.position.currency, true),
          tone: (m) => signOf(m.mark.unrealized),
        },
        {
          name: "return",
          label: () => tr("colPnlPct"),
          numeric: true,
          text: (m) => formatPercent(m.mark.returnPercent),
          tone: (m) => signOf(m.mark.returnPercent),
        },
        {
          name: "realized",
          label: () => tr("colRealized"),
          numeric: true,
          text: (m) => formatMoney(m.position.realized_pnl, m.position.currency, true),
          tone: (m) => signOf(m.position.realized_pnl),
        },
      ],
      (m) => `${m.position.venue}|${m.position.symbol}`,
      () => tr("noPositions"),
      () => tr("positions"),
      (key) => {
        const button: HTMLButtonElement = h("button", {
          type: "button",
          class: "button button-small",
          onclick: () => {
            const found = this.marked.find((m) => `${m.position.venue}|${m.position.symbol}` === key);
            if (found) onClose(found.position, button);
          },
        });
        button.dataset.label = "closePosition";
        button.textContent = tr("closePosition");
        return [button];
      },
    );
    this.element = h(
      "section",
      { class: "panel desk-panel", "aria-labelledby": "positions-title" },
      this.heading,
      this.table.element,
    );
    ctx.trader.onChange((change) => {
      if (change.positions) this.refresh();
    });
    // Marked at every tick of a held coin while the desk is on screen (and once when it is shown).
    ctx.market.onChange((change) => {
      if (!this.element.checkVisibility()) return;
      if (this.marked.some((m) => change.coins.has(baseOf(m.position)) || change.snapshot)) this.refresh();
    });
    this.relabel();
  }

  /** The positions as last marked (the account summary sums them). */
  get positions(): MarkedPosition[] {
    return this.marked;
  }

  relabel(): void {
    setText(this.heading, tr("positions"));
    this.table.relabel();
    for (const button of this.element.querySelectorAll<HTMLElement>("[data-label=closePosition]"))
      button.textContent = tr("closePosition");
    this.refresh();
  }

  /** Marks every position at its venue's last price and redraws what changed. */
  refresh(): void {
    const coins = this.ctx.market.coins;
    this.marked = [...this.ctx.trader.positions.values()]
      .sort((a, b) => a.symbol.localeCompare(b.symbol) || a.venue.localeCompare(b.venue))
      .map((position) => {
        const price =
          coins.get(baseOf(position))?.prices[position.venue as MarketVenue]?.price ?? position.market_price;
        return { position, mark: markPosition(position, price ?? null) };
      });
    this.table.render(this.marked);
    this.onMarked?.();
  }

  /** Called after each refresh (the summary recomputes equity then). */
  onMarked: (() => void) | null = null;
}
