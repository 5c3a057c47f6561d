/**
 * The profile (`#/profile`) and notification settings (`#/settings`) pages in Chromium against the
 * real Worker: profile edits and a refusal shown by its field, the password change, a Telegram link
 * code, channel preferences and quiet hours read back after a reload, and Web Push.
 *
 * Web Push: headless Chromium has no push service here. In Playwright's (incognito) contexts it
 * refuses `pushManager.subscribe()` at once ("Registration failed - permission denied", and logs
 * that the Push API is unsupported in incognito); in a persistent profile the call waits for Google's
 * push service, unreachable without network, indefinitely. So the real browser is tested up to that
 * call (service worker, permission, the error shown, and a push delivered to the service worker through
 * DevTools), and the whole enable/disable flow, with the server's side for real, once only
 * `PushManager.subscribe/getSubscription` answer with a fake subscription (support/web-push.ts).
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerProcess } from "../support/worker-process";
import { collectErrors, contrastRatios, launchChromium, RESULTS_DIR, waitForText } from "./support/browser";
import { apiAs, registerUser, type TestUser, useSession } from "./support/trader";
import { deliverPush, fakePushService, fakeSubscription, shownNotifications } from "./support/web-push";

const BOT = "kimchi_edge_test_bot";
const WEBHOOK_SECRET = "settings-test-webhook-secret";
const NEW_PASSWORD = "a brand new passphrase 77";
/** Chromium's own message when a page of an incognito context asks for a push subscription. */
const INCOGNITO_PUSH = /^console: Chrome currently does not support the Push API in incognito mode/;

let worker: WorkerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let user: TestUser;
const errors: string[] = [];

/** Every selector's text has at least 4.5:1 contrast against what is behind it. */
async function expectReadable(p: Page, selectors: string[]): Promise<void> {
  const ratios = await contrastRatios(p, selectors);
  expect(ratios.filter((r) => r.ratio < 4.5)).toEqual([]);
}

/** The browser logs each refused request as an error: takes those a test provoked, and only those. */
function takeRefusals(since: number): void {
  const logged = errors.splice(since);
  expect(logged.length).toBeGreaterThan(0);
  for (const entry of logged) expect(entry).toContain("status of 400");
}

/**
 * Opens a page (by its hash once the app is loaded, as a link would) and waits until its main form
 * holds what the server answered. The page un-hides itself and marks the form busy in one step.
 */
async function openPage(p: Page, hash: string, form: string): Promise<void> {
  if (p.url().startsWith(worker.url)) await p.evaluate((h) => (location.hash = h), hash);
  else await p.goto(`${worker.url}/${hash}`);
  await p.waitForSelector(`.page:not([hidden]) ${form}:not([aria-busy])`);
}

beforeAll(async () => {
  worker = await startWorker({ vars: { TELEGRAM_BOT_USERNAME: BOT, TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET } });
  user = await registerUser(worker.url, "settings");
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["notifications"], { origin: worker.url });
  page = await context.newPage();
  collectErrors(page, errors);
  await useSession(page, user);
});

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

describe("the profile page", () => {
  it("saves the profile (display name, language, time zone, phone) and switches the page's language", async () => {
    await openPage(page, "#/profile", "#profile-form");
    await waitForText(page, "#profile-page h1", "프로필");
    expect(await page.inputValue("#profile-username")).toBe(user.username);
    expect(await page.inputValue("#profile-email")).toBe(user.email);
    expect(await page.inputValue("#profile-timezone")).toBe("Asia/Seoul");
    expect(await page.locator("#profile-timezone option").count()).toBeGreaterThan(300);

    await page.fill("#profile-display-name", "김치 트레이더");
    await page.selectOption("#profile-locale", "en");
    await page.selectOption("#profile-timezone", "America/New_York");
    await page.fill("#profile-phone", "+82 10-1234-5678");
    await page.click("#profile-save");
    await waitForText(page, "#profile-page .acct-status", "Profile saved.");
    expect(await page.textContent("#profile-page h1")).toBe("Profile");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.inputValue("#profile-phone")).toBe("+821012345678");

    const saved = await apiAs<Record<string, unknown>>(worker.url, user, "GET", "/api/users/me");
    expect(saved).toMatchObject({
      display_name: "김치 트레이더",
      locale: "en",
      timezone: "America/New_York",
      phone: "+821012345678",
    });
    await expectReadable(page, [
      "#profile-page h1",
      "#profile-page .acct-intro",
      "#profile-page .field-label",
      "#profile-page .field-hint",
      "#profile-page .acct-status",
      "#profile-page .acct-card-title",
    ]);
  });

  it("shows the server's message for a bad phone number next to the phone field", async () => {
    const refused = await fetch(`${worker.url}/api/users/me`, {
      method: "PATCH",
      headers: { Authorization: `Bearer ${user.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ phone: "0101234" }),
    });
    const problem = (await refused.json()) as { errors: { path: string; message: string }[] };
    const expected = problem.errors.find((e) => e.path === "phone")?.message as string;
    expect(expected).toBeTruthy();

    const before = errors.length;
    await page.fill("#profile-phone", "010-1234");
    await page.press("#profile-phone", "Enter");
    await waitForText(page, "#profile-phone-error", expected);
    expect(await page.getAttribute("#profile-phone", "aria-invalid")).toBe("true");
    expect(await page.getAttribute("#profile-phone", "aria-describedby")).toContain("profile-phone-error");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("profile-phone");
    expect(await page.textContent("#profile-page .acct-status")).toContain("Not saved");
    await expectReadable(page, ["#profile-phone-error", "#profile-page .acct-status"]);
    takeRefusals(before);
    const stored = await apiAs<{ phone: string }>(worker.url, user, "GET", "/api/users/me");
    expect(stored.phone).toBe("+821012345678");

    // Back to Korean, through the same form.
    await page.fill("#profile-phone", "");
    await page.selectOption("#profile-locale", "ko");
    await page.click("#profile-save");
    await waitForText(page, "#profile-page .acct-status", "프로필을 저장했습니다.");
    expect(await page.isHidden("#profile-phone-error")).toBe(true);
    expect((await apiAs<{ phone: string | null }>(worker.url, user, "GET", "/api/users/me")).phone).toBeNull();
  });

  it("changes the password: other sessions end, this page stays signed in", async () => {
    const other = await fetch(`${worker.url}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: user.email, password: user.password }),
    });
    const otherSession = (await other.json()) as { refresh_token: string };

    const before = errors.length;
    await page.fill("#password-current", "not my password at all");
    await page.fill("#password-new", NEW_PASSWORD);
    await page.click("#password-save");
    await waitForText(page, "#password-current-error", "not the current password");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("password-current");
    takeRefusals(before);

    await page.fill("#password-current", user.password);
    await page.fill("#password-new", NEW_PASSWORD);
    await page.press("#password-new", "Enter");
    await page.waitForFunction(() =>
      document.querySelector("#password-save ~ .acct-status")?.textContent?.startsWith("비밀번호를 변경했습니다."),
    );
    expect(await page.inputValue("#password-new")).toBe("");
    expect(await page.isHidden("#password-current-error")).toBe(true);

    // The other session is over; this one goes on; the new password signs in.
    const refresh = await fetch(`${worker.url}/api/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: otherSession.refresh_token }),
    });
    expect(refresh.status).toBe(401);
    // The page checked its own session after the change (the status above says it survived).
    expect(await page.evaluate(() => localStorage.getItem("kimchi.session"))).not.toBeNull();
    const signIn = await fetch(`${worker.url}/api/auth/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({ username: user.email, password: NEW_PASSWORD }),
    });
    expect(signIn.status).toBe(200);
  });

  it("gets a Telegram link code with its deep link and expiry, and the code links a chat", async () => {
    await page.click("#telegram-get-code");
    await page.waitForSelector("#telegram-code:not(:empty)");
    const code = (await page.textContent("#telegram-code")) as string;
    expect(code).toMatch(/^[A-Z2-9]{10}$/);
    expect(await page.getAttribute("#telegram-deep-link", "href")).toBe(`https://t.me/${BOT}?start=${code}`);
    expect(await page.textContent("#telegram-instruction")).toContain(`/start ${code}`);
    expect(await page.textContent("#telegram-expiry")).toMatch(/\d{2}:\d{2}:\d{2}까지 유효$/);
    await expectReadable(page, ["#telegram-code", "#telegram-expiry", "#telegram-instruction", "#telegram-deep-link"]);
    await page.screenshot({ path: `${RESULTS_DIR}profile.png`, fullPage: true });

    // What the bot's webhook does with the code: the chat is linked to this user.
    const update = await fetch(`${worker.url}/api/telegram/webhook`, {
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Telegram-Bot-Api-Secret-Token": WEBHOOK_SECRET },
      body: JSON.stringify({ update_id: 1, message: { chat: { id: 4242 }, text: `/start ${code}` } }),
    });
    expect(await update.json()).toEqual({ ok: true, linked: true });
  });
});

describe("the notification settings page", () => {
  it("saves channels per event and quiet hours, and shows them again after a reload", async () => {
    await openPage(page, "#/settings", "#settings-form");
    await waitForText(page, "#settings-page h1", "알림 설정");
    // The server's defaults: order fills go to the inbox and push.
    expect(await page.isChecked("#pref-order-filled-in-app")).toBe(true);
    expect(await page.isChecked("#pref-order-filled-push")).toBe(true);
    expect(await page.isChecked("#pref-order-filled-email")).toBe(false);
    expect(await page.isChecked("#quiet-enabled")).toBe(false);
    expect(await page.isDisabled("#quiet-start")).toBe(true);

    await page.check("#pref-order-filled-email");
    await page.uncheck("#pref-order-filled-push");
    await page.uncheck("#pref-alert-triggered-telegram");
    await page.check("#quiet-enabled");
    await page.fill("#quiet-start", "22:30");
    await page.fill("#quiet-end", "06:15");
    await page.click("#settings-save");
    await page.waitForFunction(() =>
      document.querySelector("#settings-status")?.textContent?.startsWith("알림 설정을 저장했습니다"),
    );

    const prefs = await apiAs<{ events: Record<string, string[]>; quiet_hours: unknown }>(
      worker.url,
      user,
      "GET",
      "/api/notifications/preferences",
    );
    expect(prefs.events["order.filled"]).toEqual(["in_app", "email"]);
    expect(prefs.events["alert.triggered"]).toEqual(["in_app", "push"]);
    expect(prefs.quiet_hours).toEqual({ start: "22:30", end: "06:15" });

    await page.reload();
    await page.waitForSelector("#settings-form:not([aria-busy])");
    expect(await page.isChecked("#pref-order-filled-email")).toBe(true);
    expect(await page.isChecked("#pref-order-filled-push")).toBe(false);
    expect(await page.isChecked("#pref-alert-triggered-telegram")).toBe(false);
    expect(await page.isChecked("#quiet-enabled")).toBe(true);
    expect(await page.inputValue("#quiet-start")).toBe("22:30");
    expect(await page.inputValue("#quiet-end")).toBe("06:15");
    expect(await page.textContent("#quiet-zone")).toContain("America/New_York"); // set on the profile page
    await expectReadable(page, [
      "#settings-page h1",
      "#settings-page .nset-legend",
      "#settings-page .nset-check span",
      "#settings-page .acct-hint",
      "#settings-page .field-label",
      "#quiet-zone",
      "#push-state",
    ]);
  });

  it("shows the server's refusal of equal quiet hours beside them", async () => {
    const before = errors.length;
    await page.fill("#quiet-end", "22:30");
    await page.click("#settings-save");
    await waitForText(page, "#quiet-error", "start and end must differ");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("quiet-start");
    expect(await page.getAttribute("#quiet-start", "aria-describedby")).toContain("quiet-error");
    await expectReadable(page, ["#quiet-error", "#settings-status"]);
    takeRefusals(before);
    await page.fill("#quiet-end", "06:15");
  });

  it("registers the service worker and shows that this browser has no push service", async () => {
    const sw = await fetch(`${worker.url}/sw.js`);
    expect(sw.status).toBe(200);
    expect(sw.headers.get("content-type")).toMatch(/javascript/);
    // Revalidated on every use (the static assets default), so a new version reaches browsers at once.
    expect(sw.headers.get("cache-control")).toMatch(/max-age=0|no-cache/);
    expect(await sw.text()).toContain("notificationclick");

    const before = errors.length;
    await waitForText(page, "#push-state", "꺼짐");
    await page.click("#push-enable");
    await page.waitForFunction(() => document.querySelector("#push-status")?.textContent?.includes("푸시 서비스"));
    expect(await page.textContent("#push-status")).toContain("AbortError: Registration failed");
    expect(await page.textContent("#push-state")).toBe("꺼짐");
    await expectReadable(page, ["#push-status", "#push-state"]);

    const registration = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.getRegistration("/");
      return { script: reg?.active?.scriptURL, state: reg?.active?.state, scope: reg?.scope };
    });
    expect(registration).toEqual({ script: `${worker.url}/sw.js`, state: "activated", scope: `${worker.url}/` });
    expect(await apiAs<unknown[]>(worker.url, user, "GET", "/api/push/subscriptions")).toEqual([]);

    // The service worker shows what the server pushes (workers/notifications/channels/web-push.ts),
    // delivered here through DevTools as a push service would.
    const payload = { id: "evt-1", type: "order.filled", title: "주문 체결", body: "BTC 0.01 체결", url: "/#/inbox" };
    await deliverPush(context, page, worker.url, payload);
    // Chromium may have stopped the idle service worker; under load it takes seconds to start again.
    await expect
      .poll(() => shownNotifications(page), { timeout: 20_000 })
      .toEqual([
        {
          title: "주문 체결",
          body: "BTC 0.01 체결",
          tag: "evt-1",
          data: { url: `${worker.url}/#/inbox`, id: "evt-1", type: "order.filled" },
        },
      ]);

    // Chromium says why on the console, once: that line is the browser's, not the page's.
    const logged = errors.splice(before);
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(INCOGNITO_PUSH);
  });

  it("asks for the permission on click, then subscribes and unsubscribes with the server (push service faked)", async () => {
    const fake = fakeSubscription();
    await fakePushService(page, fake);

    // Not granted: headless Chromium answers the prompt with "denied", so the page says blocked.
    await context.clearPermissions();
    await page.click("#push-enable");
    await waitForText(page, "#push-state", "브라우저에서 차단됨");
    expect(await page.textContent("#push-help")).toContain("사이트 설정");
    expect(await page.textContent("#push-status")).toBe("브라우저가 알림 권한을 거부했습니다.");
    await expectReadable(page, ["#push-state", "#push-help", "#push-status"]);

    // The user allows notifications in the site settings and tries again.
    await context.grantPermissions(["notifications"], { origin: worker.url });
    await page.click("#push-enable");
    await waitForText(page, "#push-status", "웹 푸시를 켰습니다.");
    expect(await page.textContent("#push-state")).toBe("켜짐");
    const stored = await apiAs<{ endpoint: string }[]>(worker.url, user, "GET", "/api/push/subscriptions");
    expect(stored.map((s) => s.endpoint)).toEqual([fake.endpoint]);

    // Opened again, the page reads "on" from the browser and the server both.
    await openPage(page, "#/profile", "#profile-form");
    await openPage(page, "#/settings", "#settings-form");
    await waitForText(page, "#push-state", "켜짐");
    expect(await page.isVisible("#push-disable")).toBe(true);
    expect(await page.isHidden("#push-enable")).toBe(true);
    await page.click("#push-disable");
    await waitForText(page, "#push-status", "웹 푸시를 껐습니다.");
    expect(await page.textContent("#push-state")).toBe("꺼짐");
    expect(await apiAs<unknown[]>(worker.url, user, "GET", "/api/push/subscriptions")).toEqual([]);
  });
});

describe("both pages", () => {
  it("fit a phone screen, with every control labelled and reachable by keyboard", async () => {
    const phone = page;
    await phone.setViewportSize({ width: 390, height: 844 });
    for (const [hash, root, form] of [
      ["#/profile", "#profile-page", "#profile-form"],
      ["#/settings", "#settings-page", "#settings-form"],
    ] as const) {
      await openPage(phone, hash, form);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await phone.screenshot({ path: `${RESULTS_DIR}${root.slice(1)}-phone.png`, fullPage: true });
      const unlabelled = await phone.evaluate((sel) => {
        const controls = document.querySelectorAll<HTMLInputElement | HTMLSelectElement>(
          `${sel} input:not([hidden]), ${sel} select`,
        );
        return [...controls].filter((c) => c.labels?.length === 0).map((c) => c.id || c.name);
      }, root);
      expect(unlabelled).toEqual([]);
      const untabbable = await phone.evaluate((sel) => {
        const controls = document.querySelectorAll<HTMLElement>(
          `${sel} input:not([hidden]):not(:disabled), ${sel} select, ${sel} button:not([hidden]), ${sel} a[href]:not([hidden])`,
        );
        return [...controls].filter((c) => c.offsetParent !== null && c.tabIndex < 0).map((c) => c.id);
      }, root);
      expect(untabbable).toEqual([]);
    }
    // Keyboard: Tab from the heading reaches the channel choices in order; Space toggles; the ring shows.
    await phone.focus("#settings-page h1");
    await phone.keyboard.press("Tab");
    expect(await phone.evaluate(() => document.activeElement?.id)).toBe("pref-alert-triggered-in-app");
    await phone.keyboard.press("Tab");
    expect(await phone.evaluate(() => document.activeElement?.id)).toBe("pref-alert-triggered-email");
    await phone.keyboard.press("Space");
    expect(await phone.isChecked("#pref-alert-triggered-email")).toBe(true);
    const ring = await phone.evaluate(
      () =>
        getComputedStyle(document.querySelector(".nset-check:has(#pref-alert-triggered-email)") as Element)
          .outlineStyle,
    );
    expect(ring).toBe("solid");
  });

  it("ran without errors in the console", () => {
    expect(errors).toEqual([]);
  });
});
