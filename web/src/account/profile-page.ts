/**
 * `#/profile`: the signed-in user's profile (`GET`/`PATCH /api/users/me`), the password change and
 * the Telegram link. Saving the profile's language also switches the page to it, since the profile's
 * `locale` is the language the server writes notifications in and the two should agree.
 */
import type { UserProfile } from "../../../protocol/auth";
import "./account.css";
import { h, setText } from "../dom";
import { FormField } from "../form-field";
import { fill, type Lang, setLang } from "../i18n";
import type { Page } from "../page";
import type { TraderContext } from "../trader/trader-context";
import { loadForm, messageUnder, reasonOf, StatusLine, whileBusy } from "./form-status";
import { PasswordForm } from "./password-form";
import { tr } from "./profile-messages";
import { TelegramLink } from "./telegram-link";

const DEFAULT_TIMEZONE = "Asia/Seoul";

/** The profile fields this form edits, as `PATCH /api/users/me` takes them. */
type ProfileUpdate = Pick<UserProfile, "username" | "display_name" | "locale" | "timezone" | "phone">;

/** Every IANA zone the browser knows, with `extra` (the stored zone, if the list lacks it) added. */
function timeZones(extra: string): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf("timeZone");
  } catch {
    // an older browser: the stored zone and the default are still offered
  }
  const all = new Set([...zones, DEFAULT_TIMEZONE, extra]);
  return [...all].sort();
}

export class ProfilePage implements Page {
  readonly element: HTMLElement;
  private readonly heading = h("h1", { tabindex: "-1", class: "acct-title" });
  private readonly intro = h("p", { class: "acct-intro" });
  private readonly cardTitle = h("h2", { class: "acct-card-title", id: "profile-heading" });
  private readonly email = new FormField(
    h("input", { type: "email", readonly: true, class: "input", id: "profile-email" }),
    "email",
  );
  private readonly displayName = new FormField(
    h("input", {
      type: "text",
      name: "display_name",
      autocomplete: "nickname",
      maxlength: 64,
      class: "input",
      id: "profile-display-name",
    }),
    "display_name",
  );
  private readonly username = new FormField(
    h("input", {
      type: "text",
      name: "username",
      autocomplete: "username",
      maxlength: 32,
      required: true,
      class: "input",
      id: "profile-username",
    }),
    "username",
  );
  private readonly locale = new FormField(
    h(
      "select",
      { name: "locale", class: "input", id: "profile-locale" },
      h("option", { value: "ko" }),
      h("option", { value: "en" }),
    ),
    "locale",
  );
  private readonly timezone = new FormField(
    h("select", { name: "timezone", class: "input", id: "profile-timezone" }),
    "timezone",
  );
  private readonly phone = new FormField(
    h("input", {
      type: "tel",
      name: "phone",
      autocomplete: "tel",
      inputmode: "tel",
      placeholder: "+821012345678",
      maxlength: 16,
      class: "input",
      id: "profile-phone",
    }),
    "phone",
  );
  private readonly save = h("button", { type: "submit", class: "button button-primary", id: "profile-save" });
  private readonly status = new StatusLine();
  private readonly settingsLink = h("a", { href: "#/settings", class: "acct-inline-link" });
  private readonly form: HTMLFormElement;
  private readonly password: PasswordForm;
  private readonly telegram: TelegramLink;
  private profile: UserProfile | null = null;

  constructor(readonly ctx: TraderContext) {
    this.password = new PasswordForm(ctx);
    this.telegram = new TelegramLink(ctx);
    this.form = h(
      "form",
      {
        id: "profile-form",
        class: "acct-form",
        novalidate: true,
        "aria-labelledby": "profile-heading",
        "aria-busy": "true",
      },
      this.email.element,
      this.displayName.element,
      this.username.element,
      h("div", { class: "acct-row" }, this.locale.element, this.timezone.element),
      this.phone.element,
      h("div", { class: "acct-actions" }, this.save, this.status.element),
    );
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    this.element = h(
      "section",
      { class: "page acct-page", id: "profile-page", hidden: true },
      h("header", { class: "acct-head" }, this.heading, this.intro),
      h("section", { class: "acct-card" }, this.cardTitle, this.form),
      this.password.element,
      this.telegram.element,
      h("p", { class: "acct-foot" }, this.settingsLink),
    );
    this.relabel();
  }

  show(_arg: string | null): void {
    this.element.hidden = false;
    document.title = `${tr("title")} · Kimchi Edge`;
    this.password.reset();
    this.telegram.reset();
    void this.load();
  }

  hide(): void {
    this.element.hidden = true;
  }

  relabel(): void {
    if (!this.element.hidden) document.title = `${tr("title")} · Kimchi Edge`;
    setText(this.heading, tr("title"));
    setText(this.intro, tr("intro"));
    setText(this.cardTitle, tr("profileHeading"));
    label(this.email, tr("email"), tr("emailHint"));
    label(this.displayName, tr("displayName"), tr("displayNameHint"));
    label(this.username, tr("username"), tr("usernameHint"));
    label(this.locale, tr("locale"), "");
    const [ko, en] = this.locale.control.options;
    if (ko) setText(ko, tr("localeKo"));
    if (en) setText(en, tr("localeEn"));
    label(this.timezone, tr("timezone"), tr("timezoneHint"));
    label(this.phone, tr("phone"), tr("phoneHint"));
    setText(this.save, tr("save"));
    setText(this.settingsLink, tr("settingsLink"));
    this.status.relabel();
    this.password.relabel();
    this.telegram.relabel();
  }

  private load(): Promise<void> {
    return loadForm(
      this.form,
      this.status,
      () => this.ctx.api.get<UserProfile>("/api/users/me"),
      (profile) => this.showProfile(profile),
      { loading: () => tr("loading"), failed: (reason) => fill(tr("loadFailed"), { reason }) },
    );
  }

  /** Puts a profile into the form and clears earlier errors. */
  private showProfile(profile: UserProfile): void {
    this.profile = profile;
    this.email.control.value = profile.email;
    this.displayName.control.value = profile.display_name ?? "";
    this.username.control.value = profile.username;
    this.locale.control.value = profile.locale;
    const zone = profile.timezone || DEFAULT_TIMEZONE;
    this.timezone.control.replaceChildren(...timeZones(zone).map((z) => h("option", { value: z }, z)));
    this.timezone.control.value = zone;
    this.phone.control.value = profile.phone ?? "";
    for (const field of this.fields()) field.setError(null);
  }

  private fields() {
    return [this.displayName, this.username, this.locale, this.timezone, this.phone] as const;
  }

  /** What the form holds, as the PATCH body (an empty display name or phone clears it). */
  private update(): ProfileUpdate {
    const displayName = this.displayName.control.value.trim();
    const phone = this.phone.control.value.replace(/[\s-]/g, "");
    return {
      username: this.username.control.value.trim(),
      display_name: displayName === "" ? null : displayName,
      locale: this.locale.control.value as Lang,
      timezone: this.timezone.control.value,
      phone: phone === "" ? null : phone,
    };
  }

  private async submit(): Promise<void> {
    if (!this.profile) return;
    await whileBusy(this.save, async () => {
      for (const field of this.fields()) field.setError(null);
      this.status.show("info", () => tr("saving"));
      let saved: UserProfile;
      try {
        saved = await this.ctx.api.patch<UserProfile>("/api/users/me", this.update());
      } catch (error) {
        this.showError(error);
        return;
      }
      this.showProfile(saved);
      setLang(saved.locale); // the router relabels every page
      this.status.show("ok", () => tr("saved"));
    });
  }

  /** Each field's message next to it; the first field in error takes the focus. */
  private showError(error: unknown): void {
    let first: HTMLElement | null = null;
    for (const field of this.fields()) {
      const message = messageUnder(error, field.path);
      field.setError(message ?? null);
      if (message && !first) first = field.control;
    }
    const reason = reasonOf(error);
    this.status.show("error", () => fill(tr("saveFailed"), { reason }));
    first?.focus();
  }
}

/** A field's label and hint (an empty hint hides itself: trader.css `.field-hint:empty`). */
function label(field: FormField<HTMLInputElement | HTMLSelectElement>, text: string, hint: string): void {
  field.setLabel(text);
  field.setHint(hint);
}
