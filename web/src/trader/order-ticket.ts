/**
 * The order ticket for one coin: venue, side, type (market, limit, stop, stop limit), time in force,
 * a quantity or an amount (억/만 understood), prices snapped to the venue's price unit, and an
 * estimate of value, fee, total and the resulting position before sending. Enter sends; the
 * server's refusal is shown by the field it names. One idempotency key per order, kept across a
 * retry after a network failure, so an order is never placed twice.
 */

import type { Order, Position } from "../../../protocol/trading";
import { MARKET_VENUES, type MarketVenue, VENUE_CURRENCY } from "../../../protocol/venues";
import { ApiError } from "../api";
import { h, setText } from "../dom";
import { FormField, showFieldErrors } from "../form-field";
import { formatMoney, formatQuantity } from "../format";
import { fill, t } from "../i18n";
import {
  estimateOrder,
  type OrderKind,
  parseKoreanAmount,
  quantityForAmount,
  quantityText,
  type Side,
  snapPrice,
  unitOf,
} from "./order-math";
import type { TraderContext } from "./trader-context";
import { tr } from "./trader-messages";
import { positionKey } from "./trader-state";

const KINDS: OrderKind[] = ["LIMIT", "MARKET", "STOP", "STOP_LIMIT"];
const TIME_IN_FORCE = ["GTC", "IOC", "FOK"] as const;

function select(options: readonly string[]): HTMLSelectElement {
  return h("select", { class: "input" }, ...options.map((value) => h("option", { value }, value)));
}

function textInput(inputmode: "decimal" | "text"): HTMLInputElement {
  return h("input", { type: "text", inputmode, autocomplete: "off", class: "input input-num", spellcheck: "false" });
}

export class OrderTicket {
  readonly element: HTMLFormElement;
  private symbol = "";
  private side: Side = "BUY";
  private readonly venue = new FormField(select([]), "venue");
  private readonly kind = new FormField(select(KINDS), "order_type");
  private readonly tif = new FormField(select(TIME_IN_FORCE), "time_in_force");
  private readonly price = new FormField(textInput("decimal"), "price");
  private readonly stop = new FormField(textInput("decimal"), "stop_price");
  private readonly amount = new FormField(textInput("text"), "quantity");
  private readonly amountMode = select(["quantity", "amount"]);
  private readonly sideButtons: Record<Side, HTMLButtonElement>;
  private readonly sideGroup: HTMLElement;
  private readonly lastPrice = h("button", { type: "button", class: "link-button", id: "ticket-last-price" });
  private readonly estimate = h("dl", { class: "estimate", id: "ticket-estimate" });
  private readonly message = h("p", { class: "form-message", role: "alert", hidden: true });
  private readonly done = h("p", { class: "form-success", role: "status", hidden: true });
  private readonly submit = h("button", { type: "submit", class: "button button-buy", id: "ticket-submit" });
  private idempotencyKey: string | null = null;
  private busy = false;

  constructor(private readonly ctx: TraderContext) {
    const sideButton = (side: Side) =>
      h("button", {
        type: "button",
        class: `side-button side-${side.toLowerCase()}`,
        "aria-pressed": side === "BUY",
        "data-side": side,
        onclick: () => this.setSide(side),
      });
    this.sideButtons = { BUY: sideButton("BUY"), SELL: sideButton("SELL") };
    this.sideGroup = h("div", { class: "side-toggle", role: "group" }, this.sideButtons.BUY, this.sideButtons.SELL);
    this.amountMode.className = "input input-mode";
    this.amount.element.insertBefore(this.amountMode, this.amount.control);
    this.price.element.append(this.lastPrice);
    this.element = h(
      "form",
      { class: "ticket", id: "order-ticket", novalidate: true, onsubmit: (e: Event) => this.onSubmit(e) },
      this.sideGroup,
      h("div", { class: "ticket-row" }, this.venue.element, this.kind.element, this.tif.element),
      h("div", { class: "ticket-row" }, this.stop.element, this.price.element),
      this.amount.element,
      this.estimate,
      this.message,
      this.done,
      this.submit,
    );
    for (const control of [this.venue.control, this.kind.control, this.tif.control, this.amountMode])
      control.addEventListener("change", () => this.render());
    for (const field of [this.price, this.stop, this.amount])
      field.control.addEventListener("input", () => this.renderEstimate());
    this.price.control.addEventListener("blur", () => this.snap(this.price));
    this.stop.control.addEventListener("blur", () => this.snap(this.stop));
    this.lastPrice.addEventListener("click", () => {
      const last = this.lastTraded();
      if (last !== null) this.price.control.value = String(last);
      this.renderEstimate();
    });
    ctx.market.onChange((change) => {
      if (change.coins.has(this.symbol) && this.element.checkVisibility()) this.renderEstimate();
    });
    this.relabel();
  }

  /** Prepares the ticket for a coin: its venues, the last price as the limit, an empty quantity. */
  setSymbol(symbol: string, side: Side = "BUY"): void {
    const changed = symbol !== this.symbol;
    this.symbol = symbol;
    const coin = this.ctx.market.coins.get(symbol);
    const venues = MARKET_VENUES.filter((v) => coin?.prices[v]);
    const current = this.venue.control.value as MarketVenue;
    this.venue.control.replaceChildren(
      ...venues.map((v) => h("option", { value: v }, t(`venue_${v}` as "venue_upbit"))),
    );
    this.venue.control.value = venues.includes(current) && !changed ? current : (venues[0] ?? "upbit");
    if (changed) {
      this.price.control.value = "";
      this.stop.control.value = "";
      this.amount.control.value = "";
      const last = this.lastTraded();
      if (last !== null) this.price.control.value = String(last);
    }
    this.idempotencyKey = null;
    this.done.hidden = true;
    this.message.hidden = true;
    for (const f of this.fields()) f.setError(null);
    this.setSide(side);
  }

  /** Fills the ticket to close `position`: the other side, its whole quantity, on its venue, at market. */
  prefillClose(position: Position): void {
    this.venue.control.value = position.venue;
    this.kind.control.value = "MARKET";
    this.amountMode.value = "quantity";
    this.amount.control.value = quantityText(position.venue, Math.abs(position.quantity));
    this.setSide(position.quantity > 0 ? "SELL" : "BUY");
    this.submit.focus();
  }

  focusFirst(): void {
    (this.amount.control.value ? this.sideButtons[this.side] : this.amount.control).focus();
  }

  relabel(): void {
    this.venue.setLabel(tr("venue"));
    this.kind.setLabel(tr("orderType"));
    this.tif.setLabel(tr("timeInForce"));
    this.price.setLabel(tr("limitPrice"));
    this.stop.setLabel(tr("stopPrice"));
    setText(this.sideButtons.BUY, tr("buy"));
    setText(this.sideButtons.SELL, tr("sell"));
    this.sideGroup.setAttribute("aria-label", tr("side"));
    for (const option of this.kind.control.options) option.textContent = tr(`kind_${option.value as OrderKind}`);
    for (const option of this.tif.control.options) option.textContent = tr(`tif_${option.value as "GTC"}`);
    (this.amountMode.options[0] as HTMLOptionElement).textContent = tr("byQuantity");
    (this.amountMode.options[1] as HTMLOptionElement).textContent = tr("byAmount");
    this.amountMode.setAttribute("aria-label", tr("amountMode"));
    setText(this.lastPrice, tr("useLastPrice"));
    this.render();
  }

  private fields(): FormField<HTMLInputElement | HTMLSelectElement>[] {
    return [this.venue, this.kind, this.tif, this.price, this.stop, this.amount];
  }

  private get venueValue(): MarketVenue {
    return (this.venue.control.value || "upbit") as MarketVenue;
  }

  private get kindValue(): OrderKind {
    return this.kind.control.value as OrderKind;
  }

  private currency(): "KRW" | "USDT" {
    return VENUE_CURRENCY[this.venueValue];
  }

  private lastTraded(): number | null {
    return this.ctx.market.coins.get(this.symbol)?.prices[this.venueValue]?.price ?? null;
  }

  private setSide(side: Side): void {
    this.side = side;
    for (const s of ["BUY", "SELL"] as const) this.sideButtons[s].setAttribute("aria-pressed", String(s === side));
    this.submit.className = `button ${side === "BUY" ? "button-buy" : "button-sell"}`;
    this.render();
  }

  /** Shows the fields the order type uses and the labels that depend on side, venue and mode. */
  private render(): void {
    const kind = this.kindValue;
    const limit = kind === "LIMIT" || kind === "STOP_LIMIT";
    this.price.element.hidden = !limit;
    this.stop.element.hidden = kind !== "STOP" && kind !== "STOP_LIMIT";
    this.tif.element.hidden = !limit;
    const byAmount = this.amountMode.value === "amount";
    this.amount.setLabel(
      byAmount ? fill(tr("amountIn"), { currency: this.currency() }) : fill(tr("quantityOf"), { coin: this.symbol }),
    );
    this.amount.control.placeholder = byAmount && this.currency() === "KRW" ? tr("amountPlaceholder") : "0";
    setText(
      this.submit,
      this.busy ? tr("working") : fill(tr(this.side === "BUY" ? "placeBuy" : "placeSell"), { coin: this.symbol }),
    );
    this.renderEstimate();
  }

  /** The order's quantity from the amount field (a KRW or USDT amount is divided by the price). */
  private quantity(price: number | null): number | null {
    const raw = this.amount.control.value;
    if (this.amountMode.value === "amount") {
      const amount = parseKoreanAmount(raw);
      return amount !== null && price ? quantityForAmount(this.venueValue, amount, price) : null;
    }
    const q = Number(raw.replace(/,/g, ""));
    return raw.trim() && Number.isFinite(q) && q > 0 ? q : null;
  }

  private priceOf(field: FormField): number | null {
    const value = Number(field.control.value.replace(/,/g, ""));
    return field.control.value.trim() && Number.isFinite(value) && value > 0 ? value : null;
  }

  /** Moves a typed price to the venue's price unit and says so in the field's hint. */
  private snap(field: FormField): void {
    const price = this.priceOf(field);
    if (price === null) return;
    const snapped = snapPrice(this.venueValue, this.symbol, price);
    if (snapped !== null && snapped !== price) field.control.value = String(snapped);
    this.renderEstimate();
  }

  private renderEstimate(): void {
    const venue = this.venueValue;
    const kind = this.kindValue;
    const last = this.lastTraded();
    const limitPrice = this.priceOf(this.price);
    const stopPrice = this.priceOf(this.stop);
    const currency = this.currency();
    for (const [field, price] of [
      [this.price, limitPrice ?? last],
      [this.stop, stopPrice ?? last],
    ] as const) {
      field.setHint(
        price ? fill(tr("priceUnitHint"), { unit: formatMoney(unitOf(venue, this.symbol, price).unit, currency) }) : "",
      );
    }
    const reference = kind === "LIMIT" || kind === "STOP_LIMIT" ? limitPrice : kind === "STOP" ? stopPrice : last;
    const quantity = this.quantity(reference);
    this.amount.setHint(
      this.amountMode.value === "amount"
        ? quantity !== null
          ? `= ${formatQuantity(quantity)} ${this.symbol}`
          : ""
        : quantity !== null && reference
          ? `≈ ${formatMoney(quantity * reference, currency)}`
          : "",
    );
    const held = this.ctx.trader.positions.get(positionKey({ venue, symbol: `${this.symbol}/${currency}` }));
    const estimate = estimateOrder({
      venue,
      base: this.symbol,
      side: this.side,
      kind,
      quantity: quantity ?? 0,
      limitPrice,
      stopPrice,
      lastPrice: last,
      held: held ? { quantity: held.quantity, avgPrice: held.avg_price } : null,
    });
    const rows: [string, string][] = [[tr("lastPrice"), last !== null ? formatMoney(last, currency) : "—"]];
    if (estimate) {
      rows.push(
        [kind === "MARKET" ? tr("estPriceMarket") : tr("estPrice"), formatMoney(estimate.price, currency)],
        [tr("estValue"), formatMoney(estimate.value, currency)],
        [
          fill(tr("estFee"), {
            rate: (estimate.feeRate * 100).toFixed(3).replace(/0+$/, ""),
            liquidity: tr(estimate.liquidity),
          }),
          formatMoney(estimate.fee, currency),
        ],
        [tr(this.side === "BUY" ? "estTotalBuy" : "estTotalSell"), formatMoney(estimate.total, currency)],
        [
          tr("estAfter"),
          estimate.after.quantity === 0
            ? tr("flat")
            : `${formatQuantity(estimate.after.quantity)} ${this.symbol} @ ${formatMoney(estimate.after.avgPrice, currency)}`,
        ],
      );
    }
    const buyingPower = this.ctx.trader.account?.buying_power_krw;
    if (buyingPower != null) rows.push([tr("buyingPower"), formatMoney(buyingPower, "KRW")]);
    this.estimate.replaceChildren(...rows.flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)]));
    if (estimate?.belowMinimum) {
      this.estimate.append(
        h(
          "p",
          { class: "estimate-warning" },
          fill(tr("belowMinimum"), { min: formatMoney(estimate.minimum, currency) }),
        ),
      );
    }
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.message.hidden = true;
    this.done.hidden = true;
    for (const field of [this.price, this.stop]) if (!field.element.hidden) this.snap(field);
    const kind = this.kindValue;
    const venue = this.venueValue;
    const limitPrice = kind === "LIMIT" || kind === "STOP_LIMIT" ? this.priceOf(this.price) : null;
    const stopPrice = kind === "STOP" || kind === "STOP_LIMIT" ? this.priceOf(this.stop) : null;
    const quantity = this.quantity(limitPrice ?? stopPrice ?? this.lastTraded());
    const body = {
      symbol: `${this.symbol}/${this.currency()}`,
      venue,
      side: this.side,
      order_type: kind,
      // An unreadable amount goes as typed, so the server names the field and why.
      quantity: quantity !== null ? quantityText(venue, quantity) : this.amount.control.value.trim() || "0",
      ...(limitPrice !== null || !this.price.element.hidden
        ? { price: limitPrice ?? this.price.control.value.trim() }
        : {}),
      ...(stopPrice !== null || !this.stop.element.hidden
        ? { stop_price: stopPrice ?? this.stop.control.value.trim() }
        : {}),
      ...(kind === "LIMIT" || kind === "STOP_LIMIT" ? { time_in_force: this.tif.control.value } : {}),
    };
    this.idempotencyKey ??= crypto.randomUUID();
    this.setBusy(true);
    try {
      const order = await this.ctx.api.post<Order>("/api/orders", body, { "Idempotency-Key": this.idempotencyKey });
      this.idempotencyKey = null;
      for (const field of this.fields()) field.setError(null);
      this.done.hidden = false;
      setText(this.done, fill(tr("orderPlaced"), { status: tr(`status_${order.status}`) }));
      this.amount.control.value = "";
      this.renderEstimate();
      this.ctx.trader.scheduleAccount();
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      // A refusal is final for this key; a network failure keeps it, so a retry cannot place the order twice.
      if (error.status !== 0) this.idempotencyKey = null;
      const first = showFieldErrors(this.fields(), error.problem.errors, (m) => this.showMessage(m));
      this.showMessage(error.status === 0 ? tr("networkError") : (error.problem.detail ?? error.problem.title));
      (first?.control ?? this.amount.control).focus();
    } finally {
      this.setBusy(false);
    }
  }

  private showMessage(text: string): void {
    this.message.hidden = false;
    setText(this.message, text);
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.submit.disabled = busy;
    this.render();
  }
}
