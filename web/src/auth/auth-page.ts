/**
 * Sign in (`#/signin`) and sign up (`#/signup`): one form each, the server's refusal shown by the
 * field it names. `#/signin/desk` returns to the desk once signed in.
 */
import { ApiError } from "../api";
import { h, setText } from "../dom";
import { FormField, showFieldErrors } from "../form-field";
import type { Page } from "../page";
import type { TraderContext } from "../trader/trader-context";
import { tr } from "../trader/trader-messages";

type Mode = "signin" | "signup";

export class AuthPage implements Page {
  readonly element: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly note: HTMLElement;
  private readonly email: FormField;
  private readonly username: FormField;
  private readonly password: FormField;
  private readonly submit: HTMLButtonElement;
  private readonly other: HTMLAnchorElement;
  private readonly message: HTMLElement;
  private next = "desk";
  private busy = false;

  constructor(
    private readonly ctx: TraderContext,
    private readonly mode: Mode,
  ) {
    const input = (type: string, autocomplete: string) =>
      h("input", { type, autocomplete, required: true, class: "input", spellcheck: "false" });
    this.email = new FormField(input("email", "username"), mode === "signup" ? "email" : "username");
    this.username = new FormField(input("text", "nickname"), "username");
    this.password = new FormField(
      input("password", mode === "signin" ? "current-password" : "new-password"),
      "password",
    );
    this.password.control.minLength = mode === "signup" ? 8 : 1;
    this.heading = h("h1", { tabindex: "-1" });
    this.note = h("p", { class: "page-note" });
    this.submit = h("button", { type: "submit", class: "button button-primary" });
    this.message = h("p", { class: "form-message", role: "alert", hidden: true });
    this.other = h("a", { class: "text-link", href: mode === "signin" ? "#/signup" : "#/signin" });
    const form = h(
      "form",
      { class: "auth-form", id: `${mode}-form`, novalidate: true, onsubmit: (e: Event) => this.onSubmit(e) },
      this.email.element,
      mode === "signup" ? this.username.element : null,
      this.password.element,
      this.message,
      this.submit,
    );
    this.element = h(
      "section",
      { class: "page page-auth", hidden: true, "aria-labelledby": `${mode}-title` },
      this.heading,
      this.note,
      form,
      this.other,
    );
    this.heading.id = `${mode}-title`;
    this.relabel();
  }

  show(arg: string | null): void {
    this.next = arg && /^[a-z]+(\/[A-Za-z0-9]+)?$/.test(arg) ? arg : "desk";
    this.other.href = `${this.mode === "signin" ? "#/signup" : "#/signin"}/${this.next}`;
    this.element.hidden = false;
    document.title = `${this.mode === "signin" ? tr("signInTitle") : tr("signUpTitle")} · Kimchi Edge`;
  }

  hide(): void {
    this.element.hidden = true;
    this.password.control.value = "";
  }

  relabel(): void {
    const signin = this.mode === "signin";
    setText(this.heading, signin ? tr("signInTitle") : tr("signUpTitle"));
    setText(this.note, signin ? "" : tr("paperNote"));
    this.note.hidden = signin;
    this.email.setLabel(tr("email"));
    this.username.setLabel(tr("username"));
    this.username.setHint(tr("usernameHint"));
    this.password.setLabel(tr("password"));
    this.password.setHint(signin ? "" : tr("passwordHint"));
    setText(this.submit, this.busy ? tr("working") : signin ? tr("submitSignIn") : tr("submitSignUp"));
    setText(this.other, signin ? tr("toSignUp") : tr("toSignIn"));
  }

  private async onSubmit(event: Event): Promise<void> {
    event.preventDefault();
    if (this.busy) return;
    this.message.hidden = true;
    const email = this.email.control.value.trim();
    const password = this.password.control.value;
    this.setBusy(true);
    try {
      if (this.mode === "signin") await this.ctx.session.signIn(email, password);
      else await this.ctx.session.signUp(email, this.username.control.value.trim(), password);
      this.password.control.value = "";
      location.hash = `#/${this.next}`;
    } catch (error) {
      this.showError(error);
    } finally {
      this.setBusy(false);
    }
  }

  private showError(error: unknown): void {
    if (!(error instanceof ApiError)) throw error;
    if (error.status === 0) {
      this.showMessage(tr("networkError"));
      return;
    }
    const fields = [this.email, this.username, this.password];
    const first = showFieldErrors(fields, error.problem.errors, (m) => this.showMessage(m));
    if (!error.problem.errors?.length) this.showMessage(error.problem.title);
    (first?.control ?? this.email.control).focus();
  }

  private showMessage(text: string): void {
    this.message.hidden = false;
    setText(this.message, text);
  }

  private setBusy(busy: boolean): void {
    this.busy = busy;
    this.submit.disabled = busy;
    this.relabel();
  }
}
