/**
 * The browser side of Web Push: feature detection, the service worker (`/sw.js`, scope `/`, in
 * web/public), and this browser's push subscription. The server side is workers/routes/push.ts (the
 * VAPID key and the subscriptions) and workers/notifications/channels/web-push.ts (the sender).
 *
 * MDN: https://developer.mozilla.org/docs/Web/API/Push_API
 */

export const SERVICE_WORKER_URL = "/sw.js";
export const SERVICE_WORKER_SCOPE = "/";
/**
 * How long `subscribe()` may take. A browser that cannot reach its push service (no network, or a
 * build without one) can leave the promise pending for minutes; the page says so instead.
 */
const SUBSCRIBE_TIMEOUT_MS = 20_000;

/** Thrown when the push service did not answer in time. */
export class PushTimeoutError extends Error {
  constructor() {
    super("The push service did not answer");
    this.name = "PushTimeoutError";
  }
}

/** What `POST /api/push/subscriptions` takes: `PushSubscription.toJSON()` (protocol `PushSubscriptionCreate`). */
export interface SubscriptionBody {
  endpoint: string;
  expirationTime: number | null;
  keys: { p256dh: string; auth: string };
}

/**
 * Whether this browser can do Web Push at all: service workers and the Push and Notifications APIs,
 * which exist only in a secure context (https, or http on localhost).
 */
export function pushSupported(): boolean {
  return (
    window.isSecureContext &&
    "serviceWorker" in navigator &&
    "PushManager" in window &&
    "Notification" in window &&
    typeof PushSubscription !== "undefined"
  );
}

/** The notification permission as the browser holds it: "default" (not asked), "granted" or "denied". */
export function notificationPermission(): NotificationPermission {
  return Notification.permission;
}

/** Asks the browser for the notification permission: call it only from the user's click. */
export function requestPermission(): Promise<NotificationPermission> {
  return Notification.requestPermission();
}

/** Registers `/sw.js` (or finds it registered) and waits until it is active. */
export async function registerServiceWorker(): Promise<ServiceWorkerRegistration> {
  await navigator.serviceWorker.register(SERVICE_WORKER_URL, { scope: SERVICE_WORKER_SCOPE });
  return navigator.serviceWorker.ready;
}

/** This browser's current push subscription, if the service worker is registered and subscribed. */
export async function currentSubscription(): Promise<PushSubscription | null> {
  const registration = await navigator.serviceWorker.getRegistration(SERVICE_WORKER_SCOPE);
  return registration ? registration.pushManager.getSubscription() : null;
}

/**
 * Subscribes with the server's VAPID key (base64url). A subscription made with another key (the
 * server's key was replaced) cannot be reused: it is dropped and a new one made.
 */
export async function subscribe(registration: ServiceWorkerRegistration, publicKey: string): Promise<PushSubscription> {
  const key = base64UrlToBytes(publicKey);
  const existing = await registration.pushManager.getSubscription();
  if (existing) {
    const existingKey = existing.options.applicationServerKey;
    if (existingKey && sameBytes(new Uint8Array(existingKey), key)) return existing;
    await existing.unsubscribe();
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new PushTimeoutError()), SUBSCRIBE_TIMEOUT_MS);
  });
  try {
    return await Promise.race([
      registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key }),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** The subscription as the server stores it: endpoint and the two keys, base64url. */
export function subscriptionBody(subscription: PushSubscription): SubscriptionBody {
  const json = subscription.toJSON();
  const p256dh = json.keys?.p256dh ?? keyOf(subscription, "p256dh");
  const auth = json.keys?.auth ?? keyOf(subscription, "auth");
  return {
    endpoint: subscription.endpoint,
    expirationTime: subscription.expirationTime ?? null,
    keys: { p256dh, auth },
  };
}

function keyOf(subscription: PushSubscription, name: PushEncryptionKeyName): string {
  const key = subscription.getKey(name);
  return key ? bytesToBase64Url(new Uint8Array(key)) : "";
}

/** base64url (padding optional) to bytes: how VAPID keys travel, and what `applicationServerKey` takes. */
export function base64UrlToBytes(text: string): Uint8Array<ArrayBuffer> {
  const base64 = text.replace(/-/g, "+").replace(/_/g, "/").replace(/=+$/, "");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

/** Bytes to base64url without padding. */
export function bytesToBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((byte, i) => byte === b[i]);
}
