/**
 * The header's account corner: "sign in" and "sign up" for a visitor; for a trader the desk, the
 * inbox with its unread badge (live from `/ws/user`), and a menu with alerts, notification settings,
 * the profile and "sign out".
 */
import "./trader.css";
import { h, setText } from "../dom";
import { fill, onLangChange } from "../i18n";
import type { Session } from "../session";
import { tr } from "./trader-messages";
import type { TraderState } from "./trader-state";

export class AccountNav {
  readonly element: HTMLElement;
  private readonly signedOut: HTMLElement;
  private readonly signedIn: HTMLElement;
  private readonly links: Record<
    "signin" | "signup" | "desk" | "inbox" | "analytics" | "alerts" | "settings" | "profile",
    HTMLElement
  >;
  private readonly inboxLabel: HTMLElement;
  private readonly badge: HTMLElement;
  private readonly menu: HTMLDetailsElement;
  private readonly menuLabel: HTMLElement;
  private readonly who: HTMLElement;
  private readonly signOutButton: HTMLButtonElement;

  constructor(
    private readonly session: Session,
    private readonly trader: TraderState,
  ) {
    const link = (name: string, cls = "nav-link") => h("a", { class: cls, href: `#/${name}`, "data-nav": name });
    this.links = {
      signin: link("signin"),
      signup: link("signup", "nav-link nav-primary"),
      desk: link("desk"),
      inbox: link("inbox", "nav-link nav-inbox"),
      analytics: link("analytics", "menu-item"),
      alerts: link("alerts", "menu-item"),
      settings: link("settings", "menu-item"),
      profile: link("profile", "menu-item"),
    };
    this.inboxLabel = h("span", {});
    this.badge = h("span", { class: "unread-badge", id: "unread-badge", hidden: true });
    this.links.inbox.append(this.inboxLabel, this.badge);
    this.signOutButton = h("button", {
      type: "button",
      class: "menu-item",
      id: "sign-out",
      onclick: () => {
        this.menu.open = false;
        void this.session.signOut();
      },
    });
    this.who = h("span", { class: "menu-who" });
    this.menuLabel = h("span", {});
    this.menu = h(
      "details",
      { class: "account-menu" },
      h("summary", { class: "nav-link" }, this.menuLabel),
      h(
        "div",
        { class: "menu-panel" },
        this.who,
        this.links.analytics,
        this.links.alerts,
        this.links.settings,
        this.links.profile,
        this.signOutButton,
      ),
    );
    // Choosing a page closes the menu; so do Escape and a click elsewhere.
    this.menu.addEventListener("click", (e) => {
      if ((e.target as HTMLElement).closest(".menu-item")) this.menu.open = false;
    });
    this.menu.addEventListener("keydown", (e) => {
      if (e.key === "Escape" && this.menu.open) {
        e.stopPropagation();
        this.menu.open = false;
        this.menu.querySelector("summary")?.focus();
      }
    });
    document.addEventListener("click", (e) => {
      if (this.menu.open && !this.menu.contains(e.target as Node)) this.menu.open = false;
    });
    this.signedOut = h("div", { class: "nav-group" }, this.links.signin, this.links.signup);
    this.signedIn = h("div", { class: "nav-group" }, this.links.desk, this.links.inbox, this.menu);
    this.element = h("nav", { class: "account-nav", "aria-label": "account" }, this.signedOut, this.signedIn);
    session.onChange(() => this.render());
    trader.onChange((change) => {
      if (change.unread) this.renderUnread();
    });
    onLangChange(() => this.render());
    this.render();
  }

  private render(): void {
    const signedIn = this.session.signedIn;
    this.signedOut.hidden = signedIn;
    this.signedIn.hidden = !signedIn;
    this.element.setAttribute("aria-label", tr("navLabel"));
    setText(this.links.signin, tr("signIn"));
    setText(this.links.signup, tr("signUp"));
    setText(this.links.desk, tr("desk"));
    setText(this.inboxLabel, tr("inbox"));
    setText(this.links.analytics, tr("analytics"));
    setText(this.links.alerts, tr("alerts"));
    setText(this.links.settings, tr("notificationSettings"));
    setText(this.links.profile, tr("profile"));
    setText(this.signOutButton, tr("signOut"));
    setText(this.menuLabel, tr("account"));
    setText(this.who, this.session.email ?? "");
    this.renderUnread();
  }

  private renderUnread(): void {
    const count = this.trader.unread;
    this.badge.hidden = count === 0;
    setText(this.badge, count > 99 ? "99+" : String(count));
    this.links.inbox.setAttribute("aria-label", count > 0 ? fill(tr("inboxUnread"), { n: count }) : tr("inbox"));
  }

  /** Marks the link of the page on screen (`aria-current`). */
  setCurrent(name: string | null): void {
    for (const [key, el] of Object.entries(this.links)) {
      if (key === name) el.setAttribute("aria-current", "page");
      else el.removeAttribute("aria-current");
    }
  }
}
