/**
 * Linking a Telegram chat (workers/routes/telegram.ts): a one-time code from
 * `POST /api/notifications/telegram/link`, sent to the bot as `/start CODE` (or through the deep link
 * `t.me/<bot>?start=CODE` when the server knows the bot's name), valid for ten minutes. The API has
 * no read of the link status, so the page cannot say whether a chat is linked; the bot confirms in
 * the chat. `DELETE` on the same path unlinks.
 */
import { h, setText } from "../dom";
import { fill, lang } from "../i18n";
import type { TraderContext } from "../trader/trader-context";
import { reasonOf, StatusLine, whileBusy } from "./form-status";
import { tr } from "./profile-messages";

/** What the link route answers (protocol/notifications.ts `TelegramLinkCode`). */
interface LinkCode {
  code: string;
  expires_at: string;
  link: string | null;
}

export class TelegramLink {
  readonly element: HTMLElement;
  private readonly heading = h("h2", { class: "acct-card-title" });
  private readonly intro = h("p", { class: "acct-intro" });
  private readonly getCode = h("button", { type: "button", class: "button button-primary", id: "telegram-get-code" });
  private readonly unlink = h("button", { type: "button", class: "button", id: "telegram-unlink" });
  private readonly codeLabel = h("span", { class: "acct-code-label" });
  private readonly codeValue = h("output", { class: "acct-code", id: "telegram-code" });
  private readonly instruction = h("p", { class: "acct-intro", id: "telegram-instruction" });
  private readonly deepLink = h("a", {
    class: "button acct-link-btn",
    id: "telegram-deep-link",
    target: "_blank",
    rel: "noopener noreferrer",
  });
  private readonly noBot = h("p", { class: "acct-hint" });
  private readonly expiry = h("p", { class: "acct-hint", id: "telegram-expiry" });
  private readonly linkStatus = h("p", { class: "acct-hint" });
  private readonly codeBox: HTMLElement;
  private readonly status = new StatusLine();
  private current: LinkCode | null = null;
  private expiryTimer: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly ctx: TraderContext) {
    this.codeBox = h(
      "div",
      { class: "acct-code-box", hidden: true },
      h("p", { class: "acct-code-line" }, this.codeLabel, this.codeValue),
      this.instruction,
      this.deepLink,
      this.noBot,
      this.expiry,
      this.linkStatus,
    );
    this.getCode.addEventListener("click", () => void this.requestCode());
    this.unlink.addEventListener("click", () => void this.unlinkChat());
    this.element = h(
      "section",
      { class: "acct-card", "aria-labelledby": "telegram-heading" },
      this.heading,
      this.intro,
      this.codeBox,
      h("div", { class: "acct-actions" }, this.getCode, this.unlink, this.status.element),
    );
    this.heading.id = "telegram-heading";
    this.relabel();
  }

  /** Forgets a code shown earlier (they expire; a fresh one is one click away). */
  reset(): void {
    this.current = null;
    clearTimeout(this.expiryTimer);
    this.status.clear();
    this.relabel();
  }

  relabel(): void {
    setText(this.heading, tr("telegramHeading"));
    setText(this.intro, tr("telegramIntro"));
    setText(this.getCode, this.current ? tr("telegramNewCode") : tr("telegramGetCode"));
    setText(this.unlink, tr("telegramUnlink"));
    setText(this.codeLabel, tr("telegramCode"));
    this.renderCode();
    this.status.relabel();
  }

  private renderCode(): void {
    const code = this.current;
    this.codeBox.hidden = code === null;
    if (!code) return;
    setText(this.codeValue, code.code);
    setText(this.instruction, fill(tr("telegramSend"), { code: code.code }));
    this.deepLink.hidden = !code.link;
    if (code.link) this.deepLink.href = code.link;
    setText(this.deepLink, tr("telegramOpen"));
    this.noBot.hidden = Boolean(code.link);
    setText(this.noBot, tr("telegramNoBot"));
    const expired = Date.parse(code.expires_at) <= Date.now();
    const time = new Intl.DateTimeFormat(lang() === "ko" ? "ko-KR" : "en-GB", {
      hour: "2-digit",
      minute: "2-digit",
      second: "2-digit",
    }).format(new Date(code.expires_at));
    this.expiry.dataset.expired = String(expired);
    setText(this.expiry, expired ? tr("telegramExpired") : fill(tr("telegramExpires"), { time }));
    setText(this.linkStatus, tr("telegramStatusUnknown"));
  }

  private async requestCode(): Promise<void> {
    await whileBusy(this.getCode, async () => {
      this.status.show("info", () => tr("telegramGetting"));
      try {
        this.current = await this.ctx.api.post<LinkCode>("/api/notifications/telegram/link");
      } catch (error) {
        const reason = reasonOf(error);
        this.status.show("error", () => fill(tr("telegramFailed"), { reason }));
        return;
      }
      this.status.clear();
      this.relabel();
      clearTimeout(this.expiryTimer);
      // Say "expired" when it is, instead of leaving a dead code on screen.
      const left = Date.parse(this.current.expires_at) - Date.now();
      this.expiryTimer = setTimeout(() => this.renderCode(), Math.max(0, left) + 500);
    });
  }

  private async unlinkChat(): Promise<void> {
    await whileBusy(this.unlink, async () => {
      try {
        await this.ctx.api.delete("/api/notifications/telegram/link");
        this.status.show("ok", () => tr("telegramUnlinked"));
      } catch (error) {
        const reason = reasonOf(error);
        this.status.show("error", () => fill(tr("telegramFailed"), { reason }));
      }
    });
  }
}
