/**
 * The account at the top of the desk: equity in KRW (and USDT), cash per currency, unrealised PnL
 * at the streamed prices, today's realised PnL, margin used, buying power, each risk limit with how
 * much of it is used, and "reset account" behind a confirmation.
 */
import type { Account } from "../../../protocol/trading";
import { ApiError } from "../api";
import { h, setClass, setText } from "../dom";
import { formatMoney, formatPercent, signOf } from "../format";
import { fill } from "../i18n";
import { liveTotals } from "./live-valuation";
import type { PositionsPanel } from "./positions-panel";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";

type FigureName = "equity" | "cash" | "unrealizedPnl" | "dayPnl" | "marginUsed" | "buyingPower";
type LimitName = "limitPosition" | "limitLeverage" | "limitDailyLoss" | "limitOpenOrders";

interface Figure {
  label: HTMLElement;
  value: HTMLElement;
  sub: HTMLElement;
}

interface Limit {
  label: HTMLElement;
  value: HTMLElement;
  meter: HTMLMeterElement;
}

const FIGURES: FigureName[] = ["equity", "cash", "unrealizedPnl", "dayPnl", "marginUsed", "buyingPower"];
const LIMITS: LimitName[] = ["limitPosition", "limitLeverage", "limitDailyLoss", "limitOpenOrders"];

const usd = (v: number) => `$${Math.round(v).toLocaleString("en-US")}`;

export class AccountSummary {
  readonly element: HTMLElement;
  private readonly figures = {} as Record<FigureName, Figure>;
  private readonly limits = {} as Record<LimitName, Limit>;
  private readonly limitsTitle = h("h2", { class: "subhead", id: "limits-title" });
  private readonly notes = h("p", { class: "account-note", role: "status" });
  private readonly resetButton = h("button", { type: "button", class: "button button-small", id: "reset-account" });
  private readonly confirm: HTMLElement;
  private readonly confirmText = h("p", { id: "reset-confirm-text" });
  private readonly confirmYes = h("button", { type: "button", class: "button button-danger", id: "reset-yes" });
  private readonly confirmNo = h("button", { type: "button", class: "button", id: "reset-no" });
  /** The outcome of the last reset, kept among the notes until the next one. */
  private resetNote: string | null = null;

  constructor(
    private readonly ctx: TraderContext,
    private readonly positions: PositionsPanel,
  ) {
    const grid = h("div", { class: "account-figures", id: "account-figures" });
    for (const name of FIGURES) {
      const figure = {
        label: h("span", { class: "figure-label" }),
        value: h("span", { class: "figure-value" }),
        sub: h("span", { class: "figure-sub" }),
      };
      this.figures[name] = figure;
      grid.append(h("div", { class: "figure", "data-figure": name }, figure.label, figure.value, figure.sub));
    }
    const limitList = h("ul", { class: "limit-list", "aria-labelledby": "limits-title" });
    for (const name of LIMITS) {
      const limit = {
        label: h("span", { class: "limit-label" }),
        value: h("span", { class: "limit-value" }),
        meter: h("meter", { min: 0, max: 1, low: 0.6, high: 0.85, optimum: 0 }),
      };
      limit.meter.setAttribute("aria-hidden", "true");
      this.limits[name] = limit;
      limitList.append(h("li", { class: "limit", "data-limit": name }, limit.label, limit.value, limit.meter));
    }
    this.confirm = h(
      "div",
      { class: "reset-confirm", role: "group", "aria-labelledby": "reset-confirm-text", hidden: true },
      this.confirmText,
      h("div", { class: "button-row" }, this.confirmYes, this.confirmNo),
    );
    this.resetButton.addEventListener("click", () => {
      this.confirm.hidden = false;
      this.confirmNo.focus();
    });
    this.confirmNo.addEventListener("click", () => {
      this.confirm.hidden = true;
      this.resetButton.focus();
    });
    this.confirmYes.addEventListener("click", () => void this.reset());
    this.element = h(
      "section",
      { class: "panel account-summary", "aria-label": tr("equity") },
      grid,
      this.notes,
      h("div", { class: "panel-head" }, this.limitsTitle, this.resetButton),
      limitList,
      this.confirm,
    );
    ctx.trader.onChange((change) => {
      if (change.account) this.render();
    });
    positions.onMarked = () => this.render();
    this.relabel();
  }

  relabel(): void {
    for (const name of FIGURES) setText(this.figures[name].label, tr(name));
    for (const name of LIMITS) setText(this.limits[name].label, tr(name));
    setText(this.limitsTitle, tr("limits"));
    setText(this.resetButton, tr("resetAccount"));
    setText(this.confirmText, tr("resetConfirm"));
    setText(this.confirmYes, tr("resetYes"));
    setText(this.confirmNo, tr("resetNo"));
    this.render();
  }

  private set(name: FigureName, value: string, sub = "", tone: -1 | 0 | 1 = 0): void {
    const figure = this.figures[name];
    setText(figure.value, value);
    setText(figure.sub, sub);
    setClass(figure.value, "up", tone > 0);
    setClass(figure.value, "down", tone < 0);
  }

  private render(): void {
    const account = this.ctx.trader.account;
    if (!account) {
      for (const name of FIGURES) this.set(name, "—");
      return;
    }
    const usdtKrw = this.ctx.market.exchangeRate?.usdt_krw_rate ?? account.rates.usdt_krw;
    const live = liveTotals(account.cash, this.positions.positions, usdtKrw);
    const equity = live.equityKrw ?? account.equity_krw;
    this.set(
      "equity",
      formatMoney(equity, "KRW"),
      usdtKrw && equity !== null ? formatMoney(equity / usdtKrw, "USDT") : "",
    );
    this.set("cash", formatMoney(account.cash.KRW ?? 0, "KRW"), formatMoney(account.cash.USDT ?? 0, "USDT"));
    const unrealized = live.unrealizedKrw;
    this.set("unrealizedPnl", formatMoney(unrealized, "KRW", true), "", signOf(unrealized ?? 0));
    const day = account.day.realized_pnl;
    this.set(
      "dayPnl",
      formatMoney(day.KRW ?? 0, "KRW", true),
      formatMoney(day.USDT ?? 0, "USDT", true),
      signOf(account.day.realized_pnl_usd),
    );
    this.set("marginUsed", formatMoney(account.margin_used_krw, "KRW"));
    this.set("buyingPower", formatMoney(account.buying_power_krw, "KRW"));
    this.renderLimits(account);
    const notes: string[] = this.resetNote ? [this.resetNote] : [];
    if (account.stale) notes.push(tr("staleFigures"));
    if (account.usage.cooldown_until) {
      notes.push(fill(tr("cooldownUntil"), { time: new Date(account.usage.cooldown_until).toLocaleTimeString() }));
    }
    setText(this.notes, notes.join(" "));
    this.notes.hidden = notes.length === 0;
  }

  private renderLimits(account: Account): void {
    const { limits, usage } = account;
    const loss = Math.max(0, -usage.daily_realized_pnl_usd);
    const rows: Record<LimitName, [string, number]> = {
      limitPosition: [
        `${usd(usage.largest_position_value_usd)} / ${usd(limits.max_position_value_usd)}`,
        usage.largest_position_value_usd / limits.max_position_value_usd,
      ],
      limitLeverage: [
        `${(usage.leverage ?? 0).toFixed(2)}x / ${limits.max_leverage}x`,
        (usage.leverage ?? 0) / limits.max_leverage,
      ],
      limitDailyLoss: [`${usd(loss)} / ${usd(limits.max_daily_loss_usd)}`, loss / limits.max_daily_loss_usd],
      limitOpenOrders: [`${usage.open_orders} / ${limits.max_open_orders}`, usage.open_orders / limits.max_open_orders],
    };
    for (const name of LIMITS) {
      const [text, share] = rows[name];
      const limit = this.limits[name];
      setText(limit.value, `${text} (${formatPercent(Math.min(share, 9.99) * 100, 0).replace("+", "")})`);
      limit.meter.value = Math.min(1, share);
    }
  }

  private async reset(): Promise<void> {
    try {
      this.ctx.trader.account = await this.ctx.api.post<Account>("/api/account/reset");
      this.confirm.hidden = true;
      this.resetNote = tr("resetDone");
      this.render();
      this.ctx.trader.resync();
      this.resetButton.focus();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.resetNote = error.status === 0 ? tr("networkError") : (error.problem.detail ?? error.problem.title);
      this.render();
    }
  }
}
