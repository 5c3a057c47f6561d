/**
 * The trader's premium trades (`GET /api/trades/premium`): each with its premium at entry and now
 * and the combined PnL of both legs in KRW, fetched again after fills and every few seconds while
 * the desk is on screen (the server values both legs at live prices).
 */
import type { PremiumTrade } from "../../../protocol/trading";
import { h, setText } from "../dom";
import { formatMoney, formatPercent, formatQuantity, signOf } from "../format";
import { t } from "../i18n";
import { KeyedTable } from "./keyed-table";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";

const EVERY_MS = 5_000;

export class PremiumTradesPanel {
  readonly element: HTMLElement;
  private readonly heading = h("h2", { id: "premium-trades-title" });
  private readonly table: KeyedTable<PremiumTrade>;
  private trades: PremiumTrade[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly ctx: TraderContext) {
    const venue = (v: string) => t(`venue_${v}` as "venue_upbit");
    this.table = new KeyedTable<PremiumTrade>(
      "premium-trades-table",
      [
        { name: "time", label: () => tr("colTime"), text: (p) => new Date(p.created_at).toLocaleString() },
        { name: "coin", label: () => tr("colCoin"), text: (p) => p.symbol },
        {
          name: "legs",
          label: () => tr("legs"),
          text: (p) => `${venue(p.buy_order.venue)} / ${venue(p.sell_order.venue)}`,
        },
        { name: "quantity", label: () => tr("colQuantity"), numeric: true, text: (p) => formatQuantity(p.quantity) },
        {
          name: "entry",
          label: () => tr("premiumEntry"),
          numeric: true,
          text: (p) => formatPercent(p.entry.premium_percent),
        },
        {
          name: "now",
          label: () => tr("premiumNow"),
          numeric: true,
          text: (p) => formatPercent(p.now.premium_percent),
        },
        {
          name: "pnl",
          label: () => tr("premiumPnl"),
          numeric: true,
          text: (p) => formatMoney(p.pnl_krw, "KRW", true),
          tone: (p) => signOf(p.pnl_krw ?? 0),
        },
      ],
      (p) => p.id,
      () => tr("noPremiumTrades"),
      () => tr("premiumTrades"),
    );
    this.element = h(
      "section",
      { class: "panel desk-panel", "aria-labelledby": "premium-trades-title" },
      this.heading,
      this.table.element,
    );
    ctx.trader.onChange((change) => {
      if (change.fills && this.timer !== undefined) void this.load();
    });
    this.relabel();
  }

  /** Starts fetching while the desk is shown. */
  start(): void {
    void this.load();
    clearInterval(this.timer);
    this.timer = setInterval(() => {
      if (document.visibilityState === "visible") void this.load();
    }, EVERY_MS);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  relabel(): void {
    setText(this.heading, tr("premiumTrades"));
    this.table.relabel();
    this.table.render(this.trades);
  }

  private async load(): Promise<void> {
    if (!this.ctx.session.signedIn) return;
    try {
      this.trades = await this.ctx.api.get<PremiumTrade[]>("/api/trades/premium?limit=20");
      this.table.render(this.trades);
    } catch {
      // kept as last shown; the next round tries again
    }
  }
}
