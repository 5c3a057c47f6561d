/**
 * `#/inbox`: the in-app notifications (`GET /api/notifications`), newest first, a page at a time
 * ("load more" follows `next_before`). Unread ones stand out; pressing one marks it read, and "mark
 * all read" marks the rest (`POST /api/notifications/read`). New ones arrive live from `/ws/user`
 * (through `TraderState`) and go on top. Every answer carries the unread count, which is handed to
 * `TraderState`, so the header's badge and this page agree with the server.
 *
 * Titles and bodies are rendered by the server in the user's own locale (their profile's), not the
 * page's language.
 */
import "./alerts.css";
import type { InboxNotification } from "../../../protocol/notifications";
import { isCoinSymbol } from "../../../protocol/venues";
import { h, setClass, setText } from "../dom";
import { fill, t } from "../i18n";
import type { Page } from "../page";
import type { TraderContext } from "../trader/trader-context";
import { tr } from "./alert-messages";
import { failureText, formatWhen } from "./alert-words";

const PAGE_SIZE = 30;

interface InboxPageBody {
  notifications: InboxNotification[];
  unread: number;
  next_before: string | null;
}

export class InboxPage implements Page {
  readonly element: HTMLElement;
  private readonly heading: HTMLHeadingElement;
  private readonly count: HTMLElement;
  private readonly markAllButton: HTMLButtonElement;
  private readonly alertsLink: HTMLAnchorElement;
  private readonly list: HTMLUListElement;
  private readonly empty: HTMLElement;
  private readonly error: HTMLElement;
  private readonly moreButton: HTMLButtonElement;
  private readonly foot: HTMLElement;
  /** The notifications shown, by id, with their list items. */
  private readonly items = new Map<string, { notification: InboxNotification; element: HTMLLIElement }>();
  private nextBefore: string | null = null;
  private loaded = false;
  private loading = false;
  private loads = 0;

  constructor(private readonly ctx: TraderContext) {
    this.heading = h("h1", { id: "inbox-title", tabindex: "-1" });
    this.count = h("p", { class: "inbox-count", "aria-live": "polite" });
    this.markAllButton = h("button", {
      type: "button",
      class: "al-btn inbox-mark-all",
      onclick: () => void this.markAll(),
    });
    this.alertsLink = h("a", { class: "al-link", href: "#/alerts" });
    this.list = h("ul", { class: "inbox-list", "aria-labelledby": "inbox-title" });
    this.empty = h("p", { class: "al-empty", role: "status" });
    this.error = h("p", { class: "al-error", role: "alert", hidden: true });
    this.moreButton = h("button", {
      type: "button",
      class: "al-btn inbox-more",
      onclick: () => void this.loadMore(),
    });
    this.foot = h("div", { class: "inbox-foot", hidden: true }, this.moreButton);
    this.element = h(
      "section",
      { class: "page inbox-page", hidden: true, "aria-labelledby": "inbox-title" },
      h("div", { class: "al-page-head" }, this.heading, h("nav", { class: "al-links" }, this.alertsLink)),
      h(
        "div",
        { class: "al-panel" },
        h("div", { class: "al-panel-head inbox-toolbar" }, this.count, this.markAllButton),
        this.error,
        this.empty,
        this.list,
        this.foot,
      ),
    );
    ctx.trader.onChange((change) => {
      if (change.notification) this.arrived(change.notification);
      if (change.unread) this.renderCount();
    });
    // Signed out: forget this user's notifications, so the next user never sees them, even briefly.
    ctx.session.onChange((change) => {
      if (change.signedIn) return;
      this.loads++;
      this.items.clear();
      this.list.replaceChildren();
      this.loaded = false;
      this.nextBefore = null;
      this.renderMore();
    });
    this.relabel();
  }

  show(_arg: string | null): void {
    this.element.hidden = false;
    this.setTitle();
    void this.load();
  }

  hide(): void {
    this.element.hidden = true;
  }

  relabel(): void {
    setText(this.heading, tr("inboxTitle"));
    setText(this.markAllButton, tr("markAll"));
    setText(this.alertsLink, tr("toAlerts"));
    setText(this.moreButton, tr("loadMore"));
    for (const [id, item] of this.items) {
      const fresh = this.renderItem(item.notification);
      item.element.replaceWith(fresh);
      this.items.set(id, { notification: item.notification, element: fresh });
    }
    this.renderCount();
    this.renderEmpty();
    if (!this.element.hidden) this.setTitle();
  }

  private setTitle(): void {
    document.title = `${tr("inboxTitle")} · ${t("title")}`;
  }

  /** The first page, replacing what is shown (the server's list is the truth). */
  private async load(): Promise<void> {
    const load = ++this.loads;
    this.loading = true;
    if (!this.loaded) this.renderEmpty();
    try {
      const page = await this.ctx.api.get<InboxPageBody>(`/api/notifications?limit=${PAGE_SIZE}`);
      if (load !== this.loads) return;
      this.items.clear();
      this.list.replaceChildren(...page.notifications.map((n) => this.add(n)));
      this.nextBefore = page.next_before;
      this.loaded = true;
      this.error.hidden = true;
      this.ctx.trader.setUnread(page.unread);
    } catch (error) {
      if (load === this.loads) this.showError(error);
    } finally {
      if (load === this.loads) this.loading = false;
    }
    this.renderMore();
    this.renderCount();
    this.renderEmpty();
  }

  /** The next (older) page, added below; focus goes to the first of them. */
  private async loadMore(): Promise<void> {
    if (!this.nextBefore || this.loading) return;
    this.loading = true;
    try {
      const before = encodeURIComponent(this.nextBefore);
      const page = await this.ctx.api.get<InboxPageBody>(`/api/notifications?limit=${PAGE_SIZE}&before=${before}`);
      const added = page.notifications.filter((n) => !this.items.has(n.id)).map((n) => this.add(n));
      this.list.append(...added);
      this.nextBefore = page.next_before;
      this.ctx.trader.setUnread(page.unread);
      added[0]?.querySelector("button")?.focus();
    } catch (error) {
      this.showError(error);
    } finally {
      this.loading = false;
    }
    this.renderMore();
  }

  /** A notification that just arrived on `/ws/user`: on top, once. */
  private arrived(notification: InboxNotification): void {
    if (!this.loaded || this.items.has(notification.id)) return;
    this.list.prepend(this.add(notification));
    this.renderEmpty();
  }

  /** Marks one read (when it is unread), keeping focus on it. */
  private async markOne(id: string): Promise<void> {
    const item = this.items.get(id);
    if (!item || item.notification.read_at) return;
    try {
      const result = await this.ctx.api.post<{ marked: number; unread: number }>("/api/notifications/read", {
        ids: [id],
      });
      this.setRead(id, new Date().toISOString());
      this.ctx.trader.setUnread(result.unread);
      this.error.hidden = true;
    } catch (error) {
      this.showError(error);
    }
  }

  private async markAll(): Promise<void> {
    if (this.ctx.trader.unread === 0 && ![...this.items.values()].some((i) => !i.notification.read_at)) return;
    try {
      const result = await this.ctx.api.post<{ marked: number; unread: number }>("/api/notifications/read", {
        all: true,
      });
      const now = new Date().toISOString();
      for (const [id, item] of this.items) if (!item.notification.read_at) this.setRead(id, now);
      this.ctx.trader.setUnread(result.unread);
      this.error.hidden = true;
    } catch (error) {
      this.showError(error);
    }
  }

  /** Shows one notification as read, in place (its button keeps focus). */
  private setRead(id: string, readAt: string): void {
    const item = this.items.get(id);
    if (!item) return;
    item.notification = { ...item.notification, read_at: readAt };
    setClass(item.element, "unread", false);
    item.element.querySelector(".inbox-unread")?.remove();
    item.element.querySelector("button")?.removeAttribute("aria-describedby");
  }

  /** Remembers a notification and answers its list item (the caller places it). */
  private add(notification: InboxNotification): HTMLLIElement {
    const element = this.renderItem(notification);
    this.items.set(notification.id, { notification, element });
    return element;
  }

  private renderItem(n: InboxNotification): HTMLLIElement {
    const unread = !n.read_at;
    // Alerts carry a coin (`BTC`), orders a market (`BTC/KRW`): either way, the coin to link to.
    const base = typeof n.data.symbol === "string" ? (n.data.symbol.split("/")[0] ?? "") : "";
    const symbol = isCoinSymbol(base) ? base : null;
    const hintId = `inbox-hint-${n.id}`;
    return h(
      "li",
      { class: unread ? "inbox-item unread" : "inbox-item", "data-id": n.id },
      h(
        "button",
        {
          type: "button",
          class: "inbox-open",
          "aria-describedby": unread ? hintId : undefined,
          onclick: () => void this.markOne(n.id),
        },
        h(
          "span",
          { class: "inbox-title" },
          unread
            ? h("span", { class: "inbox-unread" }, h("span", { class: "visually-hidden" }, `${tr("unreadMark")}: `))
            : null,
          n.title,
        ),
        h("span", { class: "inbox-body" }, n.body),
        h("time", { class: "inbox-time", datetime: n.created_at }, formatWhen(n.timestamp)),
        unread ? h("span", { class: "visually-hidden", id: hintId }, tr("markReadHint")) : null,
      ),
      symbol
        ? h(
            "a",
            { class: "al-link inbox-coin", href: `#/coin/${encodeURIComponent(symbol)}` },
            fill(tr("viewCoin"), { symbol }),
          )
        : null,
    );
  }

  private renderCount(): void {
    const unread = this.ctx.trader.unread;
    setText(this.count, unread > 0 ? fill(tr("unreadCount"), { n: unread }) : tr("allRead"));
    // aria-disabled, not disabled: a disabled button would drop the focus it holds after marking all read.
    this.markAllButton.setAttribute("aria-disabled", String(unread === 0));
  }

  private renderEmpty(): void {
    let note = "";
    if (!this.loaded && this.loading) note = tr("loading");
    else if (this.loaded && this.items.size === 0) note = tr("inboxEmpty");
    setText(this.empty, note);
    this.empty.hidden = note === "";
  }

  private renderMore(): void {
    this.foot.hidden = this.nextBefore === null;
  }

  private showError(error: unknown): void {
    this.error.hidden = false;
    setText(this.error, failureText(error));
  }
}
