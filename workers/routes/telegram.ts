import { createRoute, z } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { TelegramLinkCode, TelegramUpdate } from "../../protocol/notifications";
import type { AppEnv } from "../app-env";
import { hashOpaqueToken } from "../auth/opaque-tokens";
import { timingSafeEqualStrings } from "../auth/timing-safe";
import { SMALL_BODY_BYTES } from "../http/body-limit";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { requireAuth } from "../middleware/auth";
import { providerFetch } from "../notifications/channels/channel";
import { telegramMethodUrl } from "../notifications/channels/telegram";

/**
 * Linking a Telegram chat: the signed-in user asks for a one-time code (shown in their profile) and
 * sends it to the bot (`/start CODE`, or the deep link `t.me/<bot>?start=CODE`); Telegram posts that
 * message to our webhook, which is only believed with the secret token Telegram was given when the
 * webhook was set (`X-Telegram-Bot-Api-Secret-Token`, see README). A code links one chat, once, within
 * ten minutes.
 */
export const telegramLinkRoutes = router({ maxBodyBytes: SMALL_BODY_BYTES });
/** Telegram's own updates can be larger (a message of 4,096 characters and its metadata). */
export const telegramWebhookRoutes = router({ maxBodyBytes: 64 * 1024 });

const security = [{ BearerAuth: [] }];
const CODE_TTL_MS = 10 * 60_000;
/** No 0/O, 1/I/L: codes are read off a screen and typed. */
const CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789";
const CODE_LENGTH = 10;

telegramLinkRoutes.openapi(
  createRoute({
    method: "post",
    path: "/link",
    tags: ["Notifications"],
    summary: "A one-time code to send the bot, linking your Telegram chat (valid 10 minutes)",
    security,
    middleware: [requireAuth()] as const,
    responses: { 201: json(TelegramLinkCode, "The code"), ...problems(401) },
  }),
  async (c) => {
    const userId = c.var.user.id;
    const code = newCode();
    const expiresAt = Date.now() + CODE_TTL_MS;
    await c.env.DB.batch([
      c.env.DB.prepare("DELETE FROM telegram_link_codes WHERE user_id = ?").bind(userId),
      c.env.DB.prepare("INSERT INTO telegram_link_codes (code_hash, user_id, expires_at) VALUES (?, ?, ?)").bind(
        await hashOpaqueToken(code),
        userId,
        expiresAt,
      ),
    ]);
    const bot = c.env.TELEGRAM_BOT_USERNAME as string;
    return c.json(
      { code, expires_at: new Date(expiresAt).toISOString(), link: bot ? `https://t.me/${bot}?start=${code}` : null },
      201,
    );
  },
);

telegramLinkRoutes.openapi(
  createRoute({
    method: "delete",
    path: "/link",
    tags: ["Notifications"],
    summary: "Unlink your Telegram chat",
    security,
    middleware: [requireAuth()] as const,
    responses: { 204: { description: "Unlinked (or was not linked)" }, ...problems(401) },
  }),
  async (c) => {
    await c.env.DB.prepare("DELETE FROM telegram_chats WHERE user_id = ?").bind(c.var.user.id).run();
    return c.body(null, 204);
  },
);

telegramWebhookRoutes.openapi(
  createRoute({
    method: "post",
    path: "/webhook",
    tags: ["Notifications"],
    summary: "Telegram's webhook (Bot API updates); needs the secret token header",
    middleware: [telegramSecret()] as const,
    request: { body: { content: { "application/json": { schema: TelegramUpdate } }, required: true } },
    responses: {
      200: json(z.object({ ok: z.boolean(), linked: z.boolean() }), "Handled"),
      ...problems(400, 401, 413, 503),
    },
  }),
  async (c) => {
    const update = c.req.valid("json");
    const chatId = update.message?.chat.id;
    const code = /^(?:\/start\s+)?([A-Z0-9]{6,32})\s*$/i.exec(update.message?.text?.trim() ?? "")?.[1]?.toUpperCase();
    if (chatId === undefined || !code) return c.json({ ok: true, linked: false }, 200);
    const now = Date.now();
    const hash = await hashOpaqueToken(code);
    // One atomic batch: the chat moves off any other account, is linked to the code's owner, and the
    // code is spent. Two deliveries of one update link once; a failure leaves the code usable.
    const owner = "(SELECT user_id FROM telegram_link_codes WHERE code_hash = ?2 AND expires_at > ?3)";
    const [, linked] = await c.env.DB.batch([
      c.env.DB.prepare(`DELETE FROM telegram_chats WHERE chat_id = ?1 AND user_id <> ${owner}`).bind(chatId, hash, now),
      c.env.DB.prepare(
        `INSERT INTO telegram_chats (user_id, chat_id, linked_at) SELECT ${owner}, ?1, ?3 WHERE ${owner} IS NOT NULL
         ON CONFLICT(user_id) DO UPDATE SET chat_id = excluded.chat_id, linked_at = excluded.linked_at`,
      ).bind(chatId, hash, now),
      c.env.DB.prepare("DELETE FROM telegram_link_codes WHERE code_hash = ?").bind(hash),
    ]);
    if (linked.meta.changes === 0) {
      await reply(c.env, chatId, "This code is not valid (or expired). Ask for a new one in your profile.");
      return c.json({ ok: true, linked: false }, 200);
    }
    await reply(c.env, chatId, "Linked: alerts will arrive here. / 연결되었습니다: 알림이 여기로 옵니다.");
    return c.json({ ok: true, linked: true }, 200);
  },
);

/**
 * Admits only Telegram's own calls: the secret token given to `setWebhook`, compared in constant
 * time, checked before the body is even read.
 */
function telegramSecret(): MiddlewareHandler<AppEnv> {
  return async function telegramSecret(c, next) {
    const secret = c.env.TELEGRAM_WEBHOOK_SECRET;
    if (!secret) throw new Problem(503, "telegram-not-configured", "The Telegram webhook is not configured");
    const given = c.req.header("X-Telegram-Bot-Api-Secret-Token") ?? "";
    if (!(await timingSafeEqualStrings(given, secret))) {
      throw new Problem(401, "unauthorized", "The webhook's secret token is missing or wrong");
    }
    await next();
  };
}

function newCode(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(CODE_LENGTH));
  return [...bytes].map((b) => CODE_ALPHABET[b % CODE_ALPHABET.length]).join("");
}

/** A best-effort answer in the chat (the link stands whether or not it arrives). */
async function reply(env: Env, chatId: number, text: string): Promise<void> {
  if (!env.TELEGRAM_BOT_TOKEN) return;
  try {
    await providerFetch(telegramMethodUrl(env.TELEGRAM_BOT_TOKEN, "sendMessage"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ chat_id: chatId, text }),
    });
  } catch (error) {
    console.warn(JSON.stringify({ msg: "telegram reply not sent", error: String(error) }));
  }
}
