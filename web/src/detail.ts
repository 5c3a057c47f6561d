/**
 * A coin's detail view: its current figures, a candle chart per venue and the premium history on
 * both bases, drawn with TradingView's lightweight-charts and kept moving by the live stream. This
 * file holds the view's state (coin, interval, venue), its switches and its loads; the title row,
 * the figure strip and the charts each live in their own file.
 */
import type { CandleRow, Coin, PremiumHistoryPoint } from "../../protocol/market";
import {
  CANDLE_INTERVALS,
  type CandleInterval,
  INTERVAL_MS,
  MARKET_VENUES,
  type MarketVenue,
} from "../../protocol/venues";
import { DetailCharts } from "./detail-charts";
import { DetailFigures } from "./detail-figures";
import { DetailHeader, type TradeTab } from "./detail-header";
import { h } from "./dom";
import type { Favourites } from "./favourites";
import { type MessageKey, t } from "./i18n";
import type { MarketChange, MarketState } from "./market-state";

const HISTORY_LIMIT = 300;
/** Daily candles: a year and a bit, what the collectors backfill at least. */
const DAILY_LIMIT = 400;

async function getJson<T>(path: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(path, { signal, headers: { Accept: "application/json" } });
  if (!res.ok) throw new Error(`${path}: HTTP ${res.status}`);
  return (await res.json()) as T;
}

/** The detail view of one coin at a time, opened from the board at `#/coin/SYMBOL`. */
export class DetailView {
  readonly element: HTMLElement;
  private readonly header: DetailHeader;
  private readonly figures: DetailFigures;
  private readonly charts: DetailCharts;
  private readonly intervalBar: HTMLElement;
  private readonly venueBar: HTMLElement;
  private symbol: string | null = null;
  private interval: CandleInterval = "1m";
  private venue: MarketVenue = "upbit";
  /** The venues the venue switch offered when last drawn. */
  private venueKey = "";
  private loading: AbortController | null = null;

  constructor(
    private readonly market: MarketState,
    private readonly favourites: Favourites,
    /** Opens the order, premium-trade or alert dialog for the coin shown. */
    onTrade: (symbol: string, tab: TradeTab, opener: HTMLElement) => void,
  ) {
    this.header = new DetailHeader(
      favourites,
      () => this.symbol && this.favourites.toggle(this.symbol),
      (tab, opener) => this.symbol && onTrade(this.symbol, tab, opener),
    );
    this.figures = new DetailFigures();
    this.charts = new DetailCharts();
    this.intervalBar = h("div", { class: "segmented", role: "group" });
    this.venueBar = h("div", { class: "segmented", role: "group" });
    this.element = h(
      "section",
      { class: "detail", "aria-labelledby": "detail-title", hidden: true },
      this.header.element,
      this.figures.element,
      h("div", { class: "detail-controls" }, this.intervalBar, this.venueBar),
      this.charts.pricePanel,
      this.charts.premiumPanel,
    );
    market.onChange((change) => this.onMarket(change));
    favourites.onChange((s) => {
      if (s === this.symbol) this.header.renderStar(this.symbol);
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
    this.charts.ensure();
    if (changed) void this.load();
  }

  /** Closes the view and frees its charts. */
  hide(): void {
    this.element.hidden = true;
    this.symbol = null;
    this.loading?.abort();
    this.charts.remove();
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

  private renderStatic(): void {
    this.header.render(this.symbol, this.coin());
    this.charts.relabel(this.venue);
  }

  private renderFigures(): void {
    this.figures.render(this.coin(), this.market.exchangeRate);
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

  /** Loads candles and premium history for the current coin, interval and venue. */
  private async load(priceOnly = false): Promise<void> {
    const symbol = this.symbol;
    if (!symbol) return;
    this.loading?.abort();
    const controller = new AbortController();
    this.loading = controller;
    const q = `interval=${this.interval}&limit=${this.interval === "1d" ? DAILY_LIMIT : HISTORY_LIMIT}`;
    const s = encodeURIComponent(symbol);
    this.charts.quoteIn(this.venue);
    const [candles, premiums] = await Promise.allSettled([
      getJson<CandleRow[]>(`/api/market/candles/${s}?venue=${this.venue}&${q}`, controller.signal),
      priceOnly
        ? Promise.resolve(null)
        : getJson<PremiumHistoryPoint[]>(`/api/market/premiums/${s}/history?${q}`, controller.signal),
    ]);
    if (controller.signal.aborted || symbol !== this.symbol) return;

    if (candles.status === "fulfilled") this.charts.showCandles(candles.value);
    else this.charts.candlesFailed();

    if (premiums.status === "fulfilled" && premiums.value) this.charts.showPremiums(premiums.value);
    else if (premiums.status === "rejected") this.charts.premiumsFailed();
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
    this.charts.foldPrice(coin.prices[this.venue], step);
    this.charts.foldPremium(coin.premium, step);
  }
}
