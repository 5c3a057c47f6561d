/**
 * The alerts page and the inbox in a real browser against the real Worker (wrangler dev): an alert
 * made with the form, a refusal shown by the field it names, pause, resume and delete; then the
 * premium crossing the alert's threshold through `POST /internal/ingest`, and the notification
 * arriving live in the inbox (through the notifications queue and `/ws/user`), marked read there.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Alert } from "../../protocol/alerts";
import type { IngestEvent } from "../../protocol/ingest";
import { startWorker, type WorkerProcess } from "../support/worker-process";
import { collectErrors, contrastRatios, launchChromium, RESULTS_DIR, waitForText } from "./support/browser";
import { batch, ingest, krwPriceOf, marketEvents, USDT_KRW } from "./support/market-fixture";
import { apiAs, registerUser, type TestUser, useSession } from "./support/trader";

const FORM = ".alerts-page .alert-form";
/** The fixture's Binance BTC price: Upbit's price sets BTC's premium against it. */
const BTC_USDT = 91_000.5;

let worker: WorkerProcess;
let browser: Browser;
let page: Page;
let user: TestUser;
const errors: string[] = [];

/**
 * Ticks moving Upbit's BTC price to the given premium (USD/KRW basis) over Binance's, with fresh
 * Binance BTC and Upbit USDT ticks too: any of the premium's ticker inputs older than TICKER_STALE_MS
 * (30 s) makes the premium stale, and a stale premium fires no alert. (The fixture's ticks date from
 * `beforeAll`; a slow run reaches the crossing more than 30 s later.)
 */
function btcAtPremium(premium: number): IngestEvent[] {
  const tick = (venue: "upbit" | "binance", base: string, price: number): IngestEvent => ({
    kind: "ticker",
    venue,
    base,
    quote: venue === "upbit" ? "KRW" : "USDT",
    venue_symbol: venue === "upbit" ? `KRW-${base}` : `${base}USDT`,
    price,
    change_percent: 1.5,
    volume: 1000,
    quote_volume: 1000 * price,
    timestamp: Date.now(),
  });
  return [
    tick("upbit", "USDT", USDT_KRW),
    tick("binance", "BTC", BTC_USDT),
    tick("upbit", "BTC", krwPriceOf(BTC_USDT, premium)),
  ];
}

function field(path: string): string {
  return `${FORM} [data-field="${path}"]`;
}

function fieldError(path: string): string {
  return `${FORM} .af-field[data-for="${path}"] .field-error`;
}

function alerts(): Promise<Alert[]> {
  return apiAs<Alert[]>(worker.url, user, "GET", "/api/alerts");
}

/** Every selector's text has at least 4.5:1 contrast against what is behind it. */
async function expectReadable(p: Page, selectors: string[]): Promise<void> {
  const weak = (await contrastRatios(p, selectors)).filter((r) => r.ratio < 4.5);
  expect(weak).toEqual([]);
}

/**
 * Waits for the inbox to show `count` notifications; if they never come, fails with where the alert
 * stopped: BTC's premium as the board shows it, the alert's state, what the coin's alerts evaluated
 * and fired, the notifications stored, and the Worker's log.
 */
async function waitForInbox(count: number): Promise<void> {
  try {
    await page.waitForFunction((n) => document.querySelectorAll(".inbox-item").length >= n, count, {
      timeout: 15_000,
    });
  } catch (error) {
    const board = (await (await fetch(`${worker.url}/api/coins/latest`)).json()) as { coins?: { symbol: string }[] };
    const metrics = (await (await fetch(`${worker.url}/metrics`)).text())
      .split("\n")
      .filter((line) => /^kimchi_(alert|symbol_outbox|notification)/.test(line));
    const stored = await apiAs(worker.url, user, "GET", "/api/notifications?limit=100");
    throw new Error(
      [
        String(error),
        `BTC on the board: ${JSON.stringify(board.coins?.find((c) => c.symbol === "BTC"))}`,
        `alerts: ${JSON.stringify(await alerts())}`,
        `metrics: ${metrics.join(" | ")}`,
        `notifications: ${JSON.stringify(stored)}`,
        `worker log: ${worker.logs().slice(-4000)}`,
      ].join("\n"),
    );
  }
}

/** Submits the form with Enter from `path`'s field. */
async function enterIn(path: string): Promise<void> {
  await page.press(field(path), "Enter");
}

beforeAll(async () => {
  worker = await startWorker();
  await ingest(worker.url, worker.token, batch(marketEvents(Date.now())));
  user = await registerUser(worker.url, "alerts");
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  collectErrors(page, errors);
  await useSession(page, user);
  await page.goto(`${worker.url}/#/alerts/BTC`);
  await page.waitForSelector(".alerts-page:not([hidden]) h1");
});

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

describe("alerts and the inbox", () => {
  it("creates a premium alert from the form, with the coin's name and premium as hints", async () => {
    expect(await page.inputValue(field("symbol"))).toBe("BTC");
    await page.waitForFunction(
      (sel) => document.querySelector(sel)?.textContent?.includes("비트코인 · 업비트"),
      `${FORM} .af-field[data-for="symbol"] .field-hint`,
    );
    expect(await page.textContent(`${FORM} .af-field[data-for="symbol"] .field-hint`)).toContain("+3.12%");
    await page.selectOption(field("kind"), "premium");
    await page.selectOption(field("basis"), "usd");
    await page.selectOption(field("direction"), "above");
    expect(await page.textContent(`${FORM} .af-field[data-for="threshold"] .field-hint`)).toBe("현재 +3.12%");
    // The folded options: no cooldown, so the test can see it fire twice; a note.
    await page.click(`${FORM} .af-advanced > summary`);
    await page.fill(field("cooldown_seconds"), "0");
    await page.fill(field("note"), "김프 4% 돌파");
    await page.fill(field("threshold"), "4");
    await enterIn("threshold");

    await page.waitForSelector(".alerts-page .alert-row");
    expect(await page.textContent(".alerts-page .alert-row .alert-cond")).toBe(
      "BTC 비트코인 김프 +4.00% 이상 (USD/KRW 기준)",
    );
    expect(await page.textContent(".alerts-page .alert-row .alert-note")).toBe("김프 4% 돌파");
    expect(await page.textContent(`${FORM} .af-status`)).toContain("알림을 만들었습니다");
    expect(await page.inputValue(field("threshold"))).toBe("");
    const stored = await alerts();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({
      kind: "premium",
      symbol: "BTC",
      basis: "usd",
      direction: "above",
      threshold: 4,
      cooldown_seconds: 0,
      enabled: true,
    });
  });

  it("shows the server's refusal next to the field it names", async () => {
    const before = errors.length;
    const refused = await fetch(`${worker.url}/api/alerts`, {
      method: "POST",
      headers: { Authorization: `Bearer ${user.accessToken}`, "Content-Type": "application/json" },
      body: JSON.stringify({ kind: "premium", symbol: "BTC", basis: "usd", direction: "above", threshold: 2000 }),
    });
    const problem = (await refused.json()) as { errors: { path: string; message: string }[] };
    const expected = problem.errors.find((e) => e.path === "threshold")?.message;
    expect(expected).toBeTruthy();

    await page.fill(field("threshold"), "2000");
    await enterIn("threshold");
    await waitForText(page, fieldError("threshold"), expected as string);
    expect(await page.getAttribute(field("threshold"), "aria-invalid")).toBe("true");
    expect(await page.evaluate(() => (document.activeElement as HTMLElement).dataset.field)).toBe("threshold");
    expect(await page.textContent(`${FORM} .af-message[role="alert"]`)).toBe("표시된 항목을 확인해 주세요.");
    await expectReadable(page, [fieldError("threshold"), `${FORM} .af-message`]);

    // A coin the board does not list: said by the coin field (the hint already warned).
    await page.fill(field("symbol"), "ZZZ");
    expect(await page.textContent(`${FORM} .af-field[data-for="symbol"] .field-hint`)).toBe("보드에 없는 코인입니다");
    await page.fill(field("threshold"), "4");
    await enterIn("threshold");
    await waitForText(page, fieldError("symbol"), "not a coin any venue lists");
    expect(await page.isHidden(fieldError("threshold"))).toBe(true);
    await page.fill(field("symbol"), "BTC");
    await page.fill(field("threshold"), "");
    expect(await alerts()).toHaveLength(1);
    // The browser logs each refused request; those two were the point of this test.
    const logged = errors.splice(before);
    expect(logged.every((e) => /status of 400/.test(e))).toBe(true);
  });

  it("pauses, resumes and, after asking, deletes alerts", async () => {
    await page.selectOption(field("kind"), "liquidation");
    await page.selectOption(field("scope"), "any");
    await page.fill(field("min_usd"), "1000000");
    await enterIn("min_usd");
    await page.waitForFunction(() => document.querySelectorAll(".alerts-page .alert-row").length === 2);
    const [liquidation, premium] = await alerts();
    expect(liquidation).toMatchObject({ kind: "liquidation", symbol: null, min_usd: 1_000_000 });
    const liqRow = `.alerts-page .alert-row[data-id="${liquidation?.id}"]`;
    const premiumRow = `.alerts-page .alert-row[data-id="${premium?.id}"]`;
    expect(await page.textContent(`${liqRow} .alert-cond`)).toBe("모든 코인 $1.00M 이상 단일 청산");

    await page.click(`${premiumRow} .alert-toggle`);
    await waitForText(page, `${premiumRow} .alert-state`, "일시정지됨");
    expect(await page.textContent(`${premiumRow} .alert-toggle`)).toBe("다시 켜기");
    expect((await alerts()).find((a) => a.id === premium?.id)?.enabled).toBe(false);
    await page.click(`${premiumRow} .alert-toggle`);
    await waitForText(page, `${premiumRow} .alert-state`, "켜짐");
    expect((await alerts()).find((a) => a.id === premium?.id)?.enabled).toBe(true);

    // Delete asks first; Escape takes the question back, focus returning to the button.
    await page.click(`${liqRow} .alert-delete`);
    expect(await page.textContent(`${liqRow} .alert-confirm-text`)).toBe("이 알림을 삭제할까요?");
    expect(await page.evaluate(() => document.activeElement?.className)).toContain("alert-confirm-no");
    await page.keyboard.press("Escape");
    expect(await page.isHidden(`${liqRow} .alert-confirm`)).toBe(true);
    expect(await page.evaluate(() => document.activeElement?.className)).toContain("alert-delete");
    expect(await alerts()).toHaveLength(2);
    await page.click(`${liqRow} .alert-delete`);
    await page.click(`${liqRow} .alert-confirm-yes`);
    await page.waitForSelector(liqRow, { state: "detached" });
    expect((await alerts()).map((a) => a.id)).toEqual([premium?.id]);

    await expectReadable(page, [
      ".alerts-page h1",
      ".alerts-page .al-intro",
      ".alerts-page .al-panel-title",
      ".alerts-page .al-link",
      ".alerts-page .al-count",
      `${FORM} .field-label`,
      `${FORM} .field-hint`,
      `${FORM} .input`,
      `${FORM} .af-advanced > summary`,
      `${FORM} .al-btn-primary`,
      `${FORM} .af-status`,
      ".alert-coin",
      ".alert-what",
      ".alert-meta",
      ".alert-state",
      ".alert-note",
      ".alert-toggle",
      ".alert-delete",
    ]);
  });

  it("brings a crossed premium to the inbox live, and marks it read", async () => {
    await page.click('.alerts-page .al-link[href="#/inbox"]');
    await waitForText(page, ".inbox-page:not([hidden]) .al-empty", "받은 알림이 없습니다.");
    await waitForText(page, ".inbox-count", "모두 읽었습니다");

    await ingest(worker.url, worker.token, batch(btcAtPremium(5)));
    await waitForInbox(1);
    await page.waitForSelector(".inbox-item.unread");
    expect(await page.textContent(".inbox-item .inbox-title")).toContain("BTC(비트코인) 김치 프리미엄 알림");
    expect(await page.textContent(".inbox-item .inbox-body")).toContain("4.00%");
    await waitForText(page, ".inbox-count", "읽지 않은 알림 1개");
    await waitForText(page, "#unread-badge", "1");
    expect(await page.isHidden(".inbox-page .al-empty")).toBe(true);
    await expectReadable(page, [
      ".inbox-page h1",
      ".inbox-count",
      ".inbox-mark-all",
      ".inbox-item.unread .inbox-title",
      ".inbox-item.unread .inbox-body",
      ".inbox-item.unread .inbox-time",
      ".inbox-coin",
    ]);

    // Enter on the item marks it read; the count follows, here and in the header.
    await page.focus(".inbox-item .inbox-open");
    await page.keyboard.press("Enter");
    await page.waitForSelector(".inbox-item:not(.unread)");
    await waitForText(page, ".inbox-count", "모두 읽었습니다");
    await page.waitForSelector("#unread-badge", { state: "hidden" });
    expect(await apiAs(worker.url, user, "GET", "/api/notifications/unread-count")).toEqual({ unread: 0 });
    await expectReadable(page, [".inbox-item .inbox-title", ".inbox-item .inbox-body", ".inbox-item .inbox-time"]);

    // Back under the threshold by more than the margin (re-armed), then over it again: a second one, on top.
    // A pause between the two: ticks sent together may reach the coin's alerts conflated into one (5.5 %).
    await ingest(worker.url, worker.token, batch(btcAtPremium(3)));
    await new Promise((resolve) => setTimeout(resolve, 1000));
    await ingest(worker.url, worker.token, batch(btcAtPremium(5.5)));
    await waitForInbox(2);
    expect(await page.getAttribute(".inbox-list > li:first-child", "class")).toContain("unread");
    await waitForText(page, "#unread-badge", "1");

    await page.click(".inbox-mark-all");
    await waitForText(page, ".inbox-count", "모두 읽었습니다");
    expect(await page.$$(".inbox-item.unread")).toHaveLength(0);
    expect(await apiAs(worker.url, user, "GET", "/api/notifications/unread-count")).toEqual({ unread: 0 });

    // The alert now says when it last fired.
    await page.click('.inbox-page .al-link[href="#/alerts"]');
    await page.waitForSelector(".alerts-page:not([hidden])");
    await page.waitForFunction(() => document.querySelector(".alert-fired")?.textContent?.startsWith("마지막 알림"));
  });

  it("relabels in English", async () => {
    await page.click("button.lang-toggle");
    await waitForText(page, ".alerts-page h1", "Alerts");
    expect(await page.textContent(`${FORM} .af-field[data-for="kind"] .field-label`)).toBe("Kind");
    expect(await page.textContent(".alert-cond")).toBe("BTC Bitcoin Premium at or above +4.00% (USD/KRW)");
    expect(await page.textContent(".alert-toggle")).toBe("Pause");
    await page.click("button.lang-toggle");
    await waitForText(page, ".alerts-page h1", "가격 알림");
  });

  it("pages through older notifications with 'load more'", async () => {
    // Thirty liquidations at once, each firing an any-coin alert with no cooldown: 32 notifications in all.
    await apiAs(worker.url, user, "POST", "/api/alerts", {
      kind: "liquidation",
      symbol: null,
      min_usd: 1,
      cooldown_seconds: 0,
    });
    const now = Date.now();
    const liquidations: IngestEvent[] = Array.from({ length: 30 }, (_, i) => ({
      kind: "liquidation",
      venue: "binance",
      base: "ETH",
      quote: "USDT",
      venue_symbol: "ETHUSDT",
      side: i % 2 === 0 ? "long" : "short",
      price: 3150,
      quantity: 0.1 + i / 100,
      timestamp: now - i,
      id: `alerts-e2e-${i}`,
    }));
    await ingest(worker.url, worker.token, batch(liquidations));
    await expect
      .poll(
        async () =>
          (await apiAs<{ notifications: unknown[] }>(worker.url, user, "GET", "/api/notifications?limit=100"))
            .notifications.length,
        { timeout: 15_000 },
      )
      .toBe(32);
    await waitForText(page, "#unread-badge", "30");

    await page.evaluate(() => {
      location.hash = "#/inbox";
    });
    await page.waitForSelector(".inbox-page:not([hidden]) .inbox-more");
    await page.waitForFunction(() => document.querySelectorAll(".inbox-item").length === 30);
    await page.click(".inbox-more");
    await page.waitForFunction(() => document.querySelectorAll(".inbox-item").length === 32);
    expect(await page.isHidden(".inbox-foot")).toBe(true);
    // Focus lands on the first of the older ones, where reading continues.
    expect(await page.evaluate(() => document.activeElement?.closest("li")?.dataset.id)).toBe(
      await page.getAttribute(".inbox-list > li:nth-child(31)", "data-id"),
    );
    expect(await page.textContent(".inbox-list > li:nth-child(32) .inbox-title")).toContain("김치 프리미엄");
  });

  it("fits a phone screen without sideways scrolling", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    collectErrors(phone, errors);
    await useSession(phone, user);
    const screens: [string, string][] = [
      ["#/alerts/ETH", ".alerts-page:not([hidden]) .alert-row"],
      ["#/inbox", ".inbox-page:not([hidden]) .inbox-item"],
    ];
    for (const [hash, shown] of screens) {
      await phone.goto(`${worker.url}/${hash}`);
      await phone.waitForSelector(shown);
      const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow).toBeLessThanOrEqual(0);
      await phone.screenshot({ path: `${RESULTS_DIR}alerts-phone-${hash.split("/")[1]}.png`, fullPage: true });
      if (hash.startsWith("#/alerts")) expect(await phone.inputValue('.alerts-page [data-field="symbol"]')).toBe("ETH");
    }
    await phone.close();
  });

  it("ran without errors in the console", () => {
    expect(errors).toEqual([]);
  });
});
