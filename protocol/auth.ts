/**
 * Users and authentication payloads (seed: user-service): registration, the OAuth2 password grant,
 * refresh, logout, the profile, WebSocket tickets.
 */
import { z } from "zod";

/** The longest password accepted, in Unicode code points (OWASP ASVS 2.1.2: at least 64, up to 128). */
export const PASSWORD_MAX_CHARS = 128;
/** The shortest password accepted, in Unicode code points. */
export const PASSWORD_MIN_CHARS = 8;

/** Code points of a string after NFKC, the form passwords are checked and hashed in. */
export function passwordLength(password: string): number {
  return [...password.normalize("NFKC")].length;
}

/** An email address; trimmed. Uniqueness is case-insensitive (the server compares a lower-cased copy). */
export const Email = z.string().trim().max(254).pipe(z.email("an email address such as trader@example.com"));

/**
 * A password: 8 to 128 characters (code points after NFKC), any characters, no composition rules
 * (ASVS 2.1.9). Common and context-specific passwords (the email, the username) are refused by the server.
 */
export const Password = z
  .string()
  .max(PASSWORD_MAX_CHARS * 4, `at most ${PASSWORD_MAX_CHARS} characters`)
  .superRefine((value, ctx) => {
    const n = passwordLength(value);
    if (n < PASSWORD_MIN_CHARS) ctx.addIssue({ code: "custom", message: `at least ${PASSWORD_MIN_CHARS} characters` });
    else if (n > PASSWORD_MAX_CHARS)
      ctx.addIssue({ code: "custom", message: `at most ${PASSWORD_MAX_CHARS} characters` });
  })
  .meta({ description: "8 to 128 characters; no composition rules; common passwords are refused" });

/** A public handle: 2 to 32 letters (any script), digits, `_`, `.`, `-`. Not unique. */
export const Username = z
  .string()
  .trim()
  .min(2, "at least 2 characters")
  .max(32, "at most 32 characters")
  .regex(/^[\p{L}\p{N}_.-]+$/u, "letters, digits, _ . - only");

/** Interface language. */
export const Locale = z.enum(["ko", "en"]).meta({ id: "Locale" });
export type Locale = z.infer<typeof Locale>;

/** An IANA time zone such as `Asia/Seoul`. */
export const Timezone = z
  .string()
  .min(1)
  .max(64)
  .refine((tz) => {
    try {
      new Intl.DateTimeFormat("en", { timeZone: tz });
      return true;
    } catch {
      return false;
    }
  }, "an IANA time zone such as Asia/Seoul");

/** A phone number in E.164 form (`+821012345678`), for SMS notifications. */
export const Phone = z.string().regex(/^\+[1-9][0-9]{6,14}$/, "E.164, e.g. +821012345678");

/** Roles: `admin` may use the operator routes (liquidation debug, manual order changes). */
export const Role = z.enum(["user", "admin"]).meta({ id: "Role" });
export type Role = z.infer<typeof Role>;

/** `POST /api/auth/register`. */
export const RegisterRequest = z
  .object({ email: Email, username: Username, password: Password })
  .strict()
  .meta({ id: "RegisterRequest" });
export type RegisterRequest = z.infer<typeof RegisterRequest>;

/** What the server knows about a user and shows to that user (never the password hash). */
export const UserProfile = z
  .object({
    id: z.string(),
    email: z.string(),
    username: z.string(),
    role: Role,
    display_name: z.string().nullable(),
    locale: Locale,
    timezone: z.string(),
    phone: z.string().nullable(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: "UserProfile" });
export type UserProfile = z.infer<typeof UserProfile>;

/** The answer to a registration. */
export const RegisterResponse = z
  .object({ message: z.string(), user_id: z.string(), user: UserProfile })
  .meta({ id: "RegisterResponse" });
export type RegisterResponse = z.infer<typeof RegisterResponse>;

/** `POST /api/auth/token`: the OAuth2 password grant, form-encoded (`username` is the email). */
export const TokenRequest = z
  .object({
    grant_type: z.literal("password").optional(),
    username: z.string().min(1).max(254).meta({ description: "The account's email address" }),
    password: z
      .string()
      .min(1)
      .max(PASSWORD_MAX_CHARS * 4),
    scope: z.string().max(256).optional(),
  })
  .meta({ id: "TokenRequest" });
export type TokenRequest = z.infer<typeof TokenRequest>;

/** Tokens issued by `/token` and `/refresh`. */
export const TokenResponse = z
  .object({
    access_token: z.string(),
    token_type: z.literal("bearer"),
    expires_in: z.number().int().meta({ description: "Seconds until the access token expires" }),
    refresh_token: z.string(),
    refresh_expires_in: z.number().int().meta({ description: "Seconds until the refresh token expires" }),
    user_id: z.string(),
    email: z.string(),
  })
  .meta({ id: "TokenResponse" });
export type TokenResponse = z.infer<typeof TokenResponse>;

/** An opaque refresh token as issued: 43 base64url characters (256 random bits). */
export const RefreshToken = z.string().regex(/^[A-Za-z0-9_-]{43}$/, "a refresh token as issued");

/** `POST /api/auth/refresh` and `POST /api/auth/logout`. */
export const RefreshRequest = z.object({ refresh_token: RefreshToken }).strict().meta({ id: "RefreshRequest" });
export type RefreshRequest = z.infer<typeof RefreshRequest>;

/** `PATCH /api/users/me`: any subset of the profile; `null` clears an optional field. */
export const ProfileUpdate = z
  .object({
    username: Username.optional(),
    display_name: z.string().trim().min(1).max(64).nullable().optional(),
    locale: Locale.optional(),
    timezone: Timezone.optional(),
    phone: Phone.nullable().optional(),
  })
  .strict()
  .refine((body) => Object.keys(body).length > 0, "at least one field to change")
  .meta({ id: "ProfileUpdate" });
export type ProfileUpdate = z.infer<typeof ProfileUpdate>;

/** `POST /api/users/me/password`: ends every other session. */
export const PasswordChange = z
  .object({
    current_password: z
      .string()
      .min(1)
      .max(PASSWORD_MAX_CHARS * 4),
    new_password: Password,
  })
  .strict()
  .meta({ id: "PasswordChange" });
export type PasswordChange = z.infer<typeof PasswordChange>;

/** `PATCH /api/users/{id}/role` (admin). */
export const RoleChange = z.object({ role: Role }).strict().meta({ id: "RoleChange" });
export type RoleChange = z.infer<typeof RoleChange>;

/** `POST /api/auth/ws-ticket`: a single-use ticket for one private WebSocket upgrade. */
export const WsTicketResponse = z
  .object({
    ticket: z.string(),
    expires_in: z.number().int().meta({ description: "Seconds the ticket stays usable" }),
  })
  .meta({ id: "WsTicket" });
export type WsTicketResponse = z.infer<typeof WsTicketResponse>;
