/**
 * Telegram through the Bot API's `sendMessage` (https://core.telegram.org/bots/api#sendmessage) to
 * the chat the user linked (see `routes/telegram.ts`). A 429 carries `parameters.retry_after` in its
 * body; a 403 means the user blocked the bot, so the link is removed and nothing is retried.
 */
import { type ChannelSender, type Outcome, outcomeOf, providerFetch, unreachable } from "./channel";

export function telegramMethodUrl(token: string, method: string): string {
  return `https://api.telegram.org/bot${token}/${method}`;
}

export const telegramChannel: ChannelSender = {
  channel: "telegram",
  unconfigured: (env) => (env.TELEGRAM_BOT_TOKEN ? null : "TELEGRAM_BOT_TOKEN is not set"),
  targets: (recipient) => (recipient.telegramChatId !== null ? [""] : { skip: "no Telegram chat linked" }),
  async send({ env, recipient, message }) {
    let response: Response;
    try {
      response = await providerFetch(telegramMethodUrl(env.TELEGRAM_BOT_TOKEN, "sendMessage"), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({
          chat_id: recipient.telegramChatId,
          text: `${message.title}\n${message.body}`,
          link_preview_options: { is_disabled: true },
        }),
      });
    } catch (error) {
      return unreachable("Telegram", error);
    }
    if (response.status === 403) {
      await env.DB.prepare("DELETE FROM telegram_chats WHERE user_id = ?").bind(recipient.userId).run();
      return {
        status: "failed",
        reason: "Telegram answered 403 (the bot was blocked); the chat was unlinked",
        deadLetter: false,
      };
    }
    if (response.status === 429) return tooManyRequests(response);
    return outcomeOf("Telegram", response, (body) =>
      String((body as { result?: { message_id?: number } }).result?.message_id ?? ""),
    );
  },
};

async function tooManyRequests(response: Response): Promise<Outcome> {
  const body = (await response.json().catch(() => null)) as { parameters?: { retry_after?: number } } | null;
  const header = Number(response.headers.get("Retry-After"));
  const seconds = body?.parameters?.retry_after ?? (Number.isFinite(header) && header > 0 ? header : undefined);
  return { status: "retry", reason: "Telegram answered 429", retryAfterSeconds: seconds };
}
