/**
 * The premium trade ticket: buy a coin on one venue and sell the same quantity on the other in one
 * request (`POST /api/trades/premium`), with the premium now and, once placed, at entry and the
 * combined PnL in KRW (the desk keeps showing both as the market moves).
 */
import type { PremiumTrade } from "../../../protocol/trading";
import { GLOBAL_VENUES, KRW_VENUES } from "../../../protocol/venues";
import { ApiError } from "../api";
import { h, setText } from "../dom";
import { FormField, showFieldErrors } from "../form-field";
import { formatMoney, formatPercent, formatQuantity } from "../format";
import { fill, t } from "../i18n";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";

type Direction = "sell-korea" | "buy-korea";

export class PremiumTicket {
  readonly element: HTMLFormElement;
  private symbol = "";
  private readonly direction = new FormField(h("select", { class: "input" }), "direction");
  private readonly krwVenue = new FormField(h("select", { class: "input" }), "krw_venue");
  private readonly globalVenue = new FormField(h("select", { class: "input" }), "global_venue");
  private readonly quantity = new FormField(
    h("input", { type: "text", inputmode: "decimal", autocomplete: "off", class: "input input-num" }),
    "quantity",
  );
  private readonly intro = h("p", { class: "ticket-intro" });
  private readonly figures = h("dl", { class: "estimate", id: "premium-figures" });
  private readonly message = h("p", { class: "form-message", role: "alert", hidden: true });
  private readonly result = h("dl", { class: "estimate premium-result", id: "premium-result", hidden: true });
  private readonly submit = h("button", { type: "submit", class: "button button-primary", id: "premium-submit" });
  private idempotencyKey: string | null = null;
  private busy = false;

  constructor(private readonly ctx: TraderContext) {
    this.direction.control.append(h("option", { value: "sell-korea" }), h("option", { value: "buy-korea" }));
    this.element = h(
      "form",
      { class: "ticket", id: "premium-ticket", novalidate: true, onsubmit: (e: Event) => this.onSubmit(e) },
      this.intro,
      this.direction.element,
      h("div", { class: "ticket-row" }, this.krwVenue.element, this.globalVenue.element),
      this.quantity.element,
      this.figures,
      this.message,
      this.result,
      this.submit,
    );
    for (const control of [this.direction.control, this.krwVenue.control, this.globalVenue.control])
      control.addEventListener("change", () => this.renderFigures());
    this.quantity.control.addEventListener("input", () => this.renderFigures());
    ctx.market.onChange((change) => {
      if (change.coins.has(this.symbol) && this.element.checkVisibility()) this.renderFigures();
    });
    this.relabel();
  }

  setSymbol(symbol: string): void {
    if (symbol !== this.symbol) {
      this.quantity.control.value = "";
      this.result.hidden = true;
    }
    this.symbol = symbol;
    const coin = this.ctx.market.coins.get(symbol);
    const fillVenues = (select: HTMLSelectElement, venues: readonly string[]) => {
      const listed = venues.filter((v) => coin?.prices[v as "upbit"]);
      select.replaceChildren(...listed.map((v) => h("option", { value: v }, t(`venue_${v}` as "venue_upbit"))));
    };
    fillVenues(this.krwVenue.control, KRW_VENUES);
    fillVenues(this.globalVenue.control, GLOBAL_VENUES);
    // A positive premium is earned by selling in Korea; a negative one by buying there.
    const premium = coin?.premium?.premium_percent ?? 0;
    this.direction.control.value = premium >= 0 ? "sell-korea" : "buy-korea";
    this.idempotencyKey = null;
    this.message.hidden = true;
    this.renderFigures();
  }

  focusFirst(): void {
    this.quantity.control.focus();
  }

  relabel(): void {
    setText(this.intro, tr("premiumIntro"));
    this.direction.setLabel(tr("premiumDirection"));
    const [sellKorea, buyKorea] = this.direction.control.options;
    if (sellKorea) sellKorea.textContent = tr("premiumSellKorea");
    if (buyKorea) buyKorea.textContent = tr("premiumBuyKorea");
    this.krwVenue.setLabel(tr("krwVenue"));
    this.globalVenue.setLabel(tr("globalVenue"));
    this.quantity.setLabel(fill(tr("quantityOf"), { coin: this.symbol }));
    setText(this.submit, this.busy ? tr("working") : tr("premiumPlace"));
    this.renderFigures();
  }

  private legs(): { buy_venue: string; sell_venue: string } {
    const krw = this.krwVenue.control.value;
    const global = this.globalVenue.control.value;
    return (this.direction.control.value as Direction) === "sell-korea"
      ? { buy_venue: global, sell_venue: krw }
      : { buy_venue: krw, sell_venue: global };
  }

  private renderFigures(): void {
    this.quantity.setLabel(fill(tr("quantityOf"), { coin: this.symbol }));
    const coin = this.ctx.market.coins.get(this.symbol);
    const krwPrice = coin?.prices[this.krwVenue.control.value as "upbit"]?.price ?? null;
    const globalPrice = coin?.prices[this.globalVenue.control.value as "binance"]?.price ?? null;
    const quantity = Number(this.quantity.control.value);
    const rows: [string, string][] = [
      [tr("premiumNow"), formatPercent(coin?.premium?.premium_percent)],
      [`${t(`venue_${this.krwVenue.control.value || "upbit"}` as "venue_upbit")}`, formatMoney(krwPrice, "KRW")],
      [
        `${t(`venue_${this.globalVenue.control.value || "binance"}` as "venue_binance")}`,
        formatMoney(globalPrice, "USDT"),
      ],
    ];
    if (quantity > 0 && krwPrice !== null && globalPrice !== null) {
      rows.push([
        tr("estValue"),
        `${formatMoney(quantity * krwPrice, "KRW")} / ${formatMoney(quantity * globalPrice, "USDT")}`,
      ]);
    }
    this.figures.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.message.hidden = true;
    const body = { symbol: this.symbol, quantity: this.quantity.control.value.trim() || "0", ...this.legs() };
    this.idempotencyKey ??= crypto.randomUUID();
    this.setBusy(true);
    try {
      const trade = await this.ctx.api.post<PremiumTrade>("/api/trades/premium", body, {
        "Idempotency-Key": this.idempotencyKey,
      });
      this.idempotencyKey = null;
      this.quantity.setError(null);
      this.showResult(trade);
      this.ctx.trader.scheduleAccount();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      if (error.status !== 0) this.idempotencyKey = null;
      const first = showFieldErrors([this.quantity], error.problem.errors, () => undefined);
      this.message.hidden = false;
      setText(this.message, error.status === 0 ? tr("networkError") : (error.problem.detail ?? error.problem.title));
      (first?.control ?? this.quantity.control).focus();
    } finally {
      this.setBusy(false);
    }
  }

  private showResult(trade: PremiumTrade): void {
    this.result.hidden = false;
    const rows: [string, string][] = [
      [tr("premiumPlaced"), `${formatQuantity(trade.quantity)} ${trade.symbol}`],
      [tr("premiumEntry"), formatPercent(trade.entry.premium_percent)],
      [tr("premiumNow"), formatPercent(trade.now.premium_percent)],
      [tr("premiumPnl"), formatMoney(trade.pnl_krw, "KRW", true)],
    ];
    this.result.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.submit.disabled = busy;
    setText(this.submit, busy ? tr("working") : tr("premiumPlace"));
  }
}
