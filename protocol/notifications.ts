/**
 * Notifications as users and operators see them: the channels, a user's preferences, the in-app
 * inbox, the delivery log, Web Push subscriptions, the Telegram link, and the dead letters admins
 * re-drive.
 */
import { z } from "zod";
import { Locale, Timezone } from "./auth";

import { EpochMs } from "./common";
import { NOTIFICATION_EVENT_TYPES } from "./events";

export { Locale } from "./auth";

export const Channel = z.enum(["in_app", "email", "push", "sms", "telegram"]).meta({ id: "NotificationChannel" });
export type Channel = z.infer<typeof Channel>;

export const NotificationEventType = z.enum(NOTIFICATION_EVENT_TYPES).meta({ id: "NotificationEventType" });

const ClockTime = z.string().regex(/^([01][0-9]|2[0-3]):[0-5][0-9]$/, "a time of day as HH:MM (24 h)");

/** Outside channels keep quiet from `start` to `end` in the user's time zone (may span midnight). */
export const QuietHours = z
  .object({ start: ClockTime, end: ClockTime })
  .strict()
  .refine((q) => q.start !== q.end, "start and end must differ")
  .meta({ id: "QuietHours" });
export type QuietHours = z.infer<typeof QuietHours>;

/** Per event type, the channels it goes to (in-app included: leave it out to keep an event out of the inbox). */
export const ChannelsByEvent = z.partialRecord(NotificationEventType, z.array(Channel).max(5));
export type ChannelsByEvent = z.infer<typeof ChannelsByEvent>;

/** `GET /api/notifications/preferences`. */
export const NotificationPreferences = z
  .object({
    events: z.record(z.string(), z.array(Channel)),
    quiet_hours: QuietHours.nullable(),
    time_zone: z.string(),
    locale: Locale,
  })
  .meta({ id: "NotificationPreferences" });
export type NotificationPreferences = z.infer<typeof NotificationPreferences>;

/** `PUT /api/notifications/preferences`: any of the fields; `events` replaces the listed types only. */
export const NotificationPreferencesUpdate = z
  .object({
    events: ChannelsByEvent.optional(),
    quiet_hours: QuietHours.nullable().optional(),
    time_zone: Timezone.optional(),
    locale: Locale.optional(),
  })
  .strict()
  .meta({ id: "NotificationPreferencesUpdate" });
export type NotificationPreferencesUpdate = z.infer<typeof NotificationPreferencesUpdate>;

/** Where events go until a user says otherwise: the inbox always, push for what needs acting on. */
export const DEFAULT_CHANNELS: Record<(typeof NOTIFICATION_EVENT_TYPES)[number], Channel[]> = {
  "alert.triggered": ["in_app", "push", "telegram"],
  "order.created": ["in_app"],
  "order.status_updated": ["in_app"],
  "order.filled": ["in_app", "push"],
};

/** One inbox item, rendered in the user's locale. */
export const InboxNotification = z
  .object({
    id: z.string(),
    type: z.string(),
    title: z.string(),
    body: z.string(),
    data: z.record(z.string(), z.unknown()),
    created_at: z.string(),
    timestamp: EpochMs,
    read_at: z.string().nullable(),
  })
  .meta({ id: "InboxNotification" });
export type InboxNotification = z.infer<typeof InboxNotification>;

export const InboxPage = z
  .object({
    notifications: z.array(InboxNotification),
    unread: z.number().int(),
    /** Pass as `before` for the next (older) page; null at the end. */
    next_before: z.string().nullable(),
  })
  .meta({ id: "InboxPage" });

export const DeliveryStatus = z
  .enum(["sending", "pending", "sent", "skipped", "failed"])
  .meta({ id: "DeliveryStatus" });
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** One row of the delivery log: one event on one channel (and target: a push subscription). */
export const Delivery = z
  .object({
    event_id: z.string(),
    event_type: z.string(),
    channel: Channel,
    target: z.string(),
    status: DeliveryStatus,
    attempts: z.number().int(),
    /** Why it was skipped or failed, or the last retryable error. */
    reason: z.string().nullable(),
    provider_id: z.string().nullable(),
    updated_at: z.string(),
  })
  .meta({ id: "Delivery" });
export type Delivery = z.infer<typeof Delivery>;

/** `POST /api/push/subscriptions`: a browser's `PushSubscription.toJSON()`. */
export const PushSubscriptionCreate = z
  .object({
    endpoint: z.url({ protocol: /^https$/ }).max(2048),
    expirationTime: z.number().nullable().optional(),
    keys: z
      .object({
        p256dh: z.string().regex(/^[A-Za-z0-9_-]{86,88}={0,2}$/, "the subscription's P-256 key, base64url"),
        auth: z.string().regex(/^[A-Za-z0-9_-]{22,24}={0,2}$/, "the subscription's 16-byte auth secret, base64url"),
      })
      .strict(),
  })
  .meta({ id: "PushSubscriptionCreate" });
export type PushSubscriptionCreate = z.infer<typeof PushSubscriptionCreate>;

export const PushSubscriptionView = z
  .object({ id: z.string(), endpoint: z.string(), created_at: z.string() })
  .meta({ id: "PushSubscription" });

/** `POST /api/notifications/telegram/link`: the one-time code to send the bot. */
export const TelegramLinkCode = z
  .object({
    code: z.string(),
    expires_at: z.string(),
    /** `https://t.me/<bot>?start=<code>` when the bot's name is configured. */
    link: z.string().nullable(),
  })
  .meta({ id: "TelegramLinkCode" });

/** What the Bot API posts to the webhook (the parts we read). */
export const TelegramUpdate = z
  .object({
    update_id: z.number().int(),
    message: z
      .object({
        chat: z.object({ id: z.number().int() }).loose(),
        text: z.string().max(4096).optional(),
      })
      .loose()
      .optional(),
  })
  .loose();
export type TelegramUpdate = z.infer<typeof TelegramUpdate>;

/** A message that could not be delivered, kept for admins to inspect and re-drive. */
export const DeadLetter = z
  .object({
    id: z.string(),
    event_id: z.string().nullable(),
    event_type: z.string().nullable(),
    user_id: z.string().nullable(),
    reason: z.string(),
    body: z.unknown(),
    failed_at: z.string(),
    redriven_at: z.string().nullable(),
  })
  .meta({ id: "DeadLetter" });
export type DeadLetter = z.infer<typeof DeadLetter>;

/**
 * What the consumer puts on the dead-letter queue itself: the original body and why. (A message the
 * runtime moves there after its retries ran out arrives as the bare body.)
 */
export const DeadLetterEnvelope = z.object({
  dead_letter: z.literal(true),
  reason: z.string(),
  body: z.unknown(),
  failed_at: EpochMs,
});
export type DeadLetterEnvelope = z.infer<typeof DeadLetterEnvelope>;
