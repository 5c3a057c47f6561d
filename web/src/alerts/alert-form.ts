/**
 * The form that creates one alert (`POST /api/alerts`) on one coin: price, premium, premium
 * percentile, large liquidation or caution flag, with the rarely changed options (note, re-arm margin,
 * cooldown) folded away. The coin's name and its current figures show beside the fields, so a
 * threshold is picked against today's value. The form checks only that numbers are numbers; the
 * server judges the rest, and its refusal is shown next to the field it names.
 *
 * Embedded on the alerts page and in the trade dialog's alert tab.
 */
import "./alerts.css";
import type { Alert, AlertKind } from "../../../protocol/alerts";
import type { Coin } from "../../../protocol/market";
import { MARKET_VENUES } from "../../../protocol/venues";
import { ApiError } from "../api";
import { h, setText } from "../dom";
import { FormField, showFieldErrors } from "../form-field";
import { fill } from "../i18n";
import type { TraderContext } from "../trader/trader-context";
import {
  CHOICES,
  EVENT_COOLDOWN_SECONDS,
  HYSTERESIS_DEFAULT,
  isLevel,
  KIND_FIELDS,
  LABELS,
  LEVEL_COOLDOWN_SECONDS,
  setOptions,
} from "./alert-fields";
import { cautionText, coinSummary, currentValue, thresholdLabel } from "./alert-hints";
import { tr } from "./alert-messages";
import { coinName, describeCondition, failureText, venueName } from "./alert-words";

type Control = HTMLInputElement | HTMLSelectElement;
type Field = FormField<Control>;

let formCount = 0;

export class AlertForm {
  readonly element: HTMLFormElement;
  private readonly fields = new Map<string, Field>();
  private readonly kind: FormField<HTMLSelectElement>;
  private readonly symbol: FormField<HTMLInputElement>;
  private readonly venue: FormField<HTMLSelectElement>;
  private readonly basis: FormField<HTMLSelectElement>;
  private readonly window: FormField<HTMLSelectElement>;
  private readonly direction: FormField<HTMLSelectElement>;
  private readonly scope: FormField<HTMLSelectElement>;
  private readonly threshold: FormField<HTMLInputElement>;
  private readonly minUsd: FormField<HTMLInputElement>;
  private readonly note: FormField<HTMLInputElement>;
  private readonly hysteresis: FormField<HTMLInputElement>;
  private readonly cooldown: FormField<HTMLInputElement>;
  private readonly coinList: HTMLDataListElement;
  private readonly cautionNote: HTMLElement;
  private readonly advanced: HTMLDetailsElement;
  private readonly advancedLabel: HTMLElement;
  private readonly submitButton: HTMLButtonElement;
  private readonly message: HTMLElement;
  private readonly status: HTMLElement;
  private busy = false;
  /** The coins the suggestion list was built from, to rebuild it only when they change. */
  private listedCoins = -1;

  constructor(
    private readonly ctx: TraderContext,
    private readonly onCreated?: (alert: Alert) => void,
  ) {
    formCount++;
    const select = () => h("select", { class: "input" });
    const number = (mode: "decimal" | "numeric") =>
      h("input", { type: "text", inputmode: mode, autocomplete: "off", spellcheck: "false", class: "input" });
    this.coinList = h("datalist", { id: `alert-coins-${formCount}` });
    this.kind = this.field(select(), "kind");
    this.symbol = this.field(
      h("input", {
        type: "text",
        class: "input",
        list: this.coinList.id,
        autocomplete: "off",
        spellcheck: "false",
        autocapitalize: "characters",
      }),
      "symbol",
    );
    this.venue = this.field(select(), "venue");
    this.basis = this.field(select(), "basis");
    this.window = this.field(select(), "window");
    this.direction = this.field(select(), "direction");
    this.scope = this.field(select(), "scope");
    this.threshold = this.field(number("decimal"), "threshold");
    this.minUsd = this.field(number("numeric"), "min_usd");
    this.note = this.field(h("input", { type: "text", class: "input", maxlength: 200 }), "note");
    this.hysteresis = this.field(number("decimal"), "hysteresis");
    this.cooldown = this.field(number("numeric"), "cooldown_seconds");
    this.cautionNote = h("p", { class: "af-note" });
    this.advancedLabel = h("span", {});
    this.advanced = h(
      "details",
      { class: "af-advanced" },
      h("summary", {}, this.advancedLabel),
      h("div", { class: "af-grid" }, this.note.element, this.hysteresis.element, this.cooldown.element),
    );
    this.submitButton = h("button", { type: "submit", class: "al-btn al-btn-primary" });
    this.message = h("p", { class: "af-message", role: "alert", hidden: true });
    this.status = h("p", { class: "af-status", role: "status" });
    this.element = h(
      "form",
      {
        class: "alert-form",
        novalidate: true,
        onsubmit: (e: Event) => void this.submit(e),
        onkeydown: (e: Event) => this.onKey(e as KeyboardEvent),
      },
      h(
        "div",
        { class: "af-grid" },
        this.kind.element,
        this.symbol.element,
        this.venue.element,
        this.basis.element,
        this.window.element,
        this.scope.element,
        this.direction.element,
        this.threshold.element,
        this.minUsd.element,
      ),
      this.cautionNote,
      this.advanced,
      this.message,
      h("div", { class: "af-actions" }, this.submitButton, this.status),
      this.coinList,
    );
    this.kind.control.addEventListener("change", () => this.renderKind());
    this.symbol.control.addEventListener("input", () => this.renderCoin());
    for (const f of [this.venue, this.basis, this.window])
      f.control.addEventListener("change", () => this.renderHints());
    ctx.market.onChange((change) => {
      if (change.snapshot || change.removed.size > 0 || ctx.market.coins.size !== this.listedCoins)
        this.renderCoinList();
      if (!this.element.checkVisibility()) return; // hidden: hints are written again when it is shown
      const symbol = this.currentSymbol();
      if (change.snapshot) this.renderCoin();
      else if (change.coins.has(symbol)) this.renderHints();
    });
    this.relabel();
    this.renderCoinList();
  }

  /** Sets the coin the alert is for (and clears what the last attempt left). */
  setSymbol(symbol: string): void {
    this.symbol.control.value = symbol.toUpperCase();
    this.clearMessages();
    this.renderCoin();
  }

  /** Focuses the first choice, the kind (the coin is usually set already). */
  focusFirst(): void {
    this.kind.control.focus();
  }

  /** Writes every label, option and hint again in the current language. */
  relabel(): void {
    for (const [path, key] of Object.entries(LABELS)) this.fields.get(path)?.setLabel(tr(key));
    for (const [path, choices] of Object.entries(CHOICES)) {
      const select = this.fields.get(path)?.control as HTMLSelectElement;
      setOptions(
        select,
        choices.map(([value, key]) => [value, tr(key)]),
      );
    }
    this.symbol.control.placeholder = tr("coinPlaceholder");
    this.minUsd.setHint(tr("minUsdHint"));
    this.note.setHint(tr("noteHint"));
    setText(this.advancedLabel, tr("advanced"));
    setText(this.submitButton, this.busy ? tr("submitting") : tr("submit"));
    this.element.setAttribute("aria-label", tr("formTitle"));
    this.renderCoin();
  }

  private field<E extends Control>(control: E, path: string): FormField<E> {
    const field = new FormField(control, path);
    field.element.classList.add("af-field");
    field.element.dataset.for = path;
    this.fields.set(path, field as unknown as Field);
    return field;
  }

  /** Enter submits from a select too (inputs do that natively). */
  private onKey(event: KeyboardEvent): void {
    if (event.key !== "Enter" || (event.target as HTMLElement).tagName !== "SELECT") return;
    event.preventDefault();
    this.element.requestSubmit();
  }

  private coin(): Coin | undefined {
    return this.ctx.market.coins.get(this.currentSymbol());
  }

  /** The coin typed: a symbol in either case, or a coin's Korean or English name. */
  private currentSymbol(): string {
    const text = this.symbol.control.value.trim();
    const upper = text.toUpperCase();
    if (this.ctx.market.coins.has(upper)) return upper;
    const lower = text.toLowerCase();
    for (const coin of this.ctx.market.coins.values()) {
      if (coin.korean_name === text || coin.english_name?.toLowerCase() === lower) return coin.symbol;
    }
    return upper;
  }

  /** Suggestions for the coin field: every coin on the board, by symbol, labelled with its name. */
  private renderCoinList(): void {
    const coins = [...this.ctx.market.coins.values()].sort((a, b) => a.symbol.localeCompare(b.symbol));
    this.listedCoins = this.ctx.market.coins.size;
    this.coinList.replaceChildren(...coins.map((c) => h("option", { value: c.symbol }, coinName(c.symbol, c))));
  }

  /** Shows the fields the chosen kind asks for, with its labels and defaults. */
  private renderKind(): void {
    const kind = this.kind.control.value as AlertKind;
    const shown = new Set(KIND_FIELDS[kind]);
    for (const path of ["venue", "basis", "window", "direction", "scope", "threshold", "min_usd", "hysteresis"]) {
      (this.fields.get(path) as Field).element.hidden = !shown.has(path);
    }
    this.cautionNote.hidden = kind !== "caution";
    if (isLevel(kind)) this.hysteresis.setHint(fill(tr("hysteresisHint"), { value: tr(HYSTERESIS_DEFAULT[kind]) }));
    const cooldown = isLevel(kind) ? LEVEL_COOLDOWN_SECONDS : EVENT_COOLDOWN_SECONDS;
    this.cooldown.setHint(fill(tr("cooldownHint"), { value: cooldown }));
    this.renderHints();
  }

  /** The venue choices the coin is listed on, then the kind's fields and hints. */
  private renderCoin(): void {
    const coin = this.coin();
    const venues = MARKET_VENUES.filter((v) => !coin || Object.keys(coin.prices).length === 0 || coin.prices[v]);
    setOptions(
      this.venue.control,
      venues.map((v) => [v, venueName(v)]),
    );
    this.renderKind();
  }

  /** The threshold's unit, the coin's name and today's figures, and the current value the threshold compares. */
  private renderHints(): void {
    const symbol = this.currentSymbol();
    const coin = this.coin();
    const kind = this.kind.control.value as AlertKind;
    this.threshold.setLabel(thresholdLabel(kind, this.venue.control.value));
    setText(this.cautionNote, cautionText(coin));
    if (!coin) {
      const unknown = symbol !== "" && this.ctx.market.loaded;
      this.symbol.setHint(unknown ? tr("coinUnknown") : "");
      this.threshold.setHint("");
      return;
    }
    this.symbol.setHint(coinSummary(symbol, coin));
    const choice = {
      venue: this.venue.control.value,
      basis: this.basis.control.value,
      window: this.window.control.value,
    };
    this.threshold.setHint(currentValue(kind, coin, choice));
  }

  private clearMessages(): void {
    for (const field of this.fields.values()) field.setError(null);
    this.message.hidden = true;
    setText(this.status, "");
  }

  /** The request as entered, or null when a number field holds something that is not a number. */
  private body(): Record<string, unknown> | null {
    const kind = this.kind.control.value as AlertKind;
    const body: Record<string, unknown> = { kind };
    let ok = true;
    const read = (field: FormField<HTMLInputElement>, required: boolean): number | undefined => {
      const raw = field.control.value.trim().replace(/,/g, "");
      if (raw === "") {
        if (required) {
          field.setError(tr("enterValue"));
          ok = false;
        }
        return undefined;
      }
      const value = Number(raw);
      if (!Number.isFinite(value)) {
        field.setError(tr("enterNumber"));
        ok = false;
        return undefined;
      }
      return value;
    };
    const anyCoin = kind === "liquidation" && this.scope.control.value === "any";
    const symbol = this.currentSymbol();
    if (symbol === "" && !anyCoin) {
      this.symbol.setError(tr("enterValue"));
      ok = false;
    }
    body.symbol = anyCoin ? null : symbol;
    if (kind === "price") body.venue = this.venue.control.value;
    if (kind === "premium" || kind === "premium_percentile") body.basis = this.basis.control.value;
    if (kind === "premium_percentile") body.window = this.window.control.value;
    if (isLevel(kind)) {
      body.direction = this.direction.control.value;
      body.threshold = read(this.threshold, true);
      body.hysteresis = read(this.hysteresis, false);
    }
    if (kind === "liquidation") body.min_usd = read(this.minUsd, true);
    body.cooldown_seconds = read(this.cooldown, false);
    const note = this.note.control.value.trim();
    if (note) body.note = note;
    return ok ? body : null;
  }

  private async submit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.clearMessages();
    const body = this.body();
    if (!body) {
      this.showMessage(tr("checkFields"));
      this.firstInvalid()?.focus();
      return;
    }
    this.setBusy(true);
    try {
      const alert = await this.ctx.api.post<Alert>("/api/alerts", body);
      this.threshold.control.value = "";
      this.minUsd.control.value = "";
      this.note.control.value = "";
      const coin = alert.symbol ?? tr("anyCoin");
      setText(this.status, fill(tr("created"), { what: `${coin} ${describeCondition(alert)}` }));
      this.onCreated?.(alert);
    } catch (error) {
      this.showError(error);
    } finally {
      this.setBusy(false);
    }
  }

  /** The server's refusal: each field error by its field, anything else above the button. */
  private showError(error: unknown): void {
    if (!(error instanceof ApiError) || error.status === 0) {
      this.showMessage(failureText(error));
      return;
    }
    const shown = [...this.fields.values()].filter((f) => !f.element.hidden);
    const general: string[] = [];
    const first = showFieldErrors(shown, error.problem.errors, (m) => general.push(m));
    if (first) {
      if (first.element.closest("details") === this.advanced) this.advanced.open = true;
      this.showMessage([tr("checkFields"), ...general].join(" "));
      first.control.focus();
    } else {
      this.showMessage(general.length ? general.join(" ") : failureText(error));
    }
  }

  private firstInvalid(): Control | null {
    const field = [...this.fields.values()].find((f) => f.control.getAttribute("aria-invalid") === "true");
    if (field && field.element.closest("details") === this.advanced) this.advanced.open = true;
    return field?.control ?? null;
  }

  private showMessage(text: string): void {
    this.message.hidden = false;
    setText(this.message, text);
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.element.setAttribute("aria-busy", String(busy));
    setText(this.submitButton, busy ? tr("submitting") : tr("submit"));
  }
}
