import { createExecutionContext, createMessageBatch, getQueueResult, type QueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { type NotificationEvent, notificationEvent } from "../../../protocol/events";
import worker from "../../../workers/index";
import { PUSH_HOST } from "./provider-wire";

/** Polls `read` until `done` holds (or fails after `timeoutMs`). */
export async function until<T>(read: () => Promise<T>, done: (v: T) => boolean, timeoutMs = 5_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met within ${timeoutMs} ms; last value ${JSON.stringify(value)}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

export interface SeededRecipient {
  userId: string;
  email: string;
  phone: string;
  chatId: number;
  /** The browser side of the user's push subscription, for decrypting what is sent to it. */
  push: { endpoint: string; keys: CryptoKeyPair; publicKey: Uint8Array; auth: Uint8Array };
}

/**
 * Users reachable on every channel, written straight into D1 (the consumer only reads them): an
 * email, a phone, a linked Telegram chat, one push subscription, and preferences that send
 * `alert.triggered` everywhere. Seeding D1 directly keeps thousands of users cheap (no password hashing).
 */
export async function seedRecipients(
  count: number,
  options: { quietHours?: [string, string] } = {},
): Promise<SeededRecipient[]> {
  const out: SeededRecipient[] = [];
  const now = Date.now();
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < count; i++) {
    const userId = crypto.randomUUID();
    const keys = (await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, [
      "deriveBits",
    ])) as CryptoKeyPair;
    const publicKey = new Uint8Array((await crypto.subtle.exportKey("raw", keys.publicKey)) as ArrayBuffer);
    const auth = crypto.getRandomValues(new Uint8Array(16));
    const recipient: SeededRecipient = {
      userId,
      email: `r-${userId.slice(0, 8)}@example.com`,
      phone: `+8210${String(10_000_000 + Math.floor(Math.random() * 89_999_999))}`,
      chatId: 100_000_000 + Math.floor(Math.random() * 1e9),
      push: { endpoint: `https://${PUSH_HOST}/send/${userId}`, keys, publicKey, auth },
    };
    out.push(recipient);
    statements.push(
      env.DB.prepare(
        `INSERT INTO users (id, email, email_normalized, username, password_hash, role, locale, timezone, phone, created_at, updated_at, password_changed_at)
         VALUES (?1, ?2, ?2, 'r', 'x', 'user', 'ko', 'Asia/Seoul', ?3, ?4, ?4, ?4)`,
      ).bind(userId, recipient.email, recipient.phone, now),
      env.DB.prepare("INSERT INTO telegram_chats (user_id, chat_id, linked_at) VALUES (?, ?, ?)").bind(
        userId,
        recipient.chatId,
        now,
      ),
      env.DB.prepare(
        "INSERT INTO push_subscriptions (id, user_id, endpoint, p256dh, auth, created_at) VALUES (?, ?, ?, ?, ?, ?)",
      ).bind(crypto.randomUUID(), userId, recipient.push.endpoint, base64Url(publicKey), base64Url(auth), now),
      env.DB.prepare(
        "INSERT INTO notification_preferences (user_id, events, quiet_start, quiet_end, updated_at) VALUES (?, ?, ?, ?, ?)",
      ).bind(
        userId,
        JSON.stringify({ "alert.triggered": ["in_app", "email", "push", "sms", "telegram"] }),
        options.quietHours?.[0] ?? null,
        options.quietHours?.[1] ?? null,
        now,
      ),
    );
  }
  for (let i = 0; i < statements.length; i += 80) await env.DB.batch(statements.slice(i, i + 80));
  return out;
}

/** An `alert.triggered` event for a user, as an evaluator would queue it. */
export function alertEvent(userId: string, id = `alert:${crypto.randomUUID()}:${Date.now()}`): NotificationEvent {
  return notificationEvent(
    "alert.triggered",
    {
      user_id: userId,
      alert_id: crypto.randomUUID(),
      kind: "premium",
      symbol: "BTC",
      venue: null,
      basis: "usd",
      direction: "above",
      threshold: 3,
      value: 3.21,
      korean_name: "비트코인",
      observed_at: Date.now(),
    },
    { id },
  );
}

/** One queued message, as the runtime hands it to the consumer. */
export interface QueuedMessage {
  id: string;
  body: unknown;
  attempts: number;
}

/**
 * Runs the consumer on one batch (as the runtime would) and answers what it acknowledged and retried,
 * with each retry's delay (`getQueueResult` does not report delays, so `retry` is watched for them).
 */
export async function consume(
  messages: QueuedMessage[],
  options: { env?: Env; queue?: string } = {},
): Promise<QueueResult & { delays: Record<string, number | undefined> }> {
  const batch = createMessageBatch(
    options.queue ?? "notifications",
    messages.map((m) => ({ id: m.id, timestamp: new Date(), attempts: m.attempts, body: m.body })),
  );
  const delays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (o?: QueueRetryOptions) => {
      delays[message.id] = o?.delaySeconds;
      retry(o);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch as MessageBatch<unknown>, options.env ?? env);
  return { ...(await getQueueResult(batch, ctx)), delays };
}

/** The delivery log of some events. */
export async function deliveriesOf(eventIds: string[]) {
  const out: {
    event_id: string;
    channel: string;
    target: string;
    status: string;
    reason: string | null;
    attempts: number;
  }[] = [];
  for (let i = 0; i < eventIds.length; i += 50) {
    const ids = eventIds.slice(i, i + 50);
    const { results } = await env.DB.prepare(
      `SELECT event_id, channel, target, status, reason, attempts FROM notification_deliveries WHERE event_id IN (${ids.map(() => "?").join(",")})`,
    )
      .bind(...ids)
      .all<(typeof out)[number]>();
    out.push(...results);
  }
  return out;
}

export function base64Url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}
