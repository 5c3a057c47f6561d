/**
 * `#/settings`: which channels each event type goes to, and quiet hours
 * (`GET`/`PUT /api/notifications/preferences`, workers/routes/notifications.ts), plus Web Push on this
 * browser (push-control.ts). The server answers every event type with its channels (its defaults
 * filled in), so the form always shows the whole matrix and saves it whole.
 */
import "../account/account.css";
import "./settings.css";
import { NOTIFICATION_EVENT_TYPES, type NotificationEventType } from "../../../protocol/events";
import type { Channel, NotificationPreferences, QuietHours } from "../../../protocol/notifications";
import { loadForm, messageUnder, reasonOf, StatusLine, whileBusy } from "../account/form-status";
import { h, setText } from "../dom";
import { FormField } from "../form-field";
import { fill, lang } from "../i18n";
import type { Page } from "../page";
import type { TraderContext } from "../trader/trader-context";
import { PushControl } from "./push-control";
import { tr } from "./settings-messages";

/** In the order the form shows them (protocol/notifications.ts `Channel`). */
const CHANNELS: readonly Channel[] = ["in_app", "email", "push", "sms", "telegram"];
/** Shown when quiet hours are turned on for the first time. */
const DEFAULT_QUIET: QuietHours = { start: "23:00", end: "07:00" };

/** One event type's row: a fieldset of one checkbox per channel. */
interface EventRow {
  legend: HTMLLegendElement;
  boxes: Map<Channel, { input: HTMLInputElement; text: HTMLSpanElement }>;
  error: HTMLElement;
}

export class NotificationSettingsPage implements Page {
  readonly element: HTMLElement;
  private readonly heading = h("h1", { tabindex: "-1", class: "acct-title" });
  private readonly intro = h("p", { class: "acct-intro" });
  private readonly channelsTitle = h("h2", { class: "acct-card-title", id: "channels-heading" });
  private readonly channelsIntro = h("p", { class: "acct-hint" });
  private readonly channelNote = h("p", { class: "acct-hint" });
  private readonly profileLink = h("a", { href: "#/profile", class: "acct-inline-link" });
  private readonly rows = new Map<NotificationEventType, EventRow>();
  private readonly quietTitle = h("h2", { class: "acct-card-title", id: "quiet-heading" });
  private readonly quietIntro = h("p", { class: "acct-hint" });
  private readonly quietOn = h("input", { type: "checkbox", id: "quiet-enabled", name: "quiet_enabled" });
  private readonly quietOnText = h("span");
  private readonly quietStart = new FormField(
    h("input", { type: "time", name: "quiet_start", required: true, class: "input", id: "quiet-start" }),
    "quiet_hours.start",
  );
  private readonly quietEnd = new FormField(
    h("input", { type: "time", name: "quiet_end", required: true, class: "input", id: "quiet-end" }),
    "quiet_hours.end",
  );
  private readonly quietError = h("p", { class: "field-error", id: "quiet-error", hidden: true });
  private readonly quietZone = h("p", { class: "acct-hint", id: "quiet-zone" });
  private readonly save = h("button", { type: "submit", class: "button button-primary", id: "settings-save" });
  private readonly status = new StatusLine();
  private readonly form: HTMLFormElement;
  private readonly push: PushControl;
  private prefs: NotificationPreferences | null = null;

  constructor(readonly ctx: TraderContext) {
    this.push = new PushControl(ctx);
    this.status.element.id = "settings-status";
    const matrix = h("div", { class: "nset-events" });
    for (const type of NOTIFICATION_EVENT_TYPES) matrix.append(this.eventRow(type));
    this.quietOn.addEventListener("change", () => this.syncQuietFields());
    for (const field of [this.quietStart, this.quietEnd]) {
      field.control.setAttribute("aria-describedby", `${field.control.id}-error quiet-error quiet-zone`);
    }
    this.form = h(
      "form",
      { id: "settings-form", class: "acct-form", novalidate: true, "aria-busy": "true" },
      h(
        "section",
        { class: "acct-card", "aria-labelledby": "channels-heading" },
        this.channelsTitle,
        this.channelsIntro,
        matrix,
        h("p", { class: "acct-hint" }, this.channelNote, " ", this.profileLink),
      ),
      h(
        "section",
        { class: "acct-card", "aria-labelledby": "quiet-heading" },
        this.quietTitle,
        this.quietIntro,
        h("label", { class: "nset-check nset-quiet-toggle", for: "quiet-enabled" }, this.quietOn, this.quietOnText),
        h("div", { class: "acct-row nset-quiet-times" }, this.quietStart.element, this.quietEnd.element),
        this.quietError,
        this.quietZone,
      ),
      h("div", { class: "acct-actions nset-save" }, this.save, this.status.element),
    );
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.element = h(
      "section",
      { class: "page acct-page", id: "settings-page", hidden: true },
      h("header", { class: "acct-head" }, this.heading, this.intro),
      this.form,
      this.push.element,
    );
    this.relabel();
  }

  show(_arg: string | null): void {
    this.element.hidden = false;
    document.title = `${tr("title")} · Kimchi Edge`;
    void this.load();
    void this.push.refresh();
  }

  hide(): void {
    this.element.hidden = true;
  }

  relabel(): void {
    if (!this.element.hidden) document.title = `${tr("title")} · Kimchi Edge`;
    setText(this.heading, tr("title"));
    setText(this.intro, tr("intro"));
    setText(this.channelsTitle, tr("channelsHeading"));
    setText(this.channelsIntro, tr("channelsIntro"));
    setText(this.channelNote, tr("channelNote"));
    setText(this.profileLink, tr("profileLink"));
    for (const [type, row] of this.rows) {
      setText(row.legend, tr(`event.${type}`));
      for (const [channel, box] of row.boxes) setText(box.text, tr(`channel.${channel}`));
    }
    setText(this.quietTitle, tr("quietHeading"));
    setText(this.quietIntro, tr("quietIntro"));
    setText(this.quietOnText, tr("quietEnabled"));
    this.quietStart.setLabel(tr("quietStart"));
    this.quietEnd.setLabel(tr("quietEnd"));
    setText(this.quietZone, fill(tr("quietZone"), { zone: this.prefs?.time_zone ?? "Asia/Seoul" }));
    setText(this.save, tr("save"));
    this.status.relabel();
    this.push.relabel();
  }

  /** A fieldset for one event type; checkbox ids are `pref-<type>-<channel>` (dots become dashes). */
  private eventRow(type: NotificationEventType): HTMLElement {
    const slug = type.replace(/[._]/g, "-");
    const legend = h("legend", { class: "nset-legend" });
    const error = h("p", { class: "field-error", id: `pref-${slug}-error`, hidden: true });
    const boxes = new Map<Channel, { input: HTMLInputElement; text: HTMLSpanElement }>();
    const choices = h("div", { class: "nset-choices" });
    for (const channel of CHANNELS) {
      const id = `pref-${slug}-${channel.replace("_", "-")}`;
      const input = h("input", {
        type: "checkbox",
        id,
        name: `${type}:${channel}`,
        "data-channel": channel,
        "aria-describedby": error.id,
      });
      const text = h("span");
      choices.append(h("label", { class: "nset-check", for: id }, input, text));
      boxes.set(channel, { input, text });
    }
    this.rows.set(type, { legend, boxes, error });
    return h("fieldset", { class: "nset-event", "data-event": type }, legend, choices, error);
  }

  private load(): Promise<void> {
    return loadForm(
      this.form,
      this.status,
      () => this.ctx.api.get<NotificationPreferences>("/api/notifications/preferences"),
      (prefs) => this.showPreferences(prefs),
      { loading: () => tr("loading"), failed: (reason) => fill(tr("loadFailed"), { reason }) },
    );
  }

  private showPreferences(prefs: NotificationPreferences): void {
    this.prefs = prefs;
    for (const [type, row] of this.rows) {
      const chosen = new Set(prefs.events[type] ?? []);
      for (const [channel, box] of row.boxes) box.input.checked = chosen.has(channel);
    }
    const quiet = prefs.quiet_hours;
    this.quietOn.checked = quiet !== null;
    this.quietStart.control.value = (quiet ?? DEFAULT_QUIET).start;
    this.quietEnd.control.value = (quiet ?? DEFAULT_QUIET).end;
    this.syncQuietFields();
    this.clearErrors();
    this.relabel();
  }

  /** The time fields count only with quiet hours on; off, they are disabled (and skipped by Tab). */
  private syncQuietFields(): void {
    this.quietStart.control.disabled = !this.quietOn.checked;
    this.quietEnd.control.disabled = !this.quietOn.checked;
  }

  /** The PUT body: every event type's channels, and the quiet hours or null. */
  private update(): { events: Record<string, Channel[]>; quiet_hours: QuietHours | null } {
    const events: Record<string, Channel[]> = {};
    for (const [type, row] of this.rows) {
      events[type] = CHANNELS.filter((channel) => row.boxes.get(channel)?.input.checked);
    }
    const quiet_hours = this.quietOn.checked
      ? { start: this.quietStart.control.value, end: this.quietEnd.control.value }
      : null;
    return { events, quiet_hours };
  }

  private async submit(): Promise<void> {
    if (!this.prefs) return;
    await whileBusy(this.save, async () => {
      this.clearErrors();
      this.status.show("info", () => tr("saving"));
      try {
        this.showPreferences(
          await this.ctx.api.put<NotificationPreferences>("/api/notifications/preferences", this.update()),
        );
      } catch (error) {
        this.showError(error);
        return;
      }
      const time = new Intl.DateTimeFormat(lang() === "ko" ? "ko-KR" : "en-GB", { timeStyle: "medium" }).format();
      this.status.show("ok", () => fill(tr("saved"), { time }));
    });
  }

  private clearErrors(): void {
    for (const row of this.rows.values()) setError(row.error, undefined);
    this.quietStart.setError(null);
    this.quietEnd.setError(null);
    setError(this.quietError, undefined);
  }

  /** Each message beside what it is about; the first of them takes the focus. */
  private showError(error: unknown): void {
    let first: HTMLElement | null = null;
    for (const [type, row] of this.rows) {
      const message = messageUnder(error, `events.${type}`);
      setError(row.error, message);
      if (message) first ??= row.boxes.values().next().value?.input ?? null;
    }
    const start = messageUnder(error, "quiet_hours.start");
    const end = messageUnder(error, "quiet_hours.end");
    this.quietStart.setError(start ?? null);
    this.quietEnd.setError(end ?? null);
    if (start) first ??= this.quietStart.control;
    if (end) first ??= this.quietEnd.control;
    // A rule about the pair (start and end must differ) is reported on `quiet_hours` itself.
    const pair = start || end ? undefined : messageUnder(error, "quiet_hours");
    setError(this.quietError, pair);
    if (pair) first ??= this.quietStart.control;
    const reason = reasonOf(error);
    this.status.show("error", () => fill(tr("saveFailed"), { reason }));
    first?.focus();
  }
}

function setError(element: HTMLElement, message: string | undefined): void {
  setText(element, message ?? "");
  element.hidden = !message;
}
