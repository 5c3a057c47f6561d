/**
 * The trader's desk in Chromium against the real Worker: sign up, order from a coin's row, a fill
 * made by moving the price through `/internal/ingest`, positions and PnL that move without a reload,
 * cancels, a refusal shown by its field, the premium trade, an alert that reaches the inbox badge,
 * sign out, and a reused refresh token that ends the session. Access tokens live 12 s here, so the
 * page rotates its refresh token several times during the run. Screenshots land in test-results/.
 */
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestEvent } from "../../protocol/ingest";
import { startWorker, type WorkerProcess } from "../support/worker-process";
import { collectErrors, contrastRatios, launchChromium, RESULTS_DIR, waitForText } from "./support/browser";
import { batch, COINS, ingest, krwPriceOf, marketEvents } from "./support/market-fixture";
import { uniqueEmail } from "./support/trader";

const ACCESS_TTL_SECONDS = 12;
const PASSWORD = "paper trader passphrase 42";

const [, , , BTC_USDT, BTC_PREMIUM] = COINS.find((c) => c[0] === "BTC") as (typeof COINS)[number];
/** Upbit's BTC price in the fixture, and the price unit there (1,000 KRW above 1,000,000). */
const BTC_KRW = krwPriceOf(BTC_USDT, BTC_PREMIUM);
const BTC_UNIT = 1000;

let worker: WorkerProcess;
let browser: Browser;
let context: BrowserContext;
let page: Page;
const errors: string[] = [];
/** Every API answer of 400 or more the page got: `METHOD path status`. */
const refused: string[] = [];
/** How many of those came before the copied refresh token was used. */
let refusedBeforeTheft = 0;
const email = uniqueEmail("desk");

function tick(venue: "upbit" | "binance", base: string, price: number): IngestEvent {
  const quote = venue === "upbit" ? "KRW" : "USDT";
  return {
    kind: "ticker",
    venue,
    base,
    quote,
    venue_symbol: venue === "upbit" ? `KRW-${base}` : `${base}USDT`,
    price,
    change_percent: 1,
    volume: 2000,
    quote_volume: 2000 * price,
    timestamp: Date.now(),
  };
}

/** The whole market again with fresh timestamps (orders refuse prices older than 30 s). */
async function freshMarket(): Promise<void> {
  await ingest(worker.url, worker.token, batch(marketEvents(Date.now())));
}

async function moveBtc(upbitPrice: number): Promise<void> {
  await ingest(worker.url, worker.token, batch([tick("upbit", "BTC", upbitPrice), tick("binance", "BTC", BTC_USDT)]));
}

const field = (form: string, path: string) => `${form} [data-field="${path}"]`;
const errorOf = (form: string, path: string) => `${form} .field:has([data-field="${path}"]) .field-error`;

async function openTicket(symbol: string): Promise<void> {
  if (!(await page.locator("#board-table").isVisible())) {
    await page.goto(`${worker.url}/#/`);
  }
  await page.click(`#board-table tr[data-symbol="${symbol}"] button.row-trade`);
  await page.waitForSelector("#trade-dialog[open] #order-ticket");
}

/** Places a limit order through the ticket and waits for the ticket's confirmation. */
async function placeLimit(side: "BUY" | "SELL", price: number, quantity: string): Promise<void> {
  await openTicket("BTC");
  await page.click(`#order-ticket button[data-side="${side}"]`);
  await page.selectOption(field("#order-ticket", "order_type"), "LIMIT");
  await page.fill(field("#order-ticket", "price"), String(price));
  await page.fill(field("#order-ticket", "quantity"), quantity);
  await page.press(field("#order-ticket", "quantity"), "Enter");
  await page.waitForSelector("#order-ticket .form-success:not([hidden])");
  await page.keyboard.press("Escape");
  await page.waitForSelector("#trade-dialog:not([open])", { state: "attached" });
}

async function storedRefreshToken(): Promise<string> {
  return page.evaluate(() => JSON.parse(localStorage.getItem("kimchi.session") ?? "{}").refresh_token as string);
}

beforeAll(async () => {
  worker = await startWorker({ vars: { ACCESS_TOKEN_TTL_SECONDS: String(ACCESS_TTL_SECONDS) } });
  await freshMarket();
  browser = await launchChromium();
  context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  page = await context.newPage();
  collectErrors(page, errors);
  page.on("response", (res) => {
    if (res.status() >= 400) refused.push(`${res.request().method()} ${new URL(res.url()).pathname} ${res.status()}`);
  });
  await page.goto(worker.url);
  // Generous: in CI this file starts while two other files load the same 2 cores.
  await page.waitForSelector('#board-table tr[data-symbol="BTC"] button.row-trade', { timeout: 90_000 });
});

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

describe("the trader's desk", () => {
  it("signs up from the header, shows a refusal by its field, and lands on the desk with the account", async () => {
    await page.click('a[data-nav="signup"]');
    await page.waitForSelector("#signup-form");
    await page.fill(field("#signup-form", "email"), email);
    await page.fill(field("#signup-form", "username"), "desk_trader");
    await page.fill(field("#signup-form", "password"), "password");
    await page.press(field("#signup-form", "password"), "Enter");
    await page.waitForSelector(`${errorOf("#signup-form", "password")}:not([hidden])`);
    expect(await page.getAttribute(field("#signup-form", "password"), "aria-invalid")).toBe("true");

    await page.fill(field("#signup-form", "password"), PASSWORD);
    await page.press(field("#signup-form", "password"), "Enter");
    await page.waitForFunction(() => location.hash === "#/desk");
    await waitForText(page, "#desk-title", "트레이딩");
    // The starting cash arrives from GET /api/account.
    await page.waitForFunction(
      () => /\d/.test(document.querySelector('[data-figure="cash"] .figure-value')?.textContent ?? ""),
      undefined,
      { timeout: 15_000 },
    );
    expect(await page.locator('a[data-nav="desk"]').isVisible()).toBe(true);
    expect(await page.locator('a[data-nav="signin"]').isVisible()).toBe(false);
  });

  it("places a limit order from a coin's row; it rests, then fills when the price moves through it, without a reload", async () => {
    await freshMarket();
    const limit = Math.floor((BTC_KRW * 0.99) / BTC_UNIT) * BTC_UNIT;
    await openTicket("BTC");
    // The estimate is there before sending: value, fee, total and the resulting position.
    await page.selectOption(field("#order-ticket", "order_type"), "LIMIT");
    await page.fill(field("#order-ticket", "price"), String(limit + 123)); // off the price unit: snapped on send
    await page.fill(field("#order-ticket", "quantity"), "0.001");
    await page.waitForFunction(() =>
      (document.querySelector("#ticket-estimate")?.textContent ?? "").includes("0.001 BTC"),
    );
    await page.screenshot({ path: `${RESULTS_DIR}trader-ticket-desktop.png` });
    await page.press(field("#order-ticket", "quantity"), "Enter");
    await page.waitForSelector("#order-ticket .form-success:not([hidden])");
    expect(await page.inputValue(field("#order-ticket", "price"))).toBe(String(limit));
    await page.keyboard.press("Escape");
    // Focus goes back to the button that opened the dialog.
    expect(await page.evaluate(() => document.activeElement?.classList.contains("row-trade"))).toBe(true);

    await page.click('a[data-nav="desk"]');
    await page.waitForSelector("#orders-table tbody tr");
    expect(await page.locator("#orders-table tbody tr").count()).toBe(1);
    expect(await page.locator("#orders-table tbody tr .col-status").textContent()).toBe("대기");

    const reloads = await page.evaluate(() => performance.getEntriesByType("navigation").length);
    await moveBtc(limit - BTC_UNIT * 5);
    await page.waitForSelector("#orders-table tbody tr", { state: "detached", timeout: 15_000 });
    await page.waitForSelector("#fills-table tbody tr");
    // Wherever the trader is, a notice says the order filled.
    expect(await page.locator("#order-toasts .toast-filled").first().textContent()).toContain("BTC/KRW");
    expect(await page.locator("#fills-table tbody tr .col-coin").first().textContent()).toBe("BTC/KRW");
    const position = page.locator('#positions-table tr[data-key="upbit|BTC/KRW"]');
    await position.waitFor();
    expect(await position.locator(".col-quantity").textContent()).toBe("0.001");
    expect(await position.locator(".col-avg").textContent()).toBe(`${limit.toLocaleString("en-US")}원`);
    expect(await page.evaluate(() => performance.getEntriesByType("navigation").length)).toBe(reloads);
  });

  it("moves the position's unrealised PnL and the equity with the market", async () => {
    const position = page.locator('#positions-table tr[data-key="upbit|BTC/KRW"]');
    const equityBefore = await page.locator('[data-figure="equity"] .figure-value').textContent();
    await moveBtc(BTC_KRW * 1.05);
    await page.waitForFunction(
      () => document.querySelector('#positions-table tr[data-key="upbit|BTC/KRW"] .col-pnl')?.classList.contains("up"),
      undefined,
      { timeout: 10_000 },
    );
    expect(await position.locator(".col-pnl").textContent()).toMatch(/^\+[\d,]+원$/);
    expect(await position.locator(".col-return").textContent()).toMatch(/^\+\d/);
    await page.waitForFunction(
      (before) => document.querySelector('[data-figure="equity"] .figure-value')?.textContent !== before,
      equityBefore,
    );
    await moveBtc(BTC_KRW * 0.9);
    await page.waitForFunction(() =>
      document.querySelector('#positions-table tr[data-key="upbit|BTC/KRW"] .col-pnl')?.classList.contains("down"),
    );
    expect(await position.locator(".col-pnl").textContent()).toMatch(/^-[\d,]+원$/);
    await page.screenshot({ path: `${RESULTS_DIR}trader-desk-desktop.png`, fullPage: true });
  });

  it("cancels one open order, then all, and the rows leave as the stream says so", async () => {
    await freshMarket();
    const far = Math.floor((BTC_KRW * 0.8) / BTC_UNIT) * BTC_UNIT;
    await placeLimit("BUY", far, "0.001");
    await placeLimit("BUY", far - BTC_UNIT, "0.001");
    await placeLimit("BUY", far - 2 * BTC_UNIT, "0.001");
    await page.click('a[data-nav="desk"]');
    await page.waitForFunction(() => document.querySelectorAll("#orders-table tbody tr").length === 3);
    await page.locator("#orders-table tbody tr").first().locator("button.cancel-order").click();
    await page.waitForFunction(() => document.querySelectorAll("#orders-table tbody tr").length === 2);
    await page.click("#cancel-all");
    await page.waitForFunction(() => document.querySelectorAll("#orders-table tbody tr").length === 0);
    expect(await page.locator("#cancel-all").isDisabled()).toBe(true);
  });

  it("shows the server's refusal next to the field it names, and places nothing", async () => {
    await freshMarket();
    await openTicket("BTC");
    await page.selectOption(field("#order-ticket", "order_type"), "LIMIT");
    await page.fill(field("#order-ticket", "price"), String(Math.floor(BTC_KRW / BTC_UNIT) * BTC_UNIT));
    await page.fill(field("#order-ticket", "quantity"), "0.00001"); // about 1,300 KRW: under Upbit's 5,000 KRW minimum
    await page.press(field("#order-ticket", "quantity"), "Enter");
    const error = page.locator(errorOf("#order-ticket", "quantity"));
    await error.waitFor();
    expect(await error.textContent()).toMatch(/at least/);
    expect(await page.getAttribute(field("#order-ticket", "quantity"), "aria-invalid")).toBe("true");
    expect(await page.evaluate(() => document.activeElement?.getAttribute("data-field"))).toBe("quantity");
    await page.keyboard.press("Escape");
    await page.click('a[data-nav="desk"]');
    await page.waitForSelector("#desk:not([hidden])");
    expect(await page.locator("#orders-table tbody tr").count()).toBe(0);
  });

  it("places a premium trade from the dialog and shows the premium at entry, now and the combined PnL", async () => {
    await freshMarket();
    await openTicket("BTC");
    await page.click("#trade-tab-premium");
    await page.fill(field("#premium-ticket", "quantity"), "0.001");
    await page.press(field("#premium-ticket", "quantity"), "Enter");
    await page.waitForSelector("#premium-result:not([hidden])");
    expect(await page.locator("#premium-result").textContent()).toMatch(/\+3\.\d\d%/);
    await page.keyboard.press("Escape");
    await page.click('a[data-nav="desk"]');
    await page.waitForSelector("#premium-trades-table tbody tr");
    expect(await page.locator("#premium-trades-table tbody tr .col-entry").textContent()).toMatch(/^\+3\.\d\d%$/);
  });

  it("shows the analytics: performance and risk figures, the equity chart and the table per market", async () => {
    await page.goto(`${worker.url}/#/analytics`);
    await page.waitForSelector("#analytics:not([hidden]) #performance-figures dd");
    await page.waitForSelector("#risk-figures dd");
    expect(await page.locator("#analytics-by-coin tr[data-key='BTC/KRW'] .col-fills").textContent()).toMatch(/^\d+$/);
    expect(await page.locator("#risk-figures").textContent()).toContain("VaR");
    expect(await page.locator("#equity-chart canvas").count()).toBeGreaterThan(0);
    const ratios = await contrastRatios(page, ["#analytics-title", "#performance-figures dt", "#risk-figures dd"]);
    for (const { selector, ratio } of ratios) expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
  });

  it("sets a premium alert from a coin's row, in the same dialog", async () => {
    await openTicket("BTC");
    await page.click("#trade-tab-alert");
    const form = "#trade-panel-alert";
    expect(await page.inputValue(field(form, "symbol"))).toBe("BTC");
    await page.selectOption(field(form, "kind"), "premium");
    await page.selectOption(field(form, "direction"), "above");
    await page.fill(field(form, "threshold"), "4.5");
    await page.press(field(form, "threshold"), "Enter");
    await expect
      .poll(async () => {
        const res = await page.evaluate(async () => {
          const session = JSON.parse(localStorage.getItem("kimchi.session") ?? "{}");
          const r = await fetch("/api/alerts", { headers: { Authorization: `Bearer ${session.access_token}` } });
          return r.json();
        });
        return JSON.stringify(res);
      })
      .toContain('"threshold":4.5');
    await page.keyboard.press("Escape");
  });

  it("keeps every control reachable by keyboard with a visible focus, and the new text at 4.5:1", async () => {
    await page.goto(`${worker.url}/#/desk`);
    await page.waitForSelector("#desk:not([hidden]) #positions-table tbody tr");
    // Every visible control on the desk and in the account corner gets a probe number, so it is
    // recognised when focused even if its text changes meanwhile (the unread badge moves live).
    const controls = await page.$$eval(
      "#desk button:not([hidden]):not(:disabled), header .account-nav a:not([hidden]), header .account-nav summary",
      (els) =>
        els
          .filter((el) => el.checkVisibility())
          .map((el, i) => {
            el.setAttribute("data-probe", String(i));
            return el.outerHTML;
          }),
    );
    const reached = new Set<number>();
    for (let i = 0; i < 80 && reached.size < controls.length; i++) {
      await page.keyboard.press("Tab");
      const focus = await page.evaluate(() => {
        const el = document.activeElement as HTMLElement | null;
        if (!el || el === document.body) return null;
        const style = getComputedStyle(el);
        return {
          probe: el.getAttribute("data-probe"),
          html: el.outerHTML.slice(0, 200),
          outline: style.outlineStyle !== "none" && style.outlineWidth !== "0px",
        };
      });
      if (!focus) continue;
      expect(focus.outline, focus.html).toBe(true);
      if (focus.probe !== null) reached.add(Number(focus.probe));
    }
    for (const [i, html] of controls.entries()) expect(reached.has(i), html).toBe(true);

    const ratios = await contrastRatios(page, [
      "#desk-title",
      '[data-figure="equity"] .figure-label',
      '[data-figure="equity"] .figure-value',
      '[data-figure="cash"] .figure-sub',
      ".limit-label",
      "#positions-table th",
      "#positions-table td.col-pnl",
      "#fills-table td.col-side",
      ".table-empty:not([hidden])",
      "a.nav-link",
      "#reset-account",
    ]);
    for (const { selector, ratio } of ratios) expect(ratio, selector).toBeGreaterThanOrEqual(4.5);

    await openTicket("BTC");
    const ticketRatios = await contrastRatios(page, [
      "#trade-dialog-title",
      "#order-ticket .field-label",
      "#order-ticket .field-hint",
      "#ticket-estimate dt",
      "#ticket-estimate dd",
      "#ticket-submit",
      '#order-ticket button[data-side="SELL"]',
      "#trade-tab-order",
      "#trade-tab-premium",
    ]);
    for (const { selector, ratio } of ticketRatios) expect(ratio, selector).toBeGreaterThanOrEqual(4.5);
    await page.keyboard.press("Escape");
  });

  it("saves the account, the ticket and the positions on a phone", async () => {
    const phone = await context.newPage();
    collectErrors(phone, errors);
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${worker.url}/#/desk`);
    await phone.waitForSelector("#desk:not([hidden]) #positions-table tbody tr");
    await phone.screenshot({ path: `${RESULTS_DIR}trader-desk-phone.png`, fullPage: true });
    await phone.goto(`${worker.url}/#/`);
    await phone.click('#board-table tr[data-symbol="BTC"] button.row-trade');
    await phone.waitForSelector("#trade-dialog[open]");
    await phone.fill(field("#order-ticket", "quantity"), "0.001");
    await phone.screenshot({ path: `${RESULTS_DIR}trader-ticket-phone.png` });
    const box = await phone.locator("#trade-dialog").boundingBox();
    expect(box?.width ?? 0).toBeLessThanOrEqual(390);
    await phone.close();
  });

  it("signs out from the menu: the tokens are gone here and refused by the server", async () => {
    const refresh = await storedRefreshToken();
    await page.goto(`${worker.url}/#/desk`);
    await page.click("details.account-menu summary");
    await page.click("#sign-out");
    await page.waitForSelector('a[data-nav="signin"]');
    await page.waitForFunction(() => location.hash === "#/");
    expect(await page.evaluate(() => localStorage.getItem("kimchi.session"))).toBeNull();
    await expect
      .poll(async () => {
        const res = await fetch(`${worker.url}/api/auth/refresh`, {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ refresh_token: refresh }),
        });
        return res.status;
      })
      .toBe(401);
  });

  it("signs in again, rotates its refresh token, and ends cleanly when a copied token is used first", async () => {
    await page.click('a[data-nav="signin"]');
    await page.fill(field("#signin-form", "username"), email);
    await page.fill(field("#signin-form", "password"), PASSWORD);
    await page.press(field("#signin-form", "password"), "Enter");
    await page.waitForFunction(() => location.hash === "#/desk");
    const first = await storedRefreshToken();
    // The page refreshes a third of the way before its 12 s access token expires: a new refresh token.
    await page.waitForFunction(
      (before) => JSON.parse(localStorage.getItem("kimchi.session") ?? "{}").refresh_token !== before,
      first,
      { timeout: 20_000 },
    );
    // Someone who copied the current refresh token uses it first...
    const copied = await storedRefreshToken();
    refusedBeforeTheft = refused.length;
    const stolen = await fetch(`${worker.url}/api/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: copied }),
    });
    expect(stolen.status).toBe(200);
    // ...so the page's next refresh presents a spent token: the server ends the session, the page signs out.
    await page.waitForSelector(".session-notice:not([hidden])", { timeout: 20_000 });
    expect(await page.locator(".session-notice").textContent()).toContain("다시 로그인");
    await page.waitForFunction(() => location.hash.startsWith("#/signin"));
    expect(await page.evaluate(() => localStorage.getItem("kimchi.session"))).toBeNull();
    // The thief's tokens died with the session.
    const thief = (await stolen.json()) as { refresh_token: string };
    const after = await fetch(`${worker.url}/api/auth/refresh`, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: thief.refresh_token }),
    });
    expect(after.status).toBe(401);
  });

  it("produced no console errors but the refusals the tests provoked", () => {
    // The browser logs every 4xx response as a console error; these are the ones the tests asked for.
    expect(refused.slice(0, refusedBeforeTheft).sort()).toEqual([
      "POST /api/auth/register 400",
      "POST /api/orders 400",
    ]);
    // After the theft the session is revoked: whatever the page sent next was refused, then its refresh too.
    const afterTheft = refused.slice(refusedBeforeTheft);
    expect(afterTheft).toContain("POST /api/auth/refresh 401");
    for (const entry of afterTheft) expect(entry).toMatch(/ 401$/);
    const unexpected = errors.filter(
      (e) => !/Failed to load resource: the server responded with a status of 40[01]/.test(e),
    );
    expect(unexpected).toEqual([]);
    expect(errors.length).toBe(refused.length);
  });
});
