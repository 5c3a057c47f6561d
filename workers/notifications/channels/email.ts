/**
 * Email through Resend's HTTP API (https://resend.com/docs/api-reference/emails/send-email): one
 * `fetch`, no SDK, and it honours an `Idempotency-Key`, so even a send whose answer was lost is not
 * delivered twice when retried within a day. Chosen because it is a plain HTTPS API that works from
 * Workers (no SMTP sockets), is well kept, and is what Cloudflare's own Workers examples use.
 */
import { type ChannelSender, outcomeOf, providerFetch, unreachable } from "./channel";

export const RESEND_URL = "https://api.resend.com/emails";

export const emailChannel: ChannelSender = {
  channel: "email",
  unconfigured: (env) =>
    !env.RESEND_API_KEY ? "RESEND_API_KEY is not set" : !env.EMAIL_FROM ? "EMAIL_FROM is not set" : null,
  targets: (recipient) => (recipient.email ? [""] : { skip: "no email address" }),
  async send({ env, recipient, event, message }) {
    try {
      const response = await providerFetch(RESEND_URL, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${env.RESEND_API_KEY}`,
          "Content-Type": "application/json",
          "Idempotency-Key": `${event.id}/email`,
        },
        body: JSON.stringify({
          from: env.EMAIL_FROM,
          to: [recipient.email],
          subject: message.title,
          text: `${message.body}\n`,
          tags: [{ name: "event_type", value: event.type.replace(".", "_") }],
        }),
      });
      return await outcomeOf("Resend", response, (body) => (body as { id?: string }).id);
    } catch (error) {
      return unreachable("Resend", error);
    }
  },
};
