/**
 * One alert in the alerts page's list: its coin and condition in words, whether it is on, when it
 * last fired, and its Pause/Resume and Delete buttons. Delete asks first, in place, so the choice
 * stays where the reader's focus is (a browser `confirm()` would take it elsewhere).
 */
import type { Alert } from "../../../protocol/alerts";
import { h, setClass, setText } from "../dom";
import { fill } from "../i18n";
import type { MarketState } from "../market-state";
import { tr } from "./alert-messages";
import { coinName, describeCondition, formatDuration, formatWhen } from "./alert-words";

/** What the page does when a row's buttons are used; each resolves once the server answered. */
export interface AlertRowActions {
  toggle(alert: Alert): Promise<void>;
  remove(alert: Alert): Promise<void>;
}

export class AlertRow {
  readonly element: HTMLLIElement;
  private readonly coin: HTMLElement;
  private readonly condition: HTMLElement;
  private readonly state: HTMLElement;
  private readonly fired: HTMLElement;
  private readonly cooldown: HTMLElement;
  private readonly note: HTMLElement;
  private readonly actions: HTMLElement;
  private readonly toggleButton: HTMLButtonElement;
  private readonly deleteButton: HTMLButtonElement;
  private readonly confirm: HTMLElement;
  private readonly confirmText: HTMLElement;
  private readonly confirmYes: HTMLButtonElement;
  private readonly confirmNo: HTMLButtonElement;
  private busy = false;

  constructor(
    private alert: Alert,
    private readonly market: MarketState,
    private readonly handlers: AlertRowActions,
  ) {
    const describedBy = `alert-cond-${alert.id}`;
    this.coin = alert.symbol
      ? h("a", { class: "alert-coin", href: `#/coin/${encodeURIComponent(alert.symbol)}` })
      : h("span", { class: "alert-coin" });
    this.condition = h("span", { class: "alert-what" });
    this.state = h("span", { class: "alert-state" });
    this.fired = h("span", { class: "alert-fired" });
    this.cooldown = h("span", { class: "alert-cooldown" });
    this.note = h("p", { class: "alert-note" });
    this.toggleButton = h("button", {
      type: "button",
      class: "al-btn alert-toggle",
      "aria-describedby": describedBy,
      onclick: () => void this.run(() => this.handlers.toggle(this.alert)),
    });
    this.deleteButton = h("button", {
      type: "button",
      class: "al-btn al-btn-danger alert-delete",
      "aria-describedby": describedBy,
      onclick: () => this.askDelete(true),
    });
    this.actions = h("div", { class: "alert-actions" }, this.toggleButton, this.deleteButton);
    this.confirmText = h("span", { class: "alert-confirm-text" });
    this.confirmYes = h("button", {
      type: "button",
      class: "al-btn al-btn-danger alert-confirm-yes",
      "aria-describedby": describedBy,
      onclick: () => void this.run(() => this.handlers.remove(this.alert)),
    });
    this.confirmNo = h("button", {
      type: "button",
      class: "al-btn alert-confirm-no",
      onclick: () => this.askDelete(false),
    });
    this.confirm = h(
      "div",
      {
        class: "alert-confirm",
        role: "group",
        hidden: true,
        onkeydown: (e: Event) => {
          if ((e as KeyboardEvent).key === "Escape") this.askDelete(false);
        },
      },
      this.confirmText,
      this.confirmYes,
      this.confirmNo,
    );
    this.element = h(
      "li",
      { class: "alert-row", "data-id": alert.id },
      h(
        "div",
        { class: "alert-body" },
        h("p", { class: "alert-cond", id: describedBy }, this.coin, " ", this.condition),
        h("p", { class: "alert-meta" }, this.state, this.fired, this.cooldown),
        this.note,
      ),
      this.actions,
      this.confirm,
    );
    this.render();
  }

  /** Shows the alert as the server now has it. */
  update(alert: Alert): void {
    this.alert = alert;
    this.render();
  }

  /** Writes the row in the current language. */
  render(): void {
    const a = this.alert;
    setText(this.coin, a.symbol ? `${a.symbol} ${coinName(a.symbol, this.market.coins.get(a.symbol))}` : tr("anyCoin"));
    setText(this.condition, describeCondition(a));
    setText(this.state, a.enabled ? tr("active") : tr("paused"));
    setClass(this.element, "paused", !a.enabled);
    setText(
      this.fired,
      a.last_triggered_at ? fill(tr("lastFired"), { when: formatWhen(a.last_triggered_at) }) : tr("neverFired"),
    );
    setText(this.cooldown, fill(tr("cooldownShort"), { value: formatDuration(a.cooldown_seconds) }));
    setText(this.note, a.note ?? "");
    this.note.hidden = !a.note;
    setText(this.toggleButton, a.enabled ? tr("pause") : tr("resume"));
    setText(this.deleteButton, tr("delete"));
    setText(this.confirmText, tr("confirmDelete"));
    setText(this.confirmYes, tr("confirmYes"));
    setText(this.confirmNo, tr("cancel"));
  }

  /** Shows or takes back the "delete this alert?" question, moving focus with it. */
  private askDelete(ask: boolean): void {
    this.confirm.hidden = !ask;
    this.actions.hidden = ask;
    (ask ? this.confirmNo : this.deleteButton).focus();
  }

  /** One request at a time per row; a second press while the first is on its way does nothing. */
  private async run(action: () => Promise<void>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.element.setAttribute("aria-busy", "true");
    try {
      await action();
    } finally {
      this.busy = false;
      this.element.removeAttribute("aria-busy");
    }
  }
}
