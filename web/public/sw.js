/**
 * The dashboard's service worker, served at /sw.js with scope "/" (web/src/notifications/web-push.ts
 * registers it when the user turns Web Push on). It only shows pushed notifications and opens the
 * dashboard when one is clicked: no caching, no fetch handler, so it never stands between the page
 * and the network.
 *
 * The server's payload (workers/notifications/channels/web-push.ts) is JSON:
 * `{ id, type, title, body, url }`, rendered in the user's language.
 */

/** Where a notification without a usable URL leads: the in-app inbox. */
const FALLBACK_URL = "/#/inbox";

// A new version takes over at once instead of waiting for every tab to close.
self.addEventListener("install", () => {
  self.skipWaiting();
});
self.addEventListener("activate", (event) => {
  event.waitUntil(self.clients.claim());
});

/** The payload as JSON, or its text as the body when it is not JSON (a push sent by hand). */
function readPayload(data) {
  if (!data) return {};
  try {
    const value = data.json();
    return value && typeof value === "object" ? value : { body: String(value) };
  } catch {
    return { body: data.text() };
  }
}

/** The URL to open: the payload's own when it is on this origin, else the inbox. */
function targetUrl(raw) {
  try {
    const url = new URL(typeof raw === "string" && raw ? raw : FALLBACK_URL, self.location.origin);
    if (url.origin === self.location.origin) return url.href;
  } catch {
    // not a URL
  }
  return new URL(FALLBACK_URL, self.location.origin).href;
}

self.addEventListener("push", (event) => {
  const payload = readPayload(event.data);
  const title = typeof payload.title === "string" && payload.title ? payload.title : "Kimchi Edge";
  event.waitUntil(
    self.registration.showNotification(title, {
      body: typeof payload.body === "string" ? payload.body : "",
      // One notification per event: a redelivered push replaces its earlier copy instead of stacking.
      tag: typeof payload.id === "string" ? payload.id : undefined,
      data: { url: targetUrl(payload.url), id: payload.id, type: payload.type },
    }),
  );
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const url = targetUrl(event.notification.data?.url);
  event.waitUntil(openDashboard(url));
});

/** Focuses an open tab of the dashboard (moving it to `url`), or opens a new one there. */
async function openDashboard(url) {
  const tabs = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  const tab = tabs.find((client) => new URL(client.url).origin === self.location.origin);
  if (!tab) {
    await self.clients.openWindow(url);
    return;
  }
  const focused = await tab.focus();
  if (tab.url !== url && "navigate" in focused) {
    try {
      await focused.navigate(url);
    } catch {
      // an uncontrolled tab cannot be navigated from here; it is focused at least
    }
  }
}
