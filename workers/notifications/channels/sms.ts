/**
 * SMS through Twilio's Messages API (https://www.twilio.com/docs/messaging/api/message-resource):
 * a form POST with HTTP Basic auth (account SID and auth token) from `TWILIO_FROM`. Numbers are E.164
 * (the profile's `phone`; Korean mobiles as +8210...). Twilio reaches Korean carriers, and its API is
 * plain HTTPS, which a Worker can call (its Node SDK needs axios and sockets).
 */
import { type ChannelSender, outcomeOf, providerFetch, unreachable } from "./channel";

export function twilioMessagesUrl(accountSid: string): string {
  return `https://api.twilio.com/2010-04-01/Accounts/${encodeURIComponent(accountSid)}/Messages.json`;
}

export const smsChannel: ChannelSender = {
  channel: "sms",
  unconfigured: (env) =>
    !env.TWILIO_ACCOUNT_SID || !env.TWILIO_AUTH_TOKEN
      ? "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set"
      : !env.TWILIO_FROM
        ? "TWILIO_FROM is not set"
        : null,
  targets: (recipient) => (recipient.phone ? [""] : { skip: "no phone number in the profile" }),
  async send({ env, recipient, message }) {
    try {
      const response = await providerFetch(twilioMessagesUrl(env.TWILIO_ACCOUNT_SID), {
        method: "POST",
        headers: {
          Authorization: `Basic ${btoa(`${env.TWILIO_ACCOUNT_SID}:${env.TWILIO_AUTH_TOKEN}`)}`,
          "Content-Type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          To: recipient.phone ?? "",
          From: env.TWILIO_FROM,
          Body: `${message.title}: ${message.body}`,
        }),
      });
      return await outcomeOf("Twilio", response, (body) => (body as { sid?: string }).sid);
    } catch (error) {
      return unreachable("Twilio", error);
    }
  },
};
