/**
 * The notifications consumer, run as the runtime runs it (`createMessageBatch`, the queue result
 * helpers) against D1 and the real dead-letter queue, with the providers answered at the wire.
 */
import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it } from "vitest";
import type { TokenResponse } from "../../protocol/auth";
import { MAX_ATTEMPTS } from "../../workers/notifications/consumer";
import { call, signIn } from "./support/auth";
import { alertEvent, consume, deliveriesOf, seedRecipients, until } from "./support/notifications";
import { ok, providerWire } from "./support/provider-wire";

let wire: ReturnType<typeof providerWire> | null = null;
afterEach(() => {
  wire?.restore();
  wire = null;
});

async function adminToken(): Promise<string> {
  return ((await (await signIn(env.ADMIN_EMAIL, env.ADMIN_PASSWORD)).json()) as TokenResponse).access_token;
}

describe("the notifications consumer", () => {
  it("delivers an event queued twice, and again later, once on each channel with each provider's request shape", async () => {
    const [r] = await seedRecipients(1);
    wire = providerWire();
    const event = alertEvent(r.userId);
    const first = await consume([
      { id: "m1", body: event, attempts: 1 },
      { id: "m2", body: event, attempts: 1 },
    ]);
    expect(first.explicitAcks.sort()).toEqual(["m1", "m2"]);
    const again = await consume([{ id: "m3", body: event, attempts: 1 }]);
    expect(again.explicitAcks).toEqual(["m3"]);

    for (const provider of ["resend", "twilio", "telegram", "push"] as const)
      expect(wire.delivered(provider)).toHaveLength(1);
    const inbox = await env.DB.prepare("SELECT id FROM notifications WHERE user_id = ?").bind(r.userId).all();
    expect(inbox.results).toHaveLength(1);
    const log = await deliveriesOf([event.id]);
    expect(log.map((d) => `${d.channel}:${d.status}`).sort()).toEqual([
      "email:sent",
      "in_app:sent",
      "push:sent",
      "sms:sent",
      "telegram:sent",
    ]);

    const [email] = wire.delivered("resend");
    expect(email.headers.get("Authorization")).toBe(`Bearer ${env.RESEND_API_KEY}`);
    expect(email.headers.get("Idempotency-Key")).toBe(`${event.id}/email`);
    expect(JSON.parse(new TextDecoder().decode(email.body))).toMatchObject({ to: [r.email], from: env.EMAIL_FROM });
    const [sms] = wire.delivered("twilio");
    expect(sms.url).toBe(`https://api.twilio.com/2010-04-01/Accounts/${env.TWILIO_ACCOUNT_SID}/Messages.json`);
    expect(sms.headers.get("Authorization")).toBe(
      `Basic ${btoa(`${env.TWILIO_ACCOUNT_SID}:${env.TWILIO_AUTH_TOKEN}`)}`,
    );
    const form = new URLSearchParams(new TextDecoder().decode(sms.body));
    expect(form.get("To")).toBe(r.phone);
    expect(form.get("Body")).toContain("프리미엄");
    const [telegram] = wire.delivered("telegram");
    expect(telegram.url).toBe(`https://api.telegram.org/bot${env.TELEGRAM_BOT_TOKEN}/sendMessage`);
    expect(JSON.parse(new TextDecoder().decode(telegram.body)).chat_id).toBe(r.chatId);
    const [push] = wire.delivered("push");
    expect(push.url).toBe(r.push.endpoint);
    expect(push.headers.get("Content-Encoding")).toBe("aes128gcm");
    expect(push.headers.get("Authorization")).toMatch(/^vapid t=[\w-]+\.[\w-]+\.[\w-]+, k=[\w-]+$/);
  });

  it("retries a provider answering 429 (after its Retry-After) or 500, then delivers, without sending the other channels again", async () => {
    const [r] = await seedRecipients(1);
    let resendCalls = 0;
    let twilioCalls = 0;
    wire = providerWire((c) => {
      if (c.provider === "resend" && resendCalls++ === 0) {
        return new Response('{"name":"rate_limit_exceeded"}', { status: 429, headers: { "Retry-After": "42" } });
      }
      if (c.provider === "twilio" && twilioCalls++ === 0) return new Response("oops", { status: 500 });
      return ok(c.provider);
    });
    const event = alertEvent(r.userId);
    const first = await consume([{ id: "a", body: event, attempts: 1 }]);
    expect(first.explicitAcks).toEqual([]);
    expect(first.retryMessages).toEqual([{ msgId: "a" }]);
    expect(first.delays).toEqual({ a: 42 });
    const log = await deliveriesOf([event.id]);
    expect(log.find((d) => d.channel === "email")).toMatchObject({
      status: "pending",
      reason: expect.stringContaining("429"),
    });

    const second = await consume([{ id: "a", body: event, attempts: 2 }]);
    expect(second.explicitAcks).toEqual(["a"]);
    expect(wire.calls.filter((c) => c.provider === "resend").map((c) => c.status)).toEqual([429, 200]);
    expect(wire.calls.filter((c) => c.provider === "twilio").map((c) => c.status)).toEqual([500, 201]);
    expect(wire.delivered("telegram")).toHaveLength(1);
    expect(wire.delivered("push")).toHaveLength(1);
    expect((await deliveriesOf([event.id])).every((d) => d.status === "sent")).toBe(true);
  });

  it("backs off exponentially when the provider gives no Retry-After, and gives up into the dead-letter queue after the last attempt", async () => {
    const [r] = await seedRecipients(1);
    wire = providerWire((c) => (c.provider === "resend" ? new Response("down", { status: 503 }) : ok(c.provider)));
    const event = alertEvent(r.userId);
    const third = await consume([{ id: "b", body: event, attempts: 3 }]);
    expect(third.retryMessages).toEqual([{ msgId: "b" }]);
    expect(third.delays).toEqual({ b: 20 });
    const last = await consume([{ id: "b", body: event, attempts: MAX_ATTEMPTS }]);
    expect(last.explicitAcks).toEqual(["b"]);
    const letter = await until(
      () =>
        env.DB.prepare("SELECT reason FROM notification_dead_letters WHERE event_id = ?")
          .bind(event.id)
          .first<{ reason: string }>(),
      (row) => row !== null,
    );
    expect(letter?.reason).toMatch(new RegExp(`gave up after ${MAX_ATTEMPTS} attempts: email: Resend answered 503`));
  });

  it("sends a poison message to the dead-letter queue, where admins see it and cannot re-drive it", async () => {
    const result = await consume([
      { id: "poison-1", body: { type: "order.filled", data: "not an order" }, attempts: 1 },
    ]);
    expect(result.explicitAcks).toEqual(["poison-1"]);
    const admin = await adminToken();
    const listed = await until(
      async () =>
        (await (await call("/api/admin/notifications/dlq?limit=500", { token: admin })).json()) as {
          id: string;
          reason: string;
          body: unknown;
        }[],
      (rows) => rows.some((r) => JSON.stringify(r.body).includes("not an order")),
    );
    const letter = listed.find((r) => JSON.stringify(r.body).includes("not an order"));
    expect(letter?.reason).toMatch(/^not a notification event/);
    const redrive = await call(`/api/admin/notifications/dlq/${letter?.id}/redrive`, { method: "POST", token: admin });
    expect(redrive.status).toBe(422);
  });

  it("dead-letters an event a provider refuses for good; once fixed, an admin re-drives it and it is delivered there once", async () => {
    const [r] = await seedRecipients(1);
    let refuse = true;
    wire = providerWire((c) =>
      c.provider === "resend" && refuse
        ? Response.json({ name: "invalid_from_address" }, { status: 422 })
        : ok(c.provider),
    );
    const event = alertEvent(r.userId);
    expect((await consume([{ id: "c", body: event, attempts: 1 }])).explicitAcks).toEqual(["c"]);
    const letter = await until(
      () =>
        env.DB.prepare("SELECT id, reason FROM notification_dead_letters WHERE event_id = ?")
          .bind(event.id)
          .first<{ id: string; reason: string }>(),
      (row) => row !== null,
    );
    expect(letter?.reason).toMatch(/email failed: Resend answered 422/);

    refuse = false;
    const admin = await adminToken();
    const res = await call(`/api/admin/notifications/dlq/${letter?.id}/redrive`, { method: "POST", token: admin });
    expect(res.status).toBe(202);
    expect(
      (await call(`/api/admin/notifications/dlq/${letter?.id}/redrive`, { method: "POST", token: admin })).status,
    ).toBe(409);
    // The real queue brings it back to the consumer.
    await until(
      async () => wire?.delivered("resend").length ?? 0,
      (n) => n === 1,
      10_000,
    );
    await new Promise((r) => setTimeout(r, 1_500));
    expect(wire.delivered("resend")).toHaveLength(1);
    for (const provider of ["twilio", "telegram", "push"] as const) expect(wire.delivered(provider)).toHaveLength(1);
  });

  it("records a channel without credentials as skipped, with the reason, while the inbox still gets the event", async () => {
    const [r] = await seedRecipients(1);
    wire = providerWire();
    const event = alertEvent(r.userId);
    const bare = {
      ...env,
      RESEND_API_KEY: "",
      TWILIO_ACCOUNT_SID: "",
      TELEGRAM_BOT_TOKEN: "",
      VAPID_PRIVATE_JWK: "",
    } as Env;
    expect((await consume([{ id: "d", body: event, attempts: 1 }], { env: bare })).explicitAcks).toEqual(["d"]);
    expect(wire.calls).toHaveLength(0);
    const log = Object.fromEntries((await deliveriesOf([event.id])).map((d) => [d.channel, [d.status, d.reason]]));
    expect(log).toEqual({
      in_app: ["sent", null],
      email: ["skipped", "RESEND_API_KEY is not set"],
      sms: ["skipped", "TWILIO_ACCOUNT_SID and TWILIO_AUTH_TOKEN are not set"],
      telegram: ["skipped", "TELEGRAM_BOT_TOKEN is not set"],
      push: ["skipped", "VAPID_PRIVATE_JWK is not set"],
    });
    expect(await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE id = ?").bind(event.id).first("n")).toBe(
      1,
    );
  });

  it("holds back every channel but the inbox in the user's quiet hours", async () => {
    const seoul = (offsetMinutes: number) =>
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Asia/Seoul",
        hour: "2-digit",
        minute: "2-digit",
        hourCycle: "h23",
      }).format(Date.now() + offsetMinutes * 60_000);
    const [r] = await seedRecipients(1, { quietHours: [seoul(-60), seoul(60)] });
    wire = providerWire();
    const event = alertEvent(r.userId);
    await consume([{ id: "e", body: event, attempts: 1 }]);
    expect(wire.calls).toHaveLength(0);
    const log = await deliveriesOf([event.id]);
    expect(log.find((d) => d.channel === "in_app")?.status).toBe("sent");
    for (const d of log.filter((d) => d.channel !== "in_app")) {
      expect(d.status).toBe("skipped");
      expect(d.reason).toMatch(/^quiet hours \(\d\d:\d\d-\d\d:\d\d Asia\/Seoul\)$/);
    }
  });
});
