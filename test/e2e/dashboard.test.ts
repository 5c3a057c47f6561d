/**
 * The dashboard in a real browser against the real Worker (wrangler dev), fed through
 * `POST /internal/ingest` as the collectors feed it. Screenshots land in test-results/.
 */
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { IngestEvent } from "../../protocol/ingest";
import { startWorker, type WorkerProcess } from "../support/worker-process";
import {
  collectErrors,
  contrastRatios,
  countChartPixels,
  launchChromium,
  RESULTS_DIR,
  visibleSymbols,
  waitForText,
} from "./support/browser";
import { batch, COINS, historyBatches, ingest, krwPriceOf, marketEvents, USD_KRW } from "./support/market-fixture";

const krw0 = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
/** Every coin with a KRW market: the fixture's list, Tether, the Bithumb-only and the KRW-only coin. */
const BOARD_SIZE = COINS.length + 3;

let worker: WorkerProcess;
let browser: Browser;
let page: Page;
const errors: string[] = [];

function cell(symbol: string, column: string): string {
  return `#board-table tr[data-symbol="${symbol}"] .col-${column} .v`;
}

function tick(venue: "upbit" | "binance", base: string, price: number, timestamp = Date.now()): IngestEvent {
  const quote = venue === "upbit" ? "KRW" : "USDT";
  return {
    kind: "ticker",
    venue,
    base,
    quote,
    venue_symbol: venue === "upbit" ? `KRW-${base}` : `${base}USDT`,
    price,
    change_percent: 1.5,
    volume: 1000,
    quote_volume: 1000 * price,
    timestamp,
  };
}

async function openBoard(p: Page): Promise<void> {
  await p.goto(worker.url);
  await p.waitForFunction((n) => document.querySelectorAll("#board-table tbody tr").length >= n, BOARD_SIZE, {
    timeout: 20_000,
  });
}

beforeAll(async () => {
  worker = await startWorker();
  const now = Date.now();
  for (const b of historyBatches("BTC", 90, now)) await ingest(worker.url, worker.token, b);
  await ingest(worker.url, worker.token, batch(marketEvents(Date.now())));
  browser = await launchChromium();
  page = await browser.newPage({ viewport: { width: 1440, height: 900 } });
  collectErrors(page, errors);
  await openBoard(page);
});

afterAll(async () => {
  await browser?.close();
  await worker?.dispose();
});

describe("the dashboard", () => {
  it("fills the board with every KRW-listed coin, in Korean, with both premiums and the rates", async () => {
    expect(await page.locator("html").getAttribute("lang")).toBe("ko");
    const btc = page.locator('#board-table tr[data-symbol="BTC"]');
    expect(await btc.locator(".name-primary").textContent()).toBe("비트코인");
    expect(await btc.locator(".name-secondary").textContent()).toBe("Bitcoin");
    expect(await page.textContent(cell("BTC", "krw"))).toBe(krw0.format(krwPriceOf(91_000.5, 3.12)));
    expect(await page.textContent(cell("BTC", "global"))).toBe("91,000.50");
    expect(await page.textContent(cell("BTC", "premium"))).toBe("+3.12%");
    expect(await page.textContent(cell("BTC", "value"))).toBe("2,288억");
    // Reverse premium is highlighted, and caution flags show.
    expect(await page.getAttribute('#board-table tr[data-symbol="GAS"]', "class")).toContain("reverse");
    expect(await page.textContent('#board-table tr[data-symbol="GAS"] .badge-reverse')).toBe("역프");
    expect(await page.textContent('#board-table tr[data-symbol="MEW"] .tags')).toBe("가격 급등락+1");
    expect(await page.getAttribute('#board-table tr[data-symbol="MEW"] .tags .badge', "title")).toBe(
      "가격 급등락, 글로벌 가격 차이",
    );
    expect(await page.textContent('#board-table tr[data-symbol="BTT"] .tags')).toContain("유의");
    // A coin only Bithumb lists in KRW says so; a coin with no global market shows dashes.
    expect(await page.textContent('#board-table tr[data-symbol="ASTR"] .col-krw .venue-tag')).toBe("빗썸");
    expect(await page.textContent(cell("MED", "premium"))).toBe("—");
    // The header.
    await waitForText(page, "#stat-usd-krw", "1,438.50");
    expect(await page.textContent("#stat-usdt-krw")).toBe("1,452.00");
    expect(await page.textContent("#stat-tether-premium")).toBe(`+${((1452 / USD_KRW - 1) * 100).toFixed(2)}%`);
    expect(await page.textContent("#stat-fear-greed")).toBe("62");
  });

  it("shows a new tick in the right cell within a second", async () => {
    const ethBefore = await page.textContent(cell("ETH", "krw"));
    const premiumBefore = await page.textContent(cell("BTC", "premium"));
    await ingest(worker.url, worker.token, batch([tick("upbit", "BTC", 137_777_000)]));
    await waitForText(page, cell("BTC", "krw"), "137,777,000", 1000);
    const premium = ((137_777_000 / (91_000.5 * USD_KRW) - 1) * 100).toFixed(2);
    await waitForText(page, cell("BTC", "premium"), `+${premium}%`, 1000);
    expect(premium).not.toBe(premiumBefore);
    expect(await page.textContent(cell("ETH", "krw"))).toBe(ethBefore);
  });

  it("sorts by any column, both ways, with missing figures last", async () => {
    const premiums = COINS.map(([symbol, , , usdt, premium]) => ({
      symbol,
      value: krwPriceOf(usdt, premium) / (usdt * USD_KRW) - 1,
    }));
    premiums.push({ symbol: "BTC", value: 137_777_000 / (91_000.5 * USD_KRW) - 1 });
    const bySymbol = new Map(premiums.map((p) => [p.symbol, p.value]));

    await page.click('th[data-key="premium"] button');
    expect(await page.getAttribute('th[data-key="premium"]', "aria-sort")).toBe("descending");
    let order = await visibleSymbols(page);
    const known = order.filter((s) => bySymbol.has(s));
    expect(known).toEqual([...known].sort((a, b) => (bySymbol.get(b) as number) - (bySymbol.get(a) as number)));
    expect(order[0]).toBe("MEW");
    expect(order.slice(-2).sort()).toEqual(["MED", "USDT"]); // no premium: last

    await page.click('th[data-key="premium"] button');
    expect(await page.getAttribute('th[data-key="premium"]', "aria-sort")).toBe("ascending");
    order = await visibleSymbols(page);
    expect(order.slice(0, 2)).toEqual(["GAS", "TIA"]); // the reverse premiums first
    expect(order.slice(-2).sort()).toEqual(["MED", "USDT"]);

    await page.click('th[data-key="symbol"] button');
    order = await visibleSymbols(page);
    expect(order).toEqual([...order].sort());
    expect(order).toHaveLength(BOARD_SIZE);

    await page.click('th[data-key="name"] button');
    const names = await page.$$eval("#board-table tbody tr .name-primary", (els) =>
      els.map((e) => e.textContent ?? ""),
    );
    expect(names).toEqual([...names].sort((a, b) => a.localeCompare(b, "ko")));
    expect(names[0]).toBe("가스");

    await page.click('th[data-key="value"] button');
    expect((await visibleSymbols(page))[0]).toBe("XRP");
  });

  it("finds coins by Korean initial consonants, by name and by symbol", async () => {
    // 비트코인, 비트코인캐시, 비트토렌트, and 아비트럼 (ㅇㅂㅌㄹ) too: initials match anywhere in the name.
    await page.fill("#coin-search", "ㅂㅌ");
    await page.waitForFunction(() => document.querySelectorAll("#board-table tbody tr:not([hidden])").length === 4);
    expect((await visibleSymbols(page)).sort()).toEqual(["ARB", "BCH", "BTC", "BTT"]);
    await page.fill("#coin-search", "비ㅌㅋ");
    expect((await visibleSymbols(page)).sort()).toEqual(["BCH", "BTC"]);
    await page.fill("#coin-search", "이더");
    expect((await visibleSymbols(page)).sort()).toEqual(["ETC", "ETH"]);
    await page.fill("#coin-search", "sol");
    expect(await visibleSymbols(page)).toEqual(["SOL"]);
    await page.fill("#coin-search", "ㅎㄷㄹ");
    expect(await visibleSymbols(page)).toEqual(["HBAR"]);
    await page.fill("#coin-search", "zzzz");
    expect(await visibleSymbols(page)).toEqual([]);
    expect(await page.isVisible(".board-empty")).toBe(true);
    await page.focus("#coin-search");
    await page.keyboard.press("Escape");
    expect(await visibleSymbols(page)).toHaveLength(BOARD_SIZE);
  });

  it("keeps favourites in the browser across a reload", async () => {
    await page.click('#board-table tr[data-symbol="ETH"] button.star');
    expect(await page.getAttribute('#board-table tr[data-symbol="ETH"] button.star', "aria-pressed")).toBe("true");
    await page.reload();
    await page.waitForSelector('#board-table tr[data-symbol="ETH"] button.star[aria-pressed="true"]');
    await page.click(".tabs .tab:nth-child(2)");
    expect(await visibleSymbols(page)).toEqual(["ETH"]);
    await page.click(".tabs .tab:nth-child(1)");
    expect(await visibleSymbols(page)).toHaveLength(BOARD_SIZE);
  });

  it("shows a liquidation in the feed and in the totals, and filters by size", async () => {
    const now = Date.now();
    await ingest(
      worker.url,
      worker.token,
      batch([
        {
          kind: "liquidation",
          venue: "binance",
          base: "BTC",
          quote: "USDT",
          venue_symbol: "BTCUSDT",
          side: "long",
          price: 90_000,
          quantity: 15,
          timestamp: now,
          id: `e2e-big-${now}`,
        },
        {
          kind: "liquidation",
          venue: "bybit",
          base: "DOGE",
          quote: "USDT",
          venue_symbol: "DOGEUSDT",
          side: "short",
          price: 0.16,
          quantity: 12_500,
          timestamp: now,
          id: `e2e-small-${now}`,
        },
      ]),
    );
    await page.waitForSelector('#liq-feed li[data-symbol="BTC"]', { timeout: 5000 });
    const item = page.locator('#liq-feed li[data-symbol="BTC"]');
    expect(await item.locator(".liq-value").textContent()).toBe("$1.35M");
    expect(await item.locator(".liq-side").textContent()).toBe("롱");
    expect(await item.locator(".liq-venue").textContent()).toBe("바이낸스");
    await page.waitForSelector('#liq-feed li[data-symbol="DOGE"]');
    // Binance's feed is sampled (at most one per symbol a second), so its totals are a floor: "≥".
    await waitForText(page, '#liq-totals [data-window="1h"] .liq-amount.side-long', "≥ $1.35M");
    await page.waitForFunction(() =>
      /\$2\.0K$/.test(
        document.querySelector('#liq-totals [data-window="1h"] .liq-amount.side-short')?.textContent ?? "",
      ),
    );

    // At least $10K: the Worker sends a new snapshot without the small one.
    await page.selectOption("#liq-min", "10000");
    await page.waitForSelector('#liq-feed li[data-symbol="DOGE"]', { state: "detached" });
    expect(await page.locator('#liq-feed li[data-symbol="BTC"]').count()).toBe(1);
    await page.selectOption("#liq-min", "0");
    await page.waitForSelector('#liq-feed li[data-symbol="DOGE"]');
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${RESULTS_DIR}dashboard-board.png` });
  });

  it("marks figures whose inputs are old as stale", async () => {
    const old = Date.now() - 120_000;
    await ingest(
      worker.url,
      worker.token,
      batch([
        { kind: "coin", base: "OLD", korean_name: "올드코인", english_name: "Oldcoin", venue: "upbit", warnings: [] },
        tick("upbit", "OLD", 1234, old),
        tick("binance", "OLD", 0.83, old),
      ]),
    );
    await page.waitForSelector('#board-table tr[data-symbol="OLD"].stale .badge-stale');
    expect(await page.textContent('#board-table tr[data-symbol="OLD"] .badge-stale')).toBe("지연");
    expect((await page.getAttribute('#board-table tr[data-symbol="BTC"]', "class")) ?? "").not.toContain("stale");
  });

  it("opens a coin's detail view with price and premium charts drawn", async () => {
    await page.click('#board-table tr[data-symbol="BTC"] a.coin-link');
    await page.waitForURL(/#\/coin\/BTC$/);
    await waitForText(page, "#detail-title", "비트코인");
    // Candles in the up or down colour, and both premium lines.
    await page.waitForFunction(() => document.querySelectorAll("#price-chart canvas").length > 0);
    await expect
      .poll(() => countChartPixels(page, "#price-chart", ["#f6465d", "#3b8cff"]), { timeout: 10_000 })
      .toBeGreaterThan(500);
    await expect
      .poll(() => countChartPixels(page, "#premium-chart", ["#f0b90b"]), { timeout: 10_000 })
      .toBeGreaterThan(200);
    await expect
      .poll(() => countChartPixels(page, "#premium-chart", ["#2ed3b7"]), { timeout: 10_000 })
      .toBeGreaterThan(200);
    expect(await page.textContent("#detail-premium")).toMatch(/^\+\d+\.\d\d%$/);
    await page.mouse.move(0, 0);
    await page.screenshot({ path: `${RESULTS_DIR}dashboard-detail.png`, fullPage: true });

    // Another venue's candles, then back to the board with the keyboard.
    await page.click('.detail-controls button:has-text("바이낸스")');
    await expect
      .poll(() => countChartPixels(page, "#price-chart", ["#f6465d", "#3b8cff"]), { timeout: 10_000 })
      .toBeGreaterThan(500);
    await page.keyboard.press("Escape");
    await page.waitForURL((url) => !url.hash.startsWith("#/coin"));
    await page.waitForSelector("#board-table", { state: "visible" });
    expect(await page.isVisible("#price-chart")).toBe(false);
    expect(
      await page.evaluate(() => (document.activeElement as HTMLElement | null)?.closest("tr")?.dataset.symbol),
    ).toBe("BTC");
  });

  it("is usable from the keyboard: / focuses search, Enter on a coin opens it", async () => {
    await page.keyboard.press("/");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("coin-search");
    await page.keyboard.type("ETH");
    await page.keyboard.press("Tab");
    // Tab from the search box reaches the table's first control: the sort buttons, then the rows.
    const focused = await page.evaluate(() => document.activeElement?.tagName);
    expect(focused).toBe("BUTTON");
    await page.focus('#board-table tr[data-symbol="ETH"] a.coin-link');
    await page.keyboard.press("Enter");
    await page.waitForURL(/#\/coin\/ETH$/);
    await page.keyboard.press("Escape");
    await page.fill("#coin-search", "");
  });

  it("keeps text readable: every kind of text on the board has at least 4.5:1 contrast", async () => {
    const ratios = await contrastRatios(page, [
      ".name-primary",
      ".name-secondary",
      ".col-symbol .symbol",
      ".board-table thead .th-label",
      ".board-table thead .th-unit",
      "td.up",
      "td.down",
      ".col-value .v",
      ".badge-caution",
      ".badge-warning",
      ".badge-reverse",
      ".stat-label",
      ".stat-value",
      ".tab",
      ".liq-time",
      ".liq-venue",
      ".liq-side.side-long",
      ".liq-side.side-short",
      ".liq-note",
      ".foot",
    ]);
    const weak = ratios.filter((r) => r.ratio < 4.5);
    expect(weak).toEqual([]);
  });

  it("switches to English and back", async () => {
    await page.click("button.lang-toggle");
    expect(await page.locator("html").getAttribute("lang")).toBe("en");
    expect(await page.textContent('#board-table tr[data-symbol="BTC"] .name-primary')).toBe("Bitcoin");
    expect(await page.textContent('th[data-key="premium"] .th-label')).toBe("Premium");
    expect(await page.textContent(".liq .panel-title")).toBe("Live liquidations");
    await page.reload();
    await page.waitForSelector('#board-table tr[data-symbol="BTC"]');
    expect(await page.textContent('#board-table tr[data-symbol="BTC"] .name-primary')).toBe("Bitcoin");
    await page.click("button.lang-toggle");
    expect(await page.textContent('#board-table tr[data-symbol="BTC"] .name-primary')).toBe("비트코인");
  });

  it("fits a phone screen without sideways page scrolling", async () => {
    const phone = await browser.newPage({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
    collectErrors(phone, errors);
    await openBoard(phone);
    const overflow = await phone.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    // Every cell the phone shows is on screen, the premium among them, without scrolling sideways.
    const shown = await phone.$$eval('#board-table tr[data-symbol="BTC"] > *', (cells) =>
      cells
        .filter((c) => getComputedStyle(c).display !== "none")
        .map((c) => ({ cls: c.className, right: c.getBoundingClientRect().right })),
    );
    expect(shown.some((c) => c.cls.split(" ").includes("col-premium"))).toBe(true);
    for (const c of shown) expect(c.right).toBeLessThanOrEqual(390);
    // And the table stays in one line per row: the premium sits beside the name, not below it.
    const nameBox = await phone.locator('#board-table tr[data-symbol="BTC"] .col-name').boundingBox();
    const premiumBox = await phone.locator('#board-table tr[data-symbol="BTC"] .col-premium').boundingBox();
    expect(Math.abs((nameBox?.y ?? 0) - (premiumBox?.y ?? 1000))).toBeLessThan(2);
    await phone.screenshot({ path: `${RESULTS_DIR}dashboard-phone.png` });
    await phone.close();
  });

  it("asks for a new snapshot after a gap in seq and ends up with the right figures", async () => {
    const gapPage = await browser.newPage({ viewport: { width: 1280, height: 800 } });
    collectErrors(gapPage, errors);
    const sentByClient: string[] = [];
    let dropped = false;
    await gapPage.routeWebSocket(/\/ws\/market$/, (ws) => {
      const server = ws.connectToServer();
      ws.onMessage((message) => {
        sentByClient.push(String(message));
        server.send(message);
      });
      server.onMessage((message) => {
        const text = String(message);
        // Lose the first update on the way, as a flaky network would.
        if (!dropped && text.startsWith('{"type":"update"')) {
          dropped = true;
          return;
        }
        ws.send(message);
      });
    });
    await openBoard(gapPage);
    await ingest(worker.url, worker.token, batch([tick("upbit", "SOL", 211_111)]));
    await expect.poll(() => dropped, { timeout: 5000 }).toBe(true);
    // The next update arrives with a seq one too far ahead.
    await ingest(worker.url, worker.token, batch([tick("upbit", "XRP", 3_333)]));
    await waitForText(gapPage, cell("XRP", "krw"), "3,333");
    await waitForText(gapPage, cell("SOL", "krw"), "211,111");
    expect(dropped).toBe(true);
    expect(sentByClient).toContain('{"op":"snapshot"}');
    await gapPage.close();
  });

  it("shows simulated data as simulated", async () => {
    await ingest(worker.url, worker.token, batch([tick("upbit", "ADA", 715)], "simulated"));
    await page.waitForSelector(".source-banner:not([hidden])");
    expect(await page.textContent(".source-banner")).toContain("시뮬레이션");
    await ingest(worker.url, worker.token, batch([tick("upbit", "ADA", 716)], "live"));
    await page.waitForSelector(".source-banner", { state: "hidden" });
  });

  it("loaded and ran without errors in the console", () => {
    expect(errors).toEqual([]);
  });

  it("reconnects and resumes after the Worker restarts", async () => {
    await worker.stop();
    await page.waitForSelector('.status[data-status="reconnecting"]', { timeout: 15_000 });
    await worker.restart();
    await page.waitForSelector('.status[data-status="live"]', { timeout: 30_000 });
    await ingest(worker.url, worker.token, batch([tick("upbit", "BTC", 138_888_000)]));
    await waitForText(page, cell("BTC", "krw"), "138,888,000", 5000);
  });
});
