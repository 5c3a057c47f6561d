/**
 * The D1 schema, the one source of the SQL in `migrations/` (`npx drizzle-kit generate`, then
 * `wrangler d1 migrations apply`). Times are ms since the epoch; the API renders `*_at` as ISO-8601.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, real, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Accounts. `email_normalized` (trimmed, NFC, lower case) is what makes an email unique case-insensitively. */
export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    /** The address as the user typed it, for display. */
    email: text("email").notNull(),
    emailNormalized: text("email_normalized").notNull().unique(),
    username: text("username").notNull(),
    /** A PHC string (`$argon2id$v=19$m=...,t=...,p=...$salt$hash`): the parameters travel with the hash. */
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ["user", "admin"] })
      .notNull()
      .default("user"),
    displayName: text("display_name"),
    locale: text("locale", { enum: ["ko", "en"] })
      .notNull()
      .default("ko"),
    /** An IANA zone name. */
    timezone: text("timezone").notNull().default("Asia/Seoul"),
    /** E.164, for SMS notifications later. */
    phone: text("phone"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    passwordChangedAt: integer("password_changed_at").notNull(),
  },
  (t) => [
    check("users_role_check", sql`${t.role} IN ('user', 'admin')`),
    check("users_locale_check", sql`${t.locale} IN ('ko', 'en')`),
  ],
);

/**
 * Sessions: one per login, the family of every refresh token rotated from it. The access token's
 * `sid` names it, so revoking a session ends its access tokens too.
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    lastUsedAt: integer("last_used_at").notNull(),
    /** Absolute end of the session, however often it is refreshed. */
    expiresAt: integer("expires_at").notNull(),
    revokedAt: integer("revoked_at"),
    /** `logout`, `reuse`, `password_change`, ... */
    revokedReason: text("revoked_reason"),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/**
 * Refresh tokens, stored as the SHA-256 of the opaque token. A token is used once: `used_at` is set
 * when it is exchanged, and presenting it again revokes its whole session.
 */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    tokenHash: text("token_hash").primaryKey(),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("refresh_tokens_session_idx").on(t.sessionId)],
);

/** Single-use, short-lived tickets that admit one WebSocket upgrade, stored hashed. */
export const wsTickets = sqliteTable(
  "ws_tickets",
  {
    ticketHash: text("ticket_hash").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    sessionId: text("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    expiresAt: integer("expires_at").notNull(),
    usedAt: integer("used_at"),
  },
  (t) => [index("ws_tickets_expires_idx").on(t.expiresAt)],
);

/**
 * Throttle state for login and registration, keyed by `acct:<email>` or `ip:<address>`. D1 is a
 * single primary, so the counters are consistent across isolates and locations.
 */
export const authThrottle = sqliteTable("auth_throttle", {
  key: text("key").primaryKey(),
  /** Attempts counted in the current window (failures; for registration, every attempt). */
  failures: integer("failures").notNull(),
  windowStart: integer("window_start").notNull(),
  /** Until when (ms) every attempt is refused with 429; 0 when not locked. */
  lockedUntil: integer("locked_until").notNull(),
  /** The id of the last attempt let through, so each caller learns whether its own attempt was counted. */
  lastAttempt: text("last_attempt").notNull(),
});

/**
 * Orders: a projection of the users' ledgers (the UserLedger objects hold the truth and write here,
 * retrying until D1 has it). A row is replaced only by a newer `version` of the same order, so late
 * or repeated writes never move it back. Amounts are exact decimal strings.
 */
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    clientOrderId: text("client_order_id"),
    symbol: text("symbol").notNull(),
    venue: text("venue").notNull(),
    side: text("side", { enum: ["BUY", "SELL"] }).notNull(),
    orderType: text("order_type").notNull(),
    timeInForce: text("time_in_force").notNull(),
    quantity: text("quantity").notNull(),
    price: text("price"),
    stopPrice: text("stop_price"),
    status: text("status").notNull(),
    rejectReason: text("reject_reason"),
    filledQuantity: text("filled_quantity").notNull(),
    filledValue: text("filled_value").notNull(),
    fee: text("fee").notNull(),
    feeCurrency: text("fee_currency").notNull(),
    tradeId: text("trade_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    version: integer("version").notNull(),
  },
  (t) => [
    index("orders_user_created_idx").on(t.userId, t.createdAt),
    index("orders_status_idx").on(t.status),
    check("orders_side_check", sql`${t.side} IN ('BUY', 'SELL')`),
  ],
);

/** Fills: a projection of the ledgers' fills, each written once (by its id). */
export const fills = sqliteTable(
  "fills",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id").notNull(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    symbol: text("symbol").notNull(),
    venue: text("venue").notNull(),
    side: text("side", { enum: ["BUY", "SELL"] }).notNull(),
    quantity: text("quantity").notNull(),
    price: text("price").notNull(),
    fee: text("fee").notNull(),
    feeCurrency: text("fee_currency").notNull(),
    liquidity: text("liquidity", { enum: ["maker", "taker"] }).notNull(),
    timestamp: integer("timestamp").notNull(),
  },
  (t) => [index("fills_user_time_idx").on(t.userId, t.timestamp), index("fills_order_idx").on(t.orderId)],
);

/**
 * The in-app inbox: one row per event a user is told about, keyed by the event's id, so an event
 * the queue delivers twice is stored once.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    /** The event's `data`, as JSON. */
    data: text("data").notNull(),
    /** The event's own time (ms). */
    createdAt: integer("created_at").notNull(),
    readAt: integer("read_at"),
  },
  (t) => [index("notifications_user_created_idx").on(t.userId, t.createdAt)],
);

/**
 * Alerts: the source of truth for what each user asked to hear about. The evaluating objects (the
 * coin's MarketSymbol, the LiquidationFeed) load their alerts from here and keep only the armed/fired
 * state themselves, so an object that restarts rebuilds its alerts from this table.
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    kind: text("kind", { enum: ["price", "premium", "premium_percentile", "liquidation", "caution"] }).notNull(),
    /** Null only for a liquidation alert on any coin. */
    symbol: text("symbol"),
    venue: text("venue"),
    basis: text("basis", { enum: ["usd", "usdt"] }),
    window: text("window", { enum: ["30d", "90d"] }),
    direction: text("direction", { enum: ["above", "below"] }),
    threshold: real("threshold"),
    hysteresis: real("hysteresis").notNull().default(0),
    minUsd: real("min_usd"),
    cooldownSeconds: integer("cooldown_seconds").notNull(),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    note: text("note"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    lastTriggeredAt: integer("last_triggered_at"),
  },
  (t) => [index("alerts_user_idx").on(t.userId, t.createdAt), index("alerts_symbol_kind_idx").on(t.symbol, t.kind)],
);

/** Per user: which channels each event type goes to (JSON), and quiet hours (HH:MM in the user's zone). */
export const notificationPreferences = sqliteTable("notification_preferences", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  /** `{ "alert.triggered": ["in_app", "push"], ... }`; types not named keep their defaults. */
  events: text("events").notNull(),
  quietStart: text("quiet_start"),
  quietEnd: text("quiet_end"),
  updatedAt: integer("updated_at").notNull(),
});

/**
 * The delivery log: one row per event, channel and target (a push subscription; "" for the others).
 * The primary key is what makes delivery idempotent: a consumer claims a row before it calls the
 * provider and marks it sent after, so a redelivered or duplicated event reaches each channel once.
 */
export const notificationDeliveries = sqliteTable(
  "notification_deliveries",
  {
    eventId: text("event_id").notNull(),
    channel: text("channel", { enum: ["in_app", "email", "push", "sms", "telegram"] }).notNull(),
    target: text("target").notNull(),
    userId: text("user_id").notNull(),
    eventType: text("event_type").notNull(),
    /** `sending` (claimed until `lease_until`), `pending` (to retry), `sent`, `skipped`, `failed`. */
    status: text("status", { enum: ["sending", "pending", "sent", "skipped", "failed"] }).notNull(),
    attempts: integer("attempts").notNull().default(0),
    reason: text("reason"),
    providerId: text("provider_id"),
    leaseUntil: integer("lease_until").notNull().default(0),
    /** The claiming consumer's token: only it records the outcome. */
    claim: text("claim"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.eventId, t.channel, t.target] }),
    index("notification_deliveries_user_idx").on(t.userId, t.updatedAt),
  ],
);

/** Web Push subscriptions (a browser's endpoint and keys); one user may have several devices. */
export const pushSubscriptions = sqliteTable(
  "push_subscriptions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    endpoint: text("endpoint").notNull().unique(),
    p256dh: text("p256dh").notNull(),
    auth: text("auth").notNull(),
    createdAt: integer("created_at").notNull(),
  },
  (t) => [index("push_subscriptions_user_idx").on(t.userId)],
);

/** A user's linked Telegram chat (one per user; a chat links to one user). */
export const telegramChats = sqliteTable("telegram_chats", {
  userId: text("user_id")
    .primaryKey()
    .references(() => users.id, { onDelete: "cascade" }),
  chatId: integer("chat_id").notNull().unique(),
  linkedAt: integer("linked_at").notNull(),
});

/** One-time codes a user sends the bot to link their chat (stored as a SHA-256 hex digest). */
export const telegramLinkCodes = sqliteTable("telegram_link_codes", {
  codeHash: text("code_hash").primaryKey(),
  userId: text("user_id")
    .notNull()
    .references(() => users.id, { onDelete: "cascade" }),
  expiresAt: integer("expires_at").notNull(),
});

/** Messages the consumer could not deliver (from the dead-letter queue), for admins to inspect and re-drive. */
export const notificationDeadLetters = sqliteTable(
  "notification_dead_letters",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id"),
    eventType: text("event_type"),
    userId: text("user_id"),
    reason: text("reason").notNull(),
    /** The message body as it was queued (JSON). */
    body: text("body").notNull(),
    failedAt: integer("failed_at").notNull(),
    redrivenAt: integer("redriven_at"),
  },
  (t) => [index("notification_dead_letters_failed_idx").on(t.failedAt)],
);

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;

/**
 * One row per user per day (Asia/Seoul): the account as the daily Cron Trigger found it, the equity
 * curve's points. Positions and the prices they were valued at are kept, so the figure can be checked
 * (cash plus positions at those prices, in KRW) and replayed.
 */
export const equitySnapshots = sqliteTable(
  "equity_snapshots",
  {
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    day: text("day").notNull(),
    /** Null when a rate or price needed for it was missing. */
    equityKrw: real("equity_krw"),
    cashKrw: real("cash_krw").notNull(),
    cashUsdt: real("cash_usdt").notNull(),
    usdtKrw: real("usdt_krw"),
    /** JSON: `[{ venue, symbol, quantity, avg_price, market_price, currency }]`. */
    positions: text("positions").notNull(),
    stale: integer("stale", { mode: "boolean" }).notNull(),
    takenAt: integer("taken_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.userId, t.day] })],
);
