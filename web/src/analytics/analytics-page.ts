/**
 * The trader's analytics (`#/analytics`): the equity curve, the performance figures (return, PnL,
 * drawdown, Sharpe, Sortino, win rate, profit factor), the risk of the positions now (leverage,
 * concentration, 1-day VaR and expected shortfall), a table per market, and CSV downloads.
 * Fetched when shown (`/api/analytics/performance`, `/api/analytics/risk`); the chart library loads
 * with the page's chunk, not with the board.
 */
import { type IChartApi, type ISeriesApi, LineSeries, type Time } from "lightweight-charts";
import type { Performance, Risk } from "../../../protocol/analytics";
import { ApiError } from "../api";
import { CHART_COLOURS, createThemedChart } from "../chart-theme";
import { h, setText } from "../dom";
import { formatMoney, formatPercent } from "../format";
import { fill } from "../i18n";
import type { Page } from "../page";
import { KeyedTable } from "../trader/keyed-table";
import type { TraderContext } from "../trader/trader-context";
import { ta } from "./analytics-messages";

type Figure = [label: () => string, value: string];

const ratio = (x: number | null) => (x === null ? "—" : x.toFixed(2));
const share = (x: number | null) => (x === null ? "—" : formatPercent(x * 100).replace("+", ""));

export class AnalyticsPage implements Page {
  readonly element: HTMLElement;
  private readonly heading = h("h1", { tabindex: "-1", id: "analytics-title" });
  private readonly intro = h("p", { class: "page-note" });
  private readonly curveTitle = h("h2", {});
  private readonly curveBox = h("div", { class: "equity-chart", id: "equity-chart" });
  private readonly curveEmpty = h("p", { class: "table-empty", hidden: true });
  private readonly performanceTitle = h("h2", {});
  private readonly performanceFigures = h("dl", { class: "analytics-figures", id: "performance-figures" });
  private readonly riskTitle = h("h2", {});
  private readonly riskFigures = h("dl", { class: "analytics-figures", id: "risk-figures" });
  private readonly byCoinTitle = h("h2", {});
  private readonly byCoin: KeyedTable<Performance["by_coin"][number]>;
  private readonly dailyCsv = h("button", { type: "button", class: "button button-small" });
  private readonly fillsCsv = h("button", { type: "button", class: "button button-small" });
  private readonly message = h("p", { class: "form-message", role: "alert", hidden: true });
  private chart: IChartApi | null = null;
  private series: ISeriesApi<"Line"> | null = null;
  private performance: Performance | null = null;
  private risk: Risk | null = null;

  constructor(private readonly ctx: TraderContext) {
    this.byCoin = new KeyedTable(
      "analytics-by-coin",
      [
        { name: "key", label: () => ta("colKey"), text: (b) => b.key },
        { name: "fills", label: () => ta("colFills"), numeric: true, text: (b) => String(b.fills) },
        { name: "volume", label: () => ta("colVolume"), numeric: true, text: (b) => formatMoney(b.volume_krw, "KRW") },
        {
          name: "pnl",
          label: () => ta("colPnl"),
          numeric: true,
          text: (b) => formatMoney(b.realized_pnl_krw, "KRW", true),
          tone: (b) => (b.realized_pnl_krw > 0 ? 1 : b.realized_pnl_krw < 0 ? -1 : 0),
        },
        { name: "win", label: () => ta("colWinRate"), numeric: true, text: (b) => share(b.win_rate) },
      ],
      (b) => b.key,
      () => "—",
      () => ta("byCoin"),
    );
    this.dailyCsv.addEventListener(
      "click",
      () => void this.download("/api/analytics/reports/daily?format=csv", "daily-report.csv"),
    );
    this.fillsCsv.addEventListener("click", () => void this.download("/api/fills/export.csv", "fills.csv"));
    this.element = h(
      "section",
      { class: "page analytics", id: "analytics", hidden: true, "aria-labelledby": "analytics-title" },
      this.heading,
      this.intro,
      this.message,
      h("section", { class: "panel analytics-panel" }, this.curveTitle, this.curveBox, this.curveEmpty),
      h(
        "div",
        { class: "analytics-columns" },
        h("section", { class: "panel analytics-panel" }, this.performanceTitle, this.performanceFigures),
        h("section", { class: "panel analytics-panel" }, this.riskTitle, this.riskFigures),
      ),
      h("section", { class: "panel analytics-panel" }, this.byCoinTitle, this.byCoin.element),
      h("div", { class: "button-row" }, this.dailyCsv, this.fillsCsv),
    );
    this.relabel();
  }

  show(): void {
    this.element.hidden = false;
    document.title = `${ta("title")} · Kimchi Edge`;
    this.chart ??= createThemedChart(this.curveBox);
    this.series ??= this.chart.addSeries(LineSeries, { color: CHART_COLOURS.fx, lineWidth: 2 });
    void this.load();
  }

  hide(): void {
    this.element.hidden = true;
  }

  relabel(): void {
    setText(this.heading, ta("title"));
    setText(this.intro, ta("intro"));
    setText(this.curveTitle, ta("curve"));
    setText(this.curveEmpty, ta("curveEmpty"));
    setText(this.performanceTitle, ta("performance"));
    setText(this.riskTitle, ta("risk"));
    setText(this.byCoinTitle, ta("byCoin"));
    setText(this.dailyCsv, ta("dailyCsv"));
    setText(this.fillsCsv, ta("fillsCsv"));
    this.byCoin.relabel();
    this.render();
  }

  private async load(): Promise<void> {
    this.message.hidden = true;
    try {
      [this.performance, this.risk] = await Promise.all([
        this.ctx.api.get<Performance>("/api/analytics/performance"),
        this.ctx.api.get<Risk>("/api/analytics/risk"),
      ]);
      this.render();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      this.message.hidden = false;
      setText(this.message, fill(ta("loadFailed"), { reason: error.message }));
    }
  }

  private render(): void {
    const p = this.performance;
    const r = this.risk;
    if (p) {
      // One point per day: the snapshots, then the account now (drawn at its own moment).
      const points = p.equity_curve.map((point) => ({
        time: Math.floor(
          Date.parse(point.date.length === 10 ? `${point.date}T00:00:00+09:00` : point.date) / 1000,
        ) as Time,
        value: point.equity_krw,
      }));
      this.series?.setData(points);
      this.chart?.timeScale().fitContent();
      this.curveEmpty.hidden = p.equity_curve.length > 1;
      this.figures(this.performanceFigures, [
        [() => ta("totalReturn"), p.total_return === null ? "—" : formatPercent(p.total_return * 100)],
        [() => ta("realized"), formatMoney(p.realized_pnl_krw, "KRW", true)],
        [() => ta("unrealized"), formatMoney(p.unrealized_pnl_krw, "KRW", true)],
        [() => ta("maxDrawdown"), formatPercent(-p.max_drawdown.max_drawdown * 100)],
        [() => ta("sharpe"), ratio(p.sharpe)],
        [() => ta("sortino"), ratio(p.sortino)],
        [() => ta("trades"), String(p.trades.trades)],
        [() => ta("winRate"), share(p.trades.win_rate)],
        [() => ta("profitFactor"), ratio(p.trades.profit_factor)],
        [() => ta("averageWin"), formatMoney(p.trades.average_win_krw, "KRW", true)],
        [() => ta("averageLoss"), formatMoney(p.trades.average_loss_krw, "KRW", true)],
      ]);
      this.byCoin.render(p.by_coin);
    }
    if (r) {
      const varNote = fill(ta("varDays"), { n: r.value_at_risk.days });
      this.figures(this.riskFigures, [
        [() => ta("grossExposure"), formatMoney(r.gross_exposure_krw, "KRW")],
        [() => ta("grossLeverage"), r.gross_leverage === null ? "—" : `${r.gross_leverage.toFixed(2)}x`],
        [() => ta("netLeverage"), r.net_leverage === null ? "—" : `${r.net_leverage.toFixed(2)}x`],
        [
          () => ta("largest"),
          r.concentration.largest ? `${r.concentration.largest} (${share(r.concentration.largest_share)})` : "—",
        ],
        [() => ta("var95"), `${formatMoney(r.value_at_risk.var_95_krw, "KRW")} · ${varNote}`],
        [() => ta("var99"), formatMoney(r.value_at_risk.var_99_krw, "KRW")],
        [() => ta("es95"), formatMoney(r.value_at_risk.expected_shortfall_95_krw, "KRW")],
      ]);
    }
  }

  private figures(list: HTMLElement, rows: Figure[]): void {
    list.replaceChildren(...rows.flatMap(([label, value]) => [h("dt", {}, label()), h("dd", {}, value)]));
  }

  /** Downloads a CSV the API serves to the signed-in user (the bearer token cannot ride on a plain link). */
  private async download(path: string, name: string): Promise<void> {
    const token = await this.ctx.session.accessToken();
    const res = await fetch(path, { headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!res.ok) {
      this.message.hidden = false;
      setText(this.message, fill(ta("loadFailed"), { reason: `${res.status}` }));
      return;
    }
    const url = URL.createObjectURL(await res.blob());
    const link = h("a", { href: url, download: name });
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  }
}
