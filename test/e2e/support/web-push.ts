/**
 * Web Push in the browser tests. Headless Chromium has no push service to subscribe with (see
 * test/e2e/settings.test.ts), so these stand in for it at its two ends: a fake subscription the page's
 * `PushManager` hands out, and a push message delivered to the service worker through DevTools.
 */
import { generateKeyPairSync, randomBytes } from "node:crypto";
import type { BrowserContext, Page } from "playwright-core";

export interface FakeSubscription {
  endpoint: string;
  p256dh: string;
  auth: string;
}

/** A push subscription as a browser would make one: a push service URL and real keys (P-256, 16-byte secret). */
export function fakeSubscription(): FakeSubscription {
  const { publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
  const point = publicKey.export({ format: "der", type: "spki" }).subarray(-65);
  return {
    endpoint: `https://push.example.test/send/${randomBytes(12).toString("hex")}`,
    p256dh: Buffer.from(point).toString("base64url"),
    auth: randomBytes(16).toString("base64url"),
  };
}

/**
 * Makes `PushManager.subscribe/getSubscription` of the loaded page answer with `sub`, as if the
 * browser's push service had. Only those two: the service worker and the permission stay real.
 */
export async function fakePushService(page: Page, sub: FakeSubscription): Promise<void> {
  await page.evaluate((s) => {
    let key: ArrayBuffer | null = null;
    const make = () =>
      ({
        endpoint: s.endpoint,
        expirationTime: null,
        options: { userVisibleOnly: true, applicationServerKey: key },
        getKey: () => null,
        toJSON: () => ({ endpoint: s.endpoint, expirationTime: null, keys: { p256dh: s.p256dh, auth: s.auth } }),
        unsubscribe: async () => {
          key = null;
          return true;
        },
      }) as unknown as PushSubscription;
    PushManager.prototype.subscribe = async (options?: PushSubscriptionOptionsInit) => {
      key = new Uint8Array(options?.applicationServerKey as ArrayBuffer).slice().buffer;
      return make();
    };
    PushManager.prototype.getSubscription = async () => (key ? make() : null);
  }, sub);
}

/** Delivers `data` to the service worker registered for `origin`/, as a push service would. */
export async function deliverPush(context: BrowserContext, page: Page, origin: string, data: unknown): Promise<void> {
  const cdp = await context.newCDPSession(page);
  const registrationId = new Promise<string>((resolve) => {
    cdp.on("ServiceWorker.workerRegistrationUpdated", ({ registrations }) => {
      const ours = registrations.find((r) => r.scopeURL === `${origin}/` && !r.isDeleted);
      if (ours) resolve(ours.registrationId);
    });
  });
  await cdp.send("ServiceWorker.enable");
  await cdp.send("ServiceWorker.deliverPushMessage", {
    origin,
    registrationId: await registrationId,
    data: JSON.stringify(data),
  });
  await cdp.detach();
}

/** The notifications the service worker shows now. */
export function shownNotifications(page: Page): Promise<{ title: string; body: string; tag: string; data: unknown }[]> {
  return page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration("/");
    const shown = (await registration?.getNotifications()) ?? [];
    return shown.map((n) => ({ title: n.title, body: n.body, tag: n.tag, data: n.data as unknown }));
  });
}
