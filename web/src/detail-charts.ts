/**
 * The detail view's two chart panels: candles of one venue's price, and the premium history on both
 * bases (USD/KRW and USDT/KRW). Loaded history is drawn whole; live ticks then extend the last candle
 * and the premium lines, so the charts move with the board.
 */
import {
  type CandlestickData,
  CandlestickSeries,
  type HistogramData,
  HistogramSeries,
  type IChartApi,
  type ISeriesApi,
  type LineData,
  LineSeries,
  LineStyle,
  type UTCTimestamp,
} from "lightweight-charts";
import type { CandleRow, Premium, PremiumHistoryPoint, VenuePrice } from "../../protocol/market";
import { isKrwVenue, type MarketVenue } from "../../protocol/venues";
import { CHART_COLOURS, createThemedChart } from "./chart-theme";
import { h } from "./dom";
import { formatKrw, formatPercent, formatUsdt } from "./format";
import { type MessageKey, t } from "./i18n";

/** The price and premium chart panels of the detail view, and the series drawn in them. */
export class DetailCharts {
  /** The price panel: its title, the candle chart and a note for empty or failed loads. */
  readonly pricePanel: HTMLElement;
  /** The premium panel: its title and legend, the two premium lines and a note. */
  readonly premiumPanel: HTMLElement;
  private readonly priceBox: HTMLElement;
  private readonly premiumBox: HTMLElement;
  private readonly priceNote: HTMLElement;
  private readonly premiumNote: HTMLElement;
  private readonly priceTitle: HTMLElement;
  private readonly premiumTitle: HTMLElement;
  private readonly legend: HTMLElement;
  private priceChart: IChartApi | null = null;
  private premiumChart: IChartApi | null = null;
  private candles: ISeriesApi<"Candlestick"> | null = null;
  /** What traded in each candle's period (the venue's own figure), in the bottom fifth of the panel. */
  private volume: ISeriesApi<"Histogram"> | null = null;
  private fxLine: ISeriesApi<"Line"> | null = null;
  private usdtLine: ISeriesApi<"Line"> | null = null;
  private lastCandle: CandlestickData<UTCTimestamp> | null = null;
  private lastPremiumTime = 0;

  constructor() {
    this.priceBox = h("div", { class: "chart", id: "price-chart" });
    this.premiumBox = h("div", { class: "chart chart-premium", id: "premium-chart" });
    this.priceNote = h("p", { class: "chart-note", hidden: true });
    this.premiumNote = h("p", { class: "chart-note", hidden: true });
    this.priceTitle = h("h2", { class: "panel-title" });
    this.premiumTitle = h("h2", { class: "panel-title" });
    this.legend = h("span", { class: "legend" });
    this.pricePanel = h(
      "div",
      { class: "chart-panel" },
      h("div", { class: "chart-head" }, this.priceTitle),
      h("div", { class: "chart-body" }, this.priceBox, this.priceNote),
    );
    this.premiumPanel = h(
      "div",
      { class: "chart-panel" },
      h("div", { class: "chart-head" }, this.premiumTitle, this.legend),
      h("div", { class: "chart-body" }, this.premiumBox, this.premiumNote),
    );
  }

  /** Writes the panel titles and the legend in the current language; the price title names `venue`. */
  relabel(venue: MarketVenue): void {
    this.priceTitle.textContent = `${t("priceChart")} · ${t(`venue_${venue}` as MessageKey)}`;
    this.premiumTitle.textContent = t("premiumChart");
    this.legend.replaceChildren(
      h("span", { class: "legend-item", style: `--c:${CHART_COLOURS.fx}` }, t("premiumFx")),
      h("span", { class: "legend-item", style: `--c:${CHART_COLOURS.usdt}` }, t("premiumUsdt")),
    );
  }

  /** Creates both charts and their series, unless they are already there. */
  ensure(): void {
    if (this.priceChart) return;
    this.priceChart = createThemedChart(this.priceBox);
    this.candles = this.priceChart.addSeries(CandlestickSeries, {
      upColor: CHART_COLOURS.up,
      downColor: CHART_COLOURS.down,
      borderUpColor: CHART_COLOURS.up,
      borderDownColor: CHART_COLOURS.down,
      wickUpColor: CHART_COLOURS.up,
      wickDownColor: CHART_COLOURS.down,
    });
    this.volume = this.priceChart.addSeries(HistogramSeries, {
      priceScaleId: "volume",
      priceFormat: { type: "volume" },
      lastValueVisible: false,
      priceLineVisible: false,
    });
    this.priceChart.priceScale("volume").applyOptions({ scaleMargins: { top: 0.8, bottom: 0 } });
    this.candles.priceScale().applyOptions({ scaleMargins: { top: 0.05, bottom: 0.22 } });
    this.premiumChart = createThemedChart(this.premiumBox);
    const percent = { type: "custom" as const, formatter: (v: number) => formatPercent(v), minMove: 0.01 };
    this.fxLine = this.premiumChart.addSeries(LineSeries, {
      color: CHART_COLOURS.fx,
      lineWidth: 2,
      priceFormat: percent,
      title: "",
    });
    this.usdtLine = this.premiumChart.addSeries(LineSeries, {
      color: CHART_COLOURS.usdt,
      lineWidth: 2,
      priceFormat: percent,
    });
    this.fxLine.createPriceLine({
      price: 0,
      color: "rgba(169, 180, 196, 0.45)",
      lineStyle: LineStyle.Dashed,
      lineWidth: 1,
      axisLabelVisible: false,
    });
  }

  /** Frees both charts and their series (the view closed). */
  remove(): void {
    this.priceChart?.remove();
    this.premiumChart?.remove();
    this.priceChart = this.premiumChart = null;
    this.candles = this.fxLine = this.usdtLine = null;
    this.volume = null;
  }

  /** Formats the price axis in the quote currency of `venue`: KRW or USDT. */
  quoteIn(venue: MarketVenue): void {
    const krwQuote = isKrwVenue(venue);
    const formatter = krwQuote ? formatKrw : formatUsdt;
    this.candles?.applyOptions({
      priceFormat: { type: "custom", formatter: (v: number) => formatter(v), minMove: krwQuote ? 0.0001 : 0.00000001 },
    });
  }

  /** Draws loaded candles in place of the previous ones, with a note when there are none. */
  showCandles(rows: CandleRow[]): void {
    const data = rows.map(
      ([ts, open, high, low, close]): CandlestickData<UTCTimestamp> => ({
        time: (ts / 1000) as UTCTimestamp,
        open,
        high,
        low,
        close,
      }),
    );
    this.candles?.setData(data);
    this.volume?.setData(
      rows.map(
        ([ts, open, , , close, volume]): HistogramData<UTCTimestamp> => ({
          time: (ts / 1000) as UTCTimestamp,
          value: volume,
          color: close >= open ? CHART_COLOURS.upVolume : CHART_COLOURS.downVolume,
        }),
      ),
    );
    this.lastCandle = data[data.length - 1] ?? null;
    this.note(this.priceNote, data.length === 0 ? t("noHistory") : "");
    this.priceChart?.timeScale().fitContent();
  }

  /** Empties the candle chart and says the load failed. */
  candlesFailed(): void {
    this.candles?.setData([]);
    this.volume?.setData([]);
    this.lastCandle = null;
    this.note(this.priceNote, t("loadFailed"));
  }

  /** Draws loaded premium history on both bases, with a note when there is none. */
  showPremiums(points: PremiumHistoryPoint[]): void {
    const fx: LineData<UTCTimestamp>[] = [];
    const usdt: LineData<UTCTimestamp>[] = [];
    for (const p of points) {
      const time = (p.timestamp / 1000) as UTCTimestamp;
      if (p.premium_percent !== null) fx.push({ time, value: p.premium_percent });
      if (p.usdt_premium_percent !== null) usdt.push({ time, value: p.usdt_premium_percent });
    }
    this.fxLine?.setData(fx);
    this.usdtLine?.setData(usdt);
    this.lastPremiumTime = points.length ? points[points.length - 1].timestamp / 1000 : 0;
    this.note(this.premiumNote, points.length === 0 ? t("noHistory") : "");
    this.premiumChart?.timeScale().fitContent();
  }

  /** Says the premium history failed to load (the lines keep what they had). */
  premiumsFailed(): void {
    this.note(this.premiumNote, t("loadFailed"));
  }

  /** Folds a live price into the last candle, or opens the next one; `stepMs` is the candle interval. */
  foldPrice(price: VenuePrice | undefined, stepMs: number): void {
    if (!price || !this.candles || !this.lastCandle) return;
    const time = (Math.floor(price.timestamp / stepMs) * stepMs) / 1000;
    const last = this.lastCandle;
    if (time === last.time) {
      this.lastCandle = {
        ...last,
        high: Math.max(last.high, price.price),
        low: Math.min(last.low, price.price),
        close: price.price,
      };
      this.candles.update(this.lastCandle);
    } else if (time > last.time) {
      this.lastCandle = {
        time: time as UTCTimestamp,
        open: price.price,
        high: price.price,
        low: price.price,
        close: price.price,
      };
      this.candles.update(this.lastCandle);
    }
  }

  /** Extends the premium lines with a live premium, once their history has loaded. */
  foldPremium(premium: Premium | null, stepMs: number): void {
    if (!premium || !this.fxLine || !this.usdtLine) return;
    const time = (Math.floor(premium.timestamp / stepMs) * stepMs) / 1000;
    if (time >= this.lastPremiumTime && this.lastPremiumTime > 0) {
      this.lastPremiumTime = time;
      if (premium.premium_percent !== null)
        this.fxLine.update({ time: time as UTCTimestamp, value: premium.premium_percent });
      if (premium.usdt_premium_percent !== null)
        this.usdtLine.update({ time: time as UTCTimestamp, value: premium.usdt_premium_percent });
    }
  }

  private note(el: HTMLElement, text: string): void {
    el.textContent = text;
    el.hidden = text === "";
  }
}
