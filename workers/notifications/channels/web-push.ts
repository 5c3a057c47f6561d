/**
 * Web Push (RFC 8030) to each of the user's browser subscriptions: the payload encrypted for the
 * subscription (RFC 8291, aes128gcm) and the request signed with our VAPID key (RFC 8292), both by
 * `@block65/webcrypto-web-push` (WebCrypto only, made for Workers; `@pushforge/builder`, the other
 * Workers library, still sends the older `aesgcm` draft encoding). A subscription the push service
 * answers 404 or 410 for is gone: it is deleted and nothing is retried.
 */
import { buildPushPayload } from "@block65/webcrypto-web-push";
import { fromBase64, toBase64Url } from "../../auth/base64";
import { type ChannelSender, outcomeOf, providerFetch, unreachable } from "./channel";

/** How long a push service keeps an undelivered notification (s). */
const PUSH_TTL_SECONDS = 6 * 3600;

export const pushChannel: ChannelSender = {
  channel: "push",
  unconfigured: (env) => (env.VAPID_PRIVATE_JWK ? null : "VAPID_PRIVATE_JWK is not set"),
  targets: (recipient) =>
    recipient.push.length > 0 ? recipient.push.map((s) => s.id) : { skip: "no push subscription" },
  async send({ env, recipient, target, event, message }) {
    const subscription = recipient.push.find((s) => s.id === target);
    if (!subscription) return { status: "skipped", reason: "the push subscription was removed" };
    let request: Awaited<ReturnType<typeof buildPushPayload>>;
    try {
      request = await buildPushPayload(
        {
          data: { id: event.id, type: event.type, title: message.title, body: message.body, url: message.url },
          options: { ttl: PUSH_TTL_SECONDS, urgency: event.type === "alert.triggered" ? "high" : "normal" },
        },
        {
          endpoint: subscription.endpoint,
          expirationTime: null,
          keys: { p256dh: subscription.p256dh, auth: subscription.auth },
        },
        vapidKeys(env),
      );
    } catch (error) {
      return { status: "failed", reason: `push request not built: ${String(error)}`, deadLetter: true };
    }
    let response: Response;
    try {
      response = await providerFetch(subscription.endpoint, {
        method: "POST",
        headers: request.headers,
        body: request.body,
      });
    } catch (error) {
      return unreachable("push service", error);
    }
    if (response.status === 404 || response.status === 410) {
      await env.DB.prepare("DELETE FROM push_subscriptions WHERE id = ?").bind(subscription.id).run();
      return {
        status: "failed",
        reason: `the push service answered ${response.status}; subscription removed`,
        deadLetter: false,
      };
    }
    return outcomeOf("push service", response, () => response.headers.get("Location") ?? undefined);
  },
};

/** The VAPID key pair as the library takes it: the public point and the private scalar, base64url. */
function vapidKeys(env: Env) {
  const jwk = JSON.parse(env.VAPID_PRIVATE_JWK) as { d?: string };
  return { subject: env.VAPID_SUBJECT, publicKey: vapidPublicKey(env.VAPID_PRIVATE_JWK), privateKey: jwk.d };
}

/** The VAPID public key (uncompressed P-256 point, base64url) browsers subscribe with, from the private JWK. */
export function vapidPublicKey(privateJwk: string): string {
  const jwk = JSON.parse(privateJwk) as { x?: string; y?: string };
  const x = fromBase64(jwk.x ?? "");
  const y = fromBase64(jwk.y ?? "");
  if (x?.length !== 32 || y?.length !== 32) throw new Error("VAPID_PRIVATE_JWK is not a P-256 JWK");
  const point = new Uint8Array(65);
  point[0] = 4;
  point.set(x, 1);
  point.set(y, 33);
  return toBase64Url(point);
}
