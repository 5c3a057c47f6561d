/**
 * The `notifications` queue consumer. For each event it reads the user's preferences and addresses,
 * works out the deliveries (channel and target) the event should get, and attempts each one that the
 * delivery log does not already show as done, claiming it there first: a duplicate or redelivered
 * event reaches each channel once. Quiet hours, a provider without credentials or a user without an
 * address are logged as skipped, with the reason. After the sends:
 * - a provider's 429 or 5xx (or no answer) retries the message with backoff, honouring `Retry-After`;
 *   channels already done are not sent again;
 * - a permanent refusal puts the event on the dead-letter queue with the reason (an admin can fix the
 *   cause and re-drive it), while the other channels carry on;
 * - after `MAX_ATTEMPTS` the event goes to the dead-letter queue too, and a body that is not an event
 *   goes there at once.
 * The same handler stores what arrives on the dead-letter queue (`dead-letters.ts`).
 */
import { NotificationEvent } from "../../protocol/events";
import type { Channel } from "../../protocol/notifications";
import type { ChannelSender, Outcome, Send } from "./channels/channel";
import { emailChannel } from "./channels/email";
import { inAppChannel } from "./channels/in-app";
import { smsChannel } from "./channels/sms";
import { telegramChannel } from "./channels/telegram";
import { pushChannel } from "./channels/web-push";
import { sendToDeadLetters, storeDeadLetters } from "./dead-letters";
import { claimDeliveries, keyOf, loggedDeliveries, type PlannedDelivery, recordOutcomes } from "./delivery-log";
import { channelsFor, inQuietHours } from "./preferences";
import { loadRecipients, type Recipient } from "./recipients";
import { type RenderedMessage, render } from "./render";

/** Attempts before an event is given up on (the queue's own `max_retries` is higher: this comes first). */
export const MAX_ATTEMPTS = 8;
/** Backoff: 5 s, 10 s, 20 s... at most 15 minutes, or longer when a provider's `Retry-After` says so. */
const BACKOFF_BASE_SECONDS = 5;
const BACKOFF_MAX_SECONDS = 900;
/** The longest delay a queue message may be retried with (Queues: 12 hours). */
const MAX_DELAY_SECONDS = 12 * 3600;
/** Provider calls in flight at once per batch. */
const SEND_CONCURRENCY = 16;

export const SENDERS: Record<Channel, ChannelSender> = {
  in_app: inAppChannel,
  email: emailChannel,
  push: pushChannel,
  sms: smsChannel,
  telegram: telegramChannel,
};

/** The Worker's `queue` handler: the notifications queue, or its dead-letter queue. */
export async function handleQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  if (batch.queue.endsWith("-dlq")) return storeDeadLetters(batch, env);
  return deliverNotifications(batch, env);
}

interface EventWork {
  event: NotificationEvent;
  messages: Message<unknown>[];
  /** Set when a delivery must be tried again; the longest `Retry-After` seen. */
  retry: { reasons: string[]; afterSeconds: number } | null;
}

export async function deliverNotifications(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const now = Date.now();
  /** This invocation's claims in the delivery log. */
  const claim = crypto.randomUUID();
  const work = new Map<string, EventWork>();
  for (const message of batch.messages) {
    const parsed = NotificationEvent.safeParse(message.body);
    if (!parsed.success) {
      const reason = `not a notification event: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`;
      await deadLetter(env, [message], message.body, reason);
      continue;
    }
    const entry = work.get(parsed.data.id);
    if (entry) entry.messages.push(message);
    else work.set(parsed.data.id, { event: parsed.data, messages: [message], retry: null });
  }
  if (work.size === 0) return;

  let recipients: Map<string, Recipient>;
  let logged: Awaited<ReturnType<typeof loggedDeliveries>>;
  try {
    [recipients, logged] = await Promise.all([
      loadRecipients(env.DB, [...new Set([...work.values()].map((w) => w.event.data.user_id))]),
      loggedDeliveries(env.DB, [...work.keys()]),
    ]);
  } catch (error) {
    for (const w of work.values()) retryLater(w, `D1 unavailable: ${String(error)}`);
    return settle(env, work);
  }

  // What each event should get, minus what the log shows done or held by another consumer.
  const attempt: PlannedDelivery[] = [];
  const skip: PlannedDelivery[] = [];
  for (const w of work.values()) {
    const recipient = recipients.get(w.event.data.user_id);
    if (!recipient) continue; // the account is gone: nothing to deliver
    for (const planned of plan(env, w.event, recipient, now)) {
      const state = logged.get(keyOf(planned));
      if (state && (state.status === "sent" || state.status === "skipped" || state.status === "failed")) continue;
      if (state?.status === "sending" && state.leaseUntil >= now) {
        retryLater(w, "another consumer is delivering it", Math.ceil((state.leaseUntil - now) / 1000));
        continue;
      }
      (planned.skip ? skip : attempt).push(planned);
    }
  }

  let claimed: Set<string>;
  try {
    claimed = await claimDeliveries(env.DB, attempt, skip, now, claim);
  } catch (error) {
    for (const w of work.values()) retryLater(w, `D1 unavailable: ${String(error)}`);
    return settle(env, work);
  }
  const mine = attempt.filter((d) => claimed.has(keyOf(d)));
  for (const d of attempt)
    if (!claimed.has(keyOf(d))) retryLater(work.get(d.eventId), "another consumer is delivering it", 5);

  const outcomes = await send(env, mine, work, recipients);
  // A permanent refusal goes to the dead-letter queue before it is recorded as final; if that queue
  // refuses, the delivery stays open and the message is retried.
  for (const entry of outcomes) {
    const { delivery, outcome } = entry;
    if (outcome.status !== "failed" || !outcome.deadLetter) continue;
    const w = work.get(delivery.eventId) as EventWork;
    try {
      await sendToDeadLetters(env, w.event, `${delivery.channel} failed: ${outcome.reason}`);
    } catch (error) {
      entry.outcome = { status: "retry", reason: `${outcome.reason}; dead-letter queue refused: ${String(error)}` };
    }
  }
  try {
    await recordOutcomes(env.DB, outcomes, Date.now(), claim);
  } catch (error) {
    // The claims stay until their lease runs out; the retried messages find them then.
    console.error(JSON.stringify({ msg: "delivery outcomes not recorded", error: String(error) }));
  }
  for (const { delivery, outcome } of outcomes) {
    if (outcome.status === "retry") {
      retryLater(work.get(delivery.eventId), `${delivery.channel}: ${outcome.reason}`, outcome.retryAfterSeconds);
    }
  }
  await noteFiredAlerts(
    env,
    [...work.values()].map((w) => w.event),
  );
  await settle(env, work);
}

/**
 * Sends the claimed deliveries: a channel that batches (the inbox) in one call, the others one
 * request each, at most `SEND_CONCURRENCY` at once. A sender that throws is an outcome to retry.
 */
async function send(
  env: Env,
  deliveries: PlannedDelivery[],
  work: Map<string, EventWork>,
  recipients: Map<string, Recipient>,
): Promise<{ delivery: PlannedDelivery; outcome: Outcome }[]> {
  // One rendering per event (an event's user has one locale), shared by its channels.
  const messages = new Map<string, RenderedMessage>();
  const sendOf = (delivery: PlannedDelivery): Send => {
    const { event } = work.get(delivery.eventId) as EventWork;
    const recipient = recipients.get(delivery.userId) as Recipient;
    let message = messages.get(event.id);
    if (!message) {
      message = render(event, recipient.locale);
      messages.set(event.id, message);
    }
    return { env, recipient, target: delivery.target, event, message };
  };
  const out: { delivery: PlannedDelivery; outcome: Outcome }[] = [];
  const single: PlannedDelivery[] = [];
  for (const channel of new Set(deliveries.map((d) => d.channel))) {
    const mine = deliveries.filter((d) => d.channel === channel);
    const sender = SENDERS[channel];
    if (!sender.sendMany) {
      single.push(...mine);
      continue;
    }
    let outcomes: Outcome[];
    try {
      outcomes = await sender.sendMany(mine.map(sendOf));
    } catch (error) {
      outcomes = mine.map(() => ({ status: "retry", reason: String(error) }));
    }
    for (const [i, delivery] of mine.entries()) out.push({ delivery, outcome: outcomes[i] });
  }
  out.push(
    ...(await mapWithLimit(single, SEND_CONCURRENCY, async (delivery) => {
      let outcome: Outcome;
      try {
        outcome = await SENDERS[delivery.channel].send(sendOf(delivery));
      } catch (error) {
        outcome = { status: "retry", reason: String(error) };
      }
      return { delivery, outcome };
    })),
  );
  return out;
}

/** The deliveries an event should get for its user: per channel the user chose, per target. */
function plan(env: Env, event: NotificationEvent, recipient: Recipient, now: number): PlannedDelivery[] {
  const out: PlannedDelivery[] = [];
  const quiet = inQuietHours(recipient.quietHours, recipient.timeZone, now);
  for (const channel of new Set(channelsFor(recipient.events, event.type))) {
    const sender = SENDERS[channel];
    const base = { eventId: event.id, channel, userId: recipient.userId, eventType: event.type };
    const quietReason =
      quiet && channel !== "in_app"
        ? `quiet hours (${recipient.quietHours?.start}-${recipient.quietHours?.end} ${recipient.timeZone})`
        : null;
    const reason = quietReason ?? sender.unconfigured(env);
    if (reason) {
      out.push({ ...base, target: "", skip: reason });
      continue;
    }
    const targets = sender.targets(recipient);
    if ("skip" in targets) out.push({ ...base, target: "", skip: targets.skip });
    else for (const target of targets) out.push({ ...base, target });
  }
  return out;
}

function retryLater(w: EventWork | undefined, reason: string, afterSeconds = 0): void {
  if (!w) return;
  w.retry ??= { reasons: [], afterSeconds: 0 };
  w.retry.reasons.push(reason);
  w.retry.afterSeconds = Math.max(w.retry.afterSeconds, afterSeconds);
}

/** Acknowledges each event's messages, or retries them, or gives up on them (dead-letter queue). */
async function settle(env: Env, work: Map<string, EventWork>): Promise<void> {
  for (const w of work.values()) {
    if (!w.retry) {
      for (const m of w.messages) m.ack();
      continue;
    }
    const attempts = Math.max(...w.messages.map((m) => m.attempts));
    if (attempts >= MAX_ATTEMPTS) {
      await deadLetter(env, w.messages, w.event, `gave up after ${attempts} attempts: ${w.retry.reasons.join("; ")}`);
      continue;
    }
    const backoff = Math.min(BACKOFF_MAX_SECONDS, BACKOFF_BASE_SECONDS * 2 ** (attempts - 1));
    const delaySeconds = Math.min(MAX_DELAY_SECONDS, Math.max(backoff, w.retry.afterSeconds));
    for (const m of w.messages) m.retry({ delaySeconds });
  }
}

/** Puts a body on the dead-letter queue and acknowledges its messages (retried if that queue refuses). */
async function deadLetter(env: Env, messages: Message<unknown>[], body: unknown, reason: string): Promise<void> {
  try {
    await sendToDeadLetters(env, body, reason);
    for (const m of messages) m.ack();
  } catch (error) {
    console.error(JSON.stringify({ msg: "dead-letter queue refused; will retry", reason, error: String(error) }));
    for (const m of messages) m.retry({ delaySeconds: 30 });
  }
}

/** Stamps `last_triggered_at` on the alerts whose events passed through (best effort). */
async function noteFiredAlerts(env: Env, events: NotificationEvent[]): Promise<void> {
  const statements = events.flatMap((e) =>
    e.type === "alert.triggered"
      ? [
          env.DB.prepare(
            "UPDATE alerts SET last_triggered_at = MAX(COALESCE(last_triggered_at, 0), ?) WHERE id = ?",
          ).bind(e.timestamp, e.data.alert_id),
        ]
      : [],
  );
  if (statements.length === 0) return;
  try {
    await env.DB.batch(statements);
  } catch (error) {
    console.warn(JSON.stringify({ msg: "alerts' last_triggered_at not stamped", error: String(error) }));
  }
}

async function mapWithLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await fn(items[i]);
    }
  });
  await Promise.all(workers);
  return out;
}
