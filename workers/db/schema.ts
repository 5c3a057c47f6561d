/**
 * The D1 schema, the one source of the SQL in `migrations/` (`npx drizzle-kit generate`, then
 * `wrangler d1 migrations apply`). Times are ms since the epoch; the API renders `*_at` as ISO-8601.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

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

export type UserRow = typeof users.$inferSelect;
export type SessionRow = typeof sessions.$inferSelect;
