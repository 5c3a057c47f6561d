/**
 * A coin's detail view: its current figures, a candle chart per venue and the premium history on
 * both bases, drawn with TradingView's lightweight-charts and kept moving by the live stream.
 */
import {
  type CandlestickData,
  CandlestickSeries,
  ColorType,
  CrosshairMode,
  createChart,
  type IChartApi,
  type ISeriesApi,
  type LineData,
  LineSeries,
  LineStyle,
  TickMarkType,
  type Time,
  type UTCTimestamp,
} from "lightweight-charts";
import type { CandleRow, Coin, PremiumHistoryPoint } from "../../protocol/market";
import {
  CANDLE_INTERVALS,
  type CandleInterval,
  INTERVAL_MS,
  isKrwVenue,
  MARKET_VENUES,
  type MarketVenue,
} from "../../protocol/venues";
import { rowFigures } from "./coin-row";
import { h, setClass } from "./dom";
import type { Favourites } from "./favourites";
import { formatKrw, formatKrwAmount, formatPercent, formatUsdt, signOf } from "./format";
import { lang, type MessageKey, t } from "./i18n";
import type { MarketChange, MarketState } from "./market-state";

const HISTORY_LIMIT = 300;

const COLOURS = {
  up: "#f6465d",
  down: "#3b8cff",
  fx: "#f0b90b",
  usdt: "#2ed3b7",
  grid: "rgba(148, 163, 184, 0.08)",
  text: "#a9b4c4",
  border: "#263041",
};

function pad(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** Chart times are UTC seconds; traders read local (KST) clock times. */
function localTick(time: Time, type: TickMarkType): string {
  const d = new Date((time as number) * 1000);
  switch (type) {
    case TickMarkType.Year:
      return String(d.getFullYear());
    case TickMarkType.Month:
      return lang() === "ko" ? `${d.getMonth() + 1}월` : d.toLocaleString("en", { month: "short" });
    case TickMarkType.DayOfMonth:
      return `${d.getMonth() + 1}/${d.getDate()}`;
    default:
      return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
  }
}

function localTime(time: Time): string {
  const d = new Date((time as number) * 1000);
  return `${d.getMonth() + 1}/${d.getDate()} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

function baseChart(container: HTMLElement): IChartApi {
  return createChart(container, {
    autoSize: true,
    layout: {
      background: { type: ColorType.Solid, color: "transparent" },
      textColor: COLOURS.text,
      fontFamily: "Pretendard, 'Noto Sans KR', system-ui, sans-serif",
      fontSize: 11,
    },
    grid: { vertLines: { color: COLOURS.grid }, horzLines: { color: COLOURS.grid } },
    rightPriceScale: { borderColor: COLOURS.border },
    timeScale: { borderColor: COLOURS.border, timeVisible: true, secondsVisible: false, tickMarkFormatter: localTick },
    crosshair: { mode: CrosshairMode.Normal },
    localization: { timeFormatter: localTime },
  });
}

async function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

export class DetailView {
  readonly element: HTMLElement;
  private readonly heading: HTMLElement;
  private readonly subheading: HTMLElement;
  private readonly star: HTMLButtonElement;
  private readonly tags: HTMLElement;
  private readonly intervalBar: HTMLElement;
  private readonly venueBar: HTMLElement;
  private readonly priceBox: HTMLElement;
  private readonly premiumBox: HTMLElement;
  private readonly priceNote: HTMLElement;
  private readonly premiumNote: HTMLElement;
  private readonly priceTitle: HTMLElement;
  private readonly premiumTitle: HTMLElement;
  private readonly legend: HTMLElement;
  private readonly backButton: HTMLAnchorElement;
  private symbol: string | null = null;
  private interval: CandleInterval = "1m";
  private venue: MarketVenue = "upbit";
  private priceChart: IChartApi | null = null;
  private premiumChart: IChartApi | null = null;
  private candles: ISeriesApi<"Candlestick"> | null = null;
  private fxLine: ISeriesApi<"Line"> | null = null;
  private usdtLine: ISeriesApi<"Line"> | null = null;
  private lastCandle: CandlestickData<UTCTimestamp> | null = null;
  private lastPremiumTime = 0;
  /** The venues the venue switch offered when last drawn. */
  private venueKey = "";
  private loading: AbortController | null = null;

  constructor(
    private readonly market: MarketState,
    private readonly favourites: Favourites,
  ) {
    this.heading = h("h1", { class: "detail-name", id: "detail-title", tabindex: "-1" });
    this.subheading = h("span", { class: "detail-sub" });
    this.tags = h("span", { class: "tags" });
    this.star = h("button", {
      type: "button",
      class: "star detail-star",
      onclick: () => this.symbol && this.favourites.toggle(this.symbol),
    });
    this.backButton = h("a", { class: "back", href: "#/" });
    this.intervalBar = h("div", { class: "segmented", role: "group" });
    this.venueBar = h("div", { class: "segmented", role: "group" });
    this.priceBox = h("div", { class: "chart", id: "price-chart" });
    this.premiumBox = h("div", { class: "chart chart-premium", id: "premium-chart" });
    this.priceNote = h("p", { class: "chart-note", hidden: true });
    this.premiumNote = h("p", { class: "chart-note", hidden: true });
    this.priceTitle = h("h2", { class: "panel-title" });
    this.premiumTitle = h("h2", { class: "panel-title" });
    this.legend = h("span", { class: "legend" });
    this.element = h(
      "section",
      { class: "detail", "aria-labelledby": "detail-title", hidden: true },
      h(
        "div",
        { class: "detail-head" },
        this.backButton,
        h("div", { class: "detail-title" }, this.star, this.heading, this.subheading, this.tags),
      ),
      h("dl", { class: "detail-figures" }),
      h("div", { class: "detail-controls" }, this.intervalBar, this.venueBar),
      h(
        "div",
        { class: "chart-panel" },
        h("div", { class: "chart-head" }, this.priceTitle),
        h("div", { class: "chart-body" }, this.priceBox, this.priceNote),
      ),
      h(
        "div",
        { class: "chart-panel" },
        h("div", { class: "chart-head" }, this.premiumTitle, this.legend),
        h("div", { class: "chart-body" }, this.premiumBox, this.premiumNote),
      ),
    );
    market.onChange((change) => this.onMarket(change));
    favourites.onChange((s) => {
      if (s === this.symbol) this.renderStar();
    });
  }

  /** Opens the view for a coin (or re-renders it after a language change). */
  show(symbol: string): void {
    const changed = symbol !== this.symbol;
    this.symbol = symbol;
    this.element.hidden = false;
    if (changed) {
      const coin = this.market.coins.get(symbol);
      this.venue = (coin && MARKET_VENUES.find((v) => coin.prices[v])) || "upbit";
    }
    this.renderStatic();
    this.renderFigures();
    this.renderControls();
    this.ensureCharts();
    if (changed) void this.load();
  }

  /** Closes the view and frees its charts. */
  hide(): void {
    this.element.hidden = true;
    this.symbol = null;
    this.loading?.abort();
    this.priceChart?.remove();
    this.premiumChart?.remove();
    this.priceChart = this.premiumChart = null;
    this.candles = this.fxLine = this.usdtLine = null;
  }

  /** Re-renders labels in the current language. */
  relabel(): void {
    if (this.symbol) {
      this.renderStatic();
      this.renderFigures();
      this.renderControls();
    }
  }

  private coin(): Coin | undefined {
    return this.symbol ? this.market.coins.get(this.symbol) : undefined;
  }

  private renderStar(): void {
    const on = this.symbol !== null && this.favourites.has(this.symbol);
    this.star.textContent = on ? "★" : "☆";
    this.star.setAttribute("aria-pressed", String(on));
    this.star.setAttribute("aria-label", on ? t("favRemove") : t("favAdd"));
    setClass(this.star, "on", on);
  }

  private renderStatic(): void {
    const coin = this.coin();
    const symbol = this.symbol ?? "";
    const ko = lang() === "ko";
    const primary = (ko ? coin?.korean_name : coin?.english_name) ?? coin?.english_name ?? symbol;
    const secondary = ko ? coin?.english_name : coin?.korean_name;
    this.heading.textContent = primary;
    this.subheading.textContent = [symbol, secondary].filter(Boolean).join(" · ");
    this.backButton.textContent = t("back");
    this.backButton.setAttribute("aria-label", t("backLabel"));
    this.priceTitle.textContent = `${t("priceChart")} · ${t(`venue_${this.venue}` as MessageKey)}`;
    this.premiumTitle.textContent = t("premiumChart");
    this.legend.replaceChildren(
      h("span", { class: "legend-item", style: `--c:${COLOURS.fx}` }, t("premiumFx")),
      h("span", { class: "legend-item", style: `--c:${COLOURS.usdt}` }, t("premiumUsdt")),
    );
    this.tags.replaceChildren(
      ...(coin?.warnings ?? []).map((w) => h("span", { class: "badge badge-caution", title: w }, w)),
    );
    this.renderStar();
    document.title = `${symbol} ${primary} · ${t("title")}`;
  }

  private renderFigures(): void {
    const coin = this.coin();
    const dl = this.element.querySelector(".detail-figures") as HTMLElement;
    if (!coin) {
      dl.replaceChildren(h("div", { class: "fig" }, h("dd", { class: "fig-value" }, t("unknownCoin"))));
      return;
    }
    const fig = rowFigures(coin, this.market.exchangeRate);
    const entries: [MessageKey, string, string, number | null][] = [
      [fig.krwVenue === "bithumb" ? "venue_bithumb" : "colKrw", `${formatKrw(fig.krwPrice)} KRW`, "krw", fig.change],
      ["colChange", formatPercent(fig.change), "change", fig.change],
      [
        fig.globalVenue === "bybit" ? "venue_bybit" : "colGlobal",
        `${formatUsdt(fig.globalPrice)} USDT`,
        "global",
        null,
      ],
      ["colPremiumUnit", formatPercent(fig.premium), "premium", fig.premium],
      ["colUsdtPremiumUnit", formatPercent(fig.usdtPremium), "usdt-premium", fig.usdtPremium],
      ["colValue", formatKrwAmount(fig.value), "value", null],
    ];
    const premiumWord = t("colPremium");
    dl.replaceChildren(
      ...entries.map(([label, value, id, sign]) => {
        const s = signOf(sign);
        const labelText =
          label === "colPremiumUnit" || label === "colUsdtPremiumUnit" ? `${premiumWord} (${t(label)})` : t(label);
        return h(
          "div",
          { class: `fig fig-${id}` },
          h("dt", {}, labelText),
          h("dd", { class: `fig-value${s > 0 ? " up" : s < 0 ? " down" : ""}`, id: `detail-${id}` }, value),
        );
      }),
    );
  }

  private renderControls(): void {
    this.intervalBar.setAttribute("aria-label", t("interval"));
    this.intervalBar.replaceChildren(
      ...CANDLE_INTERVALS.map((iv) =>
        h(
          "button",
          {
            type: "button",
            class: "seg",
            "aria-pressed": String(iv === this.interval),
            onclick: () => {
              if (this.interval === iv) return;
              this.interval = iv;
              this.renderControls();
              void this.load();
            },
          },
          iv,
        ),
      ),
    );
    const coin = this.coin();
    const venues = MARKET_VENUES.filter((v) => coin?.prices[v]);
    this.venueKey = venues.join(",");
    this.venueBar.hidden = venues.length === 0;
    this.venueBar.setAttribute("aria-label", t("venue"));
    this.venueBar.replaceChildren(
      ...venues.map((v) =>
        h(
          "button",
          {
            type: "button",
            class: "seg",
            "aria-pressed": String(v === this.venue),
            onclick: () => {
              if (this.venue === v) return;
              this.venue = v;
              this.renderControls();
              this.renderStatic();
              void this.load(true);
            },
          },
          t(`venue_${v}` as MessageKey),
        ),
      ),
    );
  }

  private ensureCharts(): void {
    if (this.priceChart) return;
    this.priceChart = baseChart(this.priceBox);
    this.candles = this.priceChart.addSeries(CandlestickSeries, {
      upColor: COLOURS.up,
      downColor: COLOURS.down,
      borderUpColor: COLOURS.up,
      borderDownColor: COLOURS.down,
      wickUpColor: COLOURS.up,
      wickDownColor: COLOURS.down,
    });
    this.premiumChart = baseChart(this.premiumBox);
    const percent = { type: "custom" as const, formatter: (v: number) => formatPercent(v), minMove: 0.01 };
    this.fxLine = this.premiumChart.addSeries(LineSeries, {
      color: COLOURS.fx,
      lineWidth: 2,
      priceFormat: percent,
      title: "",
    });
    this.usdtLine = this.premiumChart.addSeries(LineSeries, {
      color: COLOURS.usdt,
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

  /** Loads candles and premium history for the current coin, interval and venue. */
  private async load(priceOnly = false): Promise<void> {
    const symbol = this.symbol;
    if (!symbol) return;
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    const q = `interval=${this.interval}&limit=${HISTORY_LIMIT}`;
    const s = encodeURIComponent(symbol);
    const krwQuote = isKrwVenue(this.venue);
    const formatter = krwQuote ? formatKrw : formatUsdt;
    this.candles?.applyOptions({
      priceFormat: { type: "custom", formatter: (v: number) => formatter(v), minMove: krwQuote ? 0.0001 : 0.00000001 },
    });
    const [candles, premiums] = await Promise.allSettled([
      getJson<CandleRow[]>(`/api/market/candles/${s}?venue=${this.venue}&${q}`, controller.signal),
      priceOnly
        ? Promise.resolve(null)
        : getJson<PremiumHistoryPoint[]>(`/api/market/premiums/${s}/history?${q}`, controller.signal),
    ]);
    if (controller.signal.aborted || symbol !== this.symbol) return;

    if (candles.status === "fulfilled") {
      const data = candles.value.map(
        ([ts, open, high, low, close]): CandlestickData<UTCTimestamp> => ({
          time: (ts / 1000) as UTCTimestamp,
          open,
          high,
          low,
          close,
        }),
      );
      this.candles?.setData(data);
      this.lastCandle = data[data.length - 1] ?? null;
      this.note(this.priceNote, data.length === 0 ? t("noHistory") : "");
      this.priceChart?.timeScale().fitContent();
    } else {
      this.candles?.setData([]);
      this.lastCandle = null;
      this.note(this.priceNote, t("loadFailed"));
    }

    if (premiums.status === "fulfilled" && premiums.value) {
      const fx: LineData<UTCTimestamp>[] = [];
      const usdt: LineData<UTCTimestamp>[] = [];
      for (const p of premiums.value) {
        const time = (p.timestamp / 1000) as UTCTimestamp;
        if (p.premium_percent !== null) fx.push({ time, value: p.premium_percent });
        if (p.usdt_premium_percent !== null) usdt.push({ time, value: p.usdt_premium_percent });
      }
      this.fxLine?.setData(fx);
      this.usdtLine?.setData(usdt);
      this.lastPremiumTime = premiums.value.length ? premiums.value[premiums.value.length - 1].timestamp / 1000 : 0;
      this.note(this.premiumNote, premiums.value.length === 0 ? t("noHistory") : "");
      this.premiumChart?.timeScale().fitContent();
    } else if (premiums.status === "rejected") {
      this.note(this.premiumNote, t("loadFailed"));
    }
  }

  private note(el: HTMLElement, text: string): void {
    el.textContent = text;
    el.hidden = text === "";
  }

  /** Folds a live tick into the last candle and the premium lines, so the charts move with the board. */
  private onMarket(change: MarketChange): void {
    const symbol = this.symbol;
    if (!symbol || !change.coins.has(symbol)) return;
    const coin = this.market.coins.get(symbol);
    if (!coin) return;
    // Names, flags and the venues on offer may arrive after the view opened (a direct link).
    const venues = MARKET_VENUES.filter((v) => coin.prices[v]).join(",");
    if (change.snapshot || venues !== this.venueKey) {
      if (!coin.prices[this.venue]) {
        this.venue = MARKET_VENUES.find((v) => coin.prices[v]) ?? this.venue;
        void this.load(true);
      }
      this.renderStatic();
      this.renderControls();
    }
    this.renderFigures();
    const step = INTERVAL_MS[this.interval];
    const price = coin.prices[this.venue];
    if (price && this.candles && this.lastCandle) {
      const time = (Math.floor(price.timestamp / step) * step) / 1000;
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
    const premium = coin.premium;
    if (premium && this.fxLine && this.usdtLine) {
      const time = (Math.floor(premium.timestamp / step) * step) / 1000;
      if (time >= this.lastPremiumTime && this.lastPremiumTime > 0) {
        this.lastPremiumTime = time;
        if (premium.premium_percent !== null)
          this.fxLine.update({ time: time as UTCTimestamp, value: premium.premium_percent });
        if (premium.usdt_premium_percent !== null)
          this.usdtLine.update({ time: time as UTCTimestamp, value: premium.usdt_premium_percent });
      }
    }
  }
}
