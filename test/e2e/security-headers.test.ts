/**
 * The security headers as a browser gets them from the real Worker (wrangler dev, static assets with
 * web/public/_headers): the dashboard, its service worker, the API and the docs carry them, and the
 * pages run under their Content-Security-Policy without a single violation (the board, a coin's
 * charts, whose library adds one <style> element allowed by hash, and the Scalar API reference).
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startWorker, type WorkerProcess } from "../support/worker-process";
import { collectErrors, launchChromium } from "./support/browser";
import { batch, historyBatches, ingest, marketEvents } from "./support/market-fixture";

let worker: WorkerProcess;
let browser: Browser;
let page: Page;
const errors: string[] = [];

beforeAll(async () => {
  worker = await startWorker();
  for (const b of historyBatches("BTC", 5, Date.now())) await ingest(worker.url, worker.token, b);
  await ingest(worker.url, worker.token, batch(marketEvents(Date.now())));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  collectErrors(page, errors);
  // Every CSP violation, including any the console would not show as an error.
  await page.addInitScript(() => {
    document.addEventListener("securitypolicyviolation", (e) => {
      console.error(`CSP violation: ${e.violatedDirective} ${e.blockedURI} at ${e.sourceFile}:${e.lineNumber}`);
    });
  });
});

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

function csp(res: Response): string {
  return res.headers.get("Content-Security-Policy") ?? "";
}

describe("security headers", () => {
  it("are on the dashboard, its service worker, the API and the docs", async () => {
    for (const path of ["/", "/sw.js", "/#/coin/BTC", "/api/coins/latest", "/docs", "/openapi.json"]) {
      const res = await fetch(`${worker.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get("X-Content-Type-Options"), path).toBe("nosniff");
      expect(res.headers.get("X-Frame-Options"), path).toBe("DENY");
      expect(res.headers.get("Referrer-Policy"), path).toBe("no-referrer");
      expect(res.headers.get("Permissions-Policy"), path).toContain("camera=()");
      expect(csp(res), path).toContain("frame-ancestors 'none'");
      expect(csp(res), path).toMatch(/default-src 'none'|object-src 'none'/);
    }
    const page = await fetch(worker.url);
    expect(csp(page)).toContain("script-src 'self';");
    expect(csp(page)).toContain("connect-src 'self';");
    expect(csp(page)).not.toContain("'unsafe-eval'");
  });

  it("let the board and a coin's charts run without a violation", async () => {
    await page.goto(worker.url);
    await page.waitForSelector('#board-table tr[data-symbol="BTC"]', { timeout: 20_000 });
    await page.goto(`${worker.url}/#/coin/BTC`);
    await page.waitForFunction(() => document.querySelectorAll("#price-chart canvas").length > 0, undefined, {
      timeout: 20_000,
    });
    // The chart library's attribution logo is styled by its <style> element (allowed by hash).
    await page.waitForSelector("a#tv-attr-logo", { state: "attached", timeout: 10_000 });
    expect(await page.$eval("a#tv-attr-logo", (a) => getComputedStyle(a).position)).toBe("absolute");
    expect(errors).toEqual([]);
  });

  it("let the API reference render without a violation", async () => {
    await page.goto(`${worker.url}/docs`);
    await page.waitForFunction(() => (document.body.textContent ?? "").includes("Kimchi Edge API"), undefined, {
      timeout: 30_000,
    });
    await page.waitForFunction(() => (document.body.textContent ?? "").includes("/api/coins/latest"), undefined, {
      timeout: 30_000,
    });
    // Scalar bundles zod, which probes once whether it may compile code (`new Function("")` in a
    // try/catch, falling back when it may not): refused, as it should be, and harmless.
    const zodProbe = /^console: CSP violation: script-src eval .*\/vendor\/scalar-api-reference\.js:\d+$/;
    expect(errors.filter((e) => !zodProbe.test(e))).toEqual([]);
  });
});
