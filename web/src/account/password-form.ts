/**
 * Changing the password (`POST /api/users/me/password`). The server signs out every *other* session
 * of the account and keeps this one (workers/routes/users.ts), so the stored tokens stay valid and
 * nothing needs replacing here. Should the server ever end this session too, the next request is
 * refused: the page says so and signs out through the session, so the router offers sign-in again.
 */
import { ApiError } from "../api";
import { h, setText } from "../dom";
import { FormField } from "../form-field";
import { fill } from "../i18n";
import type { TraderContext } from "../trader/trader-context";
import { messageUnder, reasonOf, StatusLine, whileBusy } from "./form-status";
import { tr } from "./profile-messages";

export class PasswordForm {
  readonly element: HTMLElement;
  private readonly heading = h("h2", { class: "acct-card-title", id: "password-heading" });
  private readonly intro = h("p", { class: "acct-intro" });
  /** For password managers: which account the new password belongs to (never shown). */
  private readonly account = h("input", {
    type: "email",
    name: "username",
    autocomplete: "username",
    readonly: true,
    hidden: true,
    tabindex: "-1",
  });
  private readonly current = new FormField(
    h("input", {
      type: "password",
      name: "current_password",
      autocomplete: "current-password",
      required: true,
      class: "input",
      id: "password-current",
    }),
    "current_password",
  );
  private readonly next = new FormField(
    h("input", {
      type: "password",
      name: "new_password",
      autocomplete: "new-password",
      required: true,
      minlength: 8,
      maxlength: 512,
      class: "input",
      id: "password-new",
    }),
    "new_password",
  );
  private readonly submit = h("button", { type: "submit", class: "button button-primary", id: "password-save" });
  private readonly status = new StatusLine();

  constructor(private readonly ctx: TraderContext) {
    const form = h(
      "form",
      { class: "acct-form", novalidate: true, "aria-labelledby": "password-heading" },
      this.account,
      this.current.element,
      this.next.element,
      h("div", { class: "acct-actions" }, this.submit, this.status.element),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    this.element = h("section", { class: "acct-card" }, this.heading, this.intro, form);
    this.relabel();
  }

  /** Empties the form each time the page opens (passwords are not kept around). */
  reset(): void {
    this.account.value = this.ctx.session.email ?? "";
    this.current.control.value = "";
    this.next.control.value = "";
    this.current.setError(null);
    this.next.setError(null);
    this.status.clear();
  }

  relabel(): void {
    setText(this.heading, tr("passwordHeading"));
    setText(this.intro, tr("passwordIntro"));
    this.current.setLabel(tr("currentPassword"));
    this.next.setLabel(tr("newPassword"));
    this.next.setHint(tr("newPasswordHint"));
    setText(this.submit, tr("changePassword"));
    this.status.relabel();
  }

  private async save(): Promise<void> {
    await whileBusy(this.submit, async () => {
      this.current.setError(null);
      this.next.setError(null);
      this.status.show("info", () => tr("changingPassword"));
      try {
        await this.ctx.api.post("/api/users/me/password", {
          current_password: this.current.control.value,
          new_password: this.next.control.value,
        });
      } catch (error) {
        this.showError(error);
        return;
      }
      this.current.control.value = "";
      this.next.control.value = "";
      if (await this.sessionSurvived()) {
        this.status.show("ok", () => tr("passwordChanged"));
      } else {
        this.status.show("error", () => tr("passwordSessionEnded"));
        await this.ctx.session.signOut();
      }
    });
  }

  /** Whether this browser's session is still accepted after the change (it should be). */
  private async sessionSurvived(): Promise<boolean> {
    try {
      await this.ctx.api.get("/api/users/me");
      return this.ctx.session.signedIn;
    } catch (error) {
      return !(error instanceof ApiError && error.status === 401);
    }
  }

  private showError(error: unknown): void {
    const current = messageUnder(error, "current_password");
    const next = messageUnder(error, "new_password");
    this.current.setError(current ?? null);
    this.next.setError(next ?? null);
    const reason = reasonOf(error);
    this.status.show("error", () => fill(tr("passwordFailed"), { reason }));
    (current ? this.current.control : next ? this.next.control : null)?.focus();
  }
}
