/**
 * `#/alerts` (or `#/alerts/BTC`, the form set to that coin): the form that creates an alert, and the
 * user's alerts (`GET /api/alerts`), each with its condition in words, Pause/Resume
 * (`PATCH /api/alerts/{id}`) and Delete (`DELETE`, asked first). The list is read again after each
 * creation, so what it shows is what the server stored.
 */
import "./alerts.css";
import type { Alert } from "../../../protocol/alerts";
import { isCoinSymbol } from "../../../protocol/venues";
import { ApiError } from "../api";
import { h, setText } from "../dom";
import { fill, t } from "../i18n";
import type { Page } from "../page";
import type { TraderContext } from "../trader/trader-context";
import { AlertForm } from "./alert-form";
import { tr } from "./alert-messages";
import { AlertRow } from "./alert-row";
import { failureText } from "./alert-words";

/** The coin the form starts on when the hash names none. */
const DEFAULT_SYMBOL = "BTC";

export class AlertsPage implements Page {
  readonly element: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly intro: HTMLElement;
  private readonly inboxLink: HTMLAnchorElement;
  private readonly settingsLink: HTMLAnchorElement;
  private readonly formTitle: HTMLElement;
  private readonly form: AlertForm;
  private readonly listTitle: HTMLHeadingElement;
  private readonly count: HTMLElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private readonly error: HTMLElement;
  private readonly retry: HTMLButtonElement;
  private readonly rows = new Map<string, AlertRow>();
  private alerts: Alert[] = [];
  private state: "idle" | "loading" | "loaded" | "failed" = "idle";
  /** Why the last load failed, shown until the next one. */
  private failure = "";
  /** Only the newest load may write the list (an older answer arriving late is dropped). */
  private loads = 0;
  private symbolChosen = false;

  constructor(private readonly ctx: TraderContext) {
    this.heading = h("h1", { id: "alerts-title", tabindex: "-1" });
    this.intro = h("p", { class: "al-intro" });
    this.inboxLink = h("a", { class: "al-link", href: "#/inbox" });
    this.settingsLink = h("a", { class: "al-link", href: "#/settings" });
    this.formTitle = h("h2", { class: "al-panel-title", id: "alert-form-title" });
    this.form = new AlertForm(ctx, () => void this.load());
    this.listTitle = h("h2", { class: "al-panel-title", id: "alert-list-title", tabindex: "-1" });
    this.count = h("span", { class: "al-count" });
    this.list = h("ul", { class: "alert-list", "aria-labelledby": "alert-list-title" });
    this.empty = h("p", { class: "al-empty", role: "status" });
    this.error = h("p", { class: "al-error", role: "alert", hidden: true });
    this.retry = h("button", { type: "button", class: "al-btn", hidden: true, onclick: () => void this.load() });
    this.element = h(
      "section",
      { class: "page alerts-page", hidden: true, "aria-labelledby": "alerts-title" },
      h(
        "div",
        { class: "al-page-head" },
        this.heading,
        h("nav", { class: "al-links" }, this.inboxLink, this.settingsLink),
      ),
      this.intro,
      h(
        "section",
        { class: "al-panel", "aria-labelledby": "alert-form-title" },
        h("div", { class: "al-panel-head" }, this.formTitle),
        h("div", { class: "al-panel-body" }, this.form.element),
      ),
      h(
        "section",
        { class: "al-panel", "aria-labelledby": "alert-list-title" },
        h("div", { class: "al-panel-head" }, this.listTitle, this.count),
        this.error,
        this.retry,
        this.empty,
        this.list,
      ),
    );
    // Coin names come from the market: the rows are written again once it has arrived.
    ctx.market.onChange((change) => {
      if (change.snapshot) for (const row of this.rows.values()) row.render();
    });
    // Signed out: forget this user's alerts, so the next user never sees them, even briefly.
    ctx.session.onChange((change) => {
      if (change.signedIn) return;
      this.loads++;
      this.alerts = [];
      this.state = "idle";
      this.renderList();
      this.renderState();
    });
    this.relabel();
  }

  show(arg: string | null): void {
    const symbol = arg?.toUpperCase() ?? null;
    if (symbol && isCoinSymbol(symbol)) {
      this.form.setSymbol(symbol);
      this.symbolChosen = true;
    } else if (!this.symbolChosen) {
      this.form.setSymbol(DEFAULT_SYMBOL);
      this.symbolChosen = true;
    }
    this.element.hidden = false;
    this.setTitle();
    void this.load();
  }

  hide(): void {
    this.element.hidden = true;
  }

  relabel(): void {
    setText(this.heading, tr("alertsTitle"));
    setText(this.intro, tr("alertsIntro"));
    setText(this.inboxLink, tr("toInbox"));
    setText(this.settingsLink, tr("toSettings"));
    setText(this.formTitle, tr("formTitle"));
    setText(this.listTitle, tr("yourAlerts"));
    setText(this.retry, tr("retry"));
    this.form.relabel();
    for (const row of this.rows.values()) row.render();
    this.renderState();
    if (!this.element.hidden) this.setTitle();
  }

  private setTitle(): void {
    document.title = `${tr("alertsTitle")} · ${t("title")}`;
  }

  /** Reads the user's alerts and shows them, newest first. */
  private async load(): Promise<void> {
    const load = ++this.loads;
    if (this.state !== "loaded") this.state = "loading";
    this.renderState();
    try {
      const alerts = await this.ctx.api.get<Alert[]>("/api/alerts");
      if (load !== this.loads) return;
      this.alerts = alerts;
      this.state = "loaded";
      this.renderList();
    } catch (error) {
      if (load !== this.loads) return;
      this.state = "failed";
      this.failure = failureText(error);
    }
    this.renderState();
  }

  /** Builds the rows again from `alerts` (kept small: at most the server's per-user maximum). */
  private renderList(): void {
    this.rows.clear();
    const rows = this.alerts.map((alert) => {
      const row = new AlertRow(alert, this.ctx.market, {
        toggle: (a) => this.toggle(a),
        remove: (a) => this.remove(a),
      });
      this.rows.set(alert.id, row);
      return row.element;
    });
    this.list.replaceChildren(...rows);
  }

  /** The count, the empty note, the loading note or the failure. */
  private renderState(): void {
    const loaded = this.state === "loaded";
    setText(this.count, loaded ? fill(tr("alertsCount"), { n: this.alerts.length }) : "");
    let note = "";
    if (this.state === "loading") note = tr("loading");
    else if (loaded && this.alerts.length === 0) note = tr("alertsEmpty");
    setText(this.empty, note);
    this.empty.hidden = note === "";
    this.retry.hidden = this.state !== "failed";
    if (this.state === "failed") this.showError(fill(tr("loadFailed"), { why: this.failure }));
    else if (this.state === "loading") this.error.hidden = true;
  }

  /** Pauses an active alert or resumes a paused one. */
  private async toggle(alert: Alert): Promise<void> {
    this.error.hidden = true;
    try {
      const updated = await this.ctx.api.patch<Alert>(`/api/alerts/${alert.id}`, { enabled: !alert.enabled });
      this.alerts = this.alerts.map((a) => (a.id === updated.id ? updated : a));
      this.rows.get(updated.id)?.update(updated);
    } catch (error) {
      this.showError(failureText(error));
    }
  }

  /** Deletes an alert (after the row asked), then moves focus to the list's heading. */
  private async remove(alert: Alert): Promise<void> {
    this.error.hidden = true;
    try {
      await this.ctx.api.delete(`/api/alerts/${alert.id}`);
    } catch (error) {
      // Already gone (deleted in another tab): the list just catches up.
      if (!(error instanceof ApiError && error.status === 404)) {
        this.showError(failureText(error));
        return;
      }
    }
    this.alerts = this.alerts.filter((a) => a.id !== alert.id);
    this.rows.get(alert.id)?.element.remove();
    this.rows.delete(alert.id);
    this.renderState();
    this.listTitle.focus();
  }

  private showError(text: string): void {
    this.error.hidden = false;
    setText(this.error, text);
  }
}
