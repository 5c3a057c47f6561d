/**
 * Web Push as a browser receives it: the payload our consumer sends is decrypted here with the
 * subscription's private key (RFC 8291, written from the RFC in support/web-push-decrypt.ts), and the
 * VAPID token verifies with the public key the API serves (RFC 8292).
 */
import { env } from "cloudflare:workers";
import { decodeProtectedHeader, importJWK, jwtVerify } from "jose";
import { afterEach, describe, expect, it } from "vitest";
import { fromBase64 } from "../../workers/auth/base64";
import { render } from "../../workers/notifications/render";
import { call, newAccount, postJson } from "./support/auth";
import { alertEvent, base64Url, consume, deliveriesOf, seedRecipients } from "./support/notifications";
import { ok, PUSH_HOST, providerWire } from "./support/provider-wire";
import { decryptWebPush } from "./support/web-push-decrypt";

let wire: ReturnType<typeof providerWire> | null = null;
afterEach(() => {
  wire?.restore();
  wire = null;
});

describe("Web Push", () => {
  it("sends a payload that the subscription's private key decrypts to the notification, with a VAPID token our public key verifies", async () => {
    const [r] = await seedRecipients(1);
    wire = providerWire();
    const event = alertEvent(r.userId);
    await consume([{ id: "p", body: event, attempts: 1 }]);
    const [push] = wire.delivered("push");
    expect(push.headers.get("Content-Encoding")).toBe("aes128gcm");
    expect(push.headers.get("TTL")).toBe("21600");
    expect(push.headers.get("Urgency")).toBe("high");

    const payload = JSON.parse(await decryptWebPush(push.body, r.push));
    const text = render(event, "ko");
    expect(payload).toEqual({
      id: event.id,
      type: "alert.triggered",
      title: text.title,
      body: text.body,
      url: text.url,
    });

    const { public_key } = (await (await call("/api/push/vapid-public-key")).json()) as { public_key: string };
    const [, token, k] = /^vapid t=([^,]+), k=(.+)$/.exec(push.headers.get("Authorization") ?? "") ?? [];
    expect(k).toBe(public_key);
    const point = fromBase64(public_key) as Uint8Array;
    expect(point).toHaveLength(65);
    const key = await importJWK(
      { kty: "EC", crv: "P-256", x: base64Url(point.slice(1, 33)), y: base64Url(point.slice(33)) },
      "ES256",
    );
    expect(decodeProtectedHeader(token).alg).toBe("ES256");
    const { payload: claims } = await jwtVerify(token, key, { audience: `https://${PUSH_HOST}` });
    expect(claims.sub).toBe(env.VAPID_SUBJECT);
    expect((claims.exp as number) - Date.now() / 1000).toBeLessThanOrEqual(24 * 3600);
    // A token signed by anyone else does not verify with our key.
    const [head, body] = token.split(".");
    await expect(jwtVerify(`${head}.${body}.${base64Url(new Uint8Array(64))}`, key)).rejects.toThrow();
  });

  it("deletes a subscription the push service answers 410 for, and does not retry it", async () => {
    const [r] = await seedRecipients(1);
    wire = providerWire((c) => (c.provider === "push" ? new Response(null, { status: 410 }) : ok(c.provider)));
    const event = alertEvent(r.userId);
    const result = await consume([{ id: "g", body: event, attempts: 1 }]);
    expect(result.explicitAcks).toEqual(["g"]);
    const left = await env.DB.prepare("SELECT COUNT(*) AS n FROM push_subscriptions WHERE user_id = ?")
      .bind(r.userId)
      .first("n");
    expect(left).toBe(0);
    const log = await deliveriesOf([event.id]);
    expect(log.find((d) => d.channel === "push")).toMatchObject({
      status: "failed",
      reason: expect.stringContaining("410"),
    });
    const dead = await env.DB.prepare("SELECT COUNT(*) AS n FROM notification_dead_letters WHERE event_id = ?")
      .bind(event.id)
      .first("n");
    expect(dead).toBe(0);
  });

  it("registers a browser's subscription once per endpoint, refuses malformed ones, and removes it", async () => {
    const user = await newAccount("push");
    const token = user.tokens.access_token;
    const keys = await crypto.subtle.generateKey({ name: "ECDH", namedCurve: "P-256" }, true, ["deriveBits"]);
    const p256dh = base64Url(
      new Uint8Array((await crypto.subtle.exportKey("raw", (keys as CryptoKeyPair).publicKey)) as ArrayBuffer),
    );
    const subscription = {
      endpoint: `https://${PUSH_HOST}/send/${crypto.randomUUID()}`,
      expirationTime: null,
      keys: { p256dh, auth: base64Url(crypto.getRandomValues(new Uint8Array(16))) },
    };
    const first = await postJson("/api/push/subscriptions", subscription, { token });
    expect(first.status).toBe(201);
    expect((await postJson("/api/push/subscriptions", subscription, { token })).status).toBe(201);
    const listed = (await (await call("/api/push/subscriptions", { token })).json()) as unknown[];
    expect(listed).toHaveLength(1);

    for (const bad of [
      { ...subscription, endpoint: "http://insecure.example/x" },
      { ...subscription, keys: { ...subscription.keys, p256dh: "short" } },
      { ...subscription, keys: { auth: subscription.keys.auth } },
    ]) {
      const res = await postJson("/api/push/subscriptions", bad, { token });
      expect(res.status).toBe(400);
      expect(res.headers.get("Content-Type")).toContain("application/problem+json");
    }
    expect((await (await call("/api/push/subscriptions", { token })).json()) as unknown[]).toHaveLength(1);

    // Another account cannot take the endpoint over by its URL alone (other keys): 409, nothing moves.
    const other = await newAccount("push-other");
    const stolen = { ...subscription, keys: { p256dh, auth: base64Url(crypto.getRandomValues(new Uint8Array(16))) } };
    const taken = await postJson("/api/push/subscriptions", stolen, { token: other.tokens.access_token });
    expect(taken.status).toBe(409);
    expect(((await taken.json()) as { errors: { path: string }[] }).errors[0].path).toBe("keys");
    expect((await (await call("/api/push/subscriptions", { token })).json()) as unknown[]).toHaveLength(1);

    const removed = await call("/api/push/subscriptions", {
      token,
      method: "DELETE",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ endpoint: subscription.endpoint }),
    });
    expect(removed.status).toBe(204);
    expect((await (await call("/api/push/subscriptions", { token })).json()) as unknown[]).toHaveLength(0);
  });
});
