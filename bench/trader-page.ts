/**
 * `npm run bench:trader-page`: how busy the dashboard keeps the browser's main thread while the
 * market moves, measured as the board's README figure is: headless Chromium (software rendering),
 * 340 coins with 50 of them ticking on Upbit and Binance every 100 ms, the main thread's task time
 * (CDP `Performance.getMetrics` TaskDuration) over a 10 s window after a warm-up, as a share of one
 * core. In the same run, on the same Worker and market:
 *   1. the board, signed out (the baseline: the board's own figure);
 *   2. the trader's desk with 50 open orders and 20 positions, all on ticking coins;
 *   3. the board, signed in as that trader (the private stream open behind it).
 * Prints a table with each case's share and its ratio to the baseline, and writes bench/TRADER-PAGE.md.
 * Figures, not tests. BENCH_QUICK=1 measures 4 s windows; BENCH_BOARD_ONLY=1 measures the board alone.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import type { Browser, Page } from "playwright-core";
import { priceUnit } from "../protocol/market-rules";
import { launchChromium } from "../test/e2e/support/browser";
import { registerUser, type TestUser, useSession } from "../test/e2e/support/trader";
import { startWorker, type WorkerProcess } from "../test/support/worker-process";
import { columns, markdownTable } from "./format";
import { machineInfo, reportPreamble, waitForIdleMachine } from "./machine";
import { batchBody, coinSymbols, setupBatch, TickWriter } from "./market-fixture";

const quick = process.env.BENCH_QUICK === "1";
const COINS = 340;
const TICKING = 50;
const TICK_EVERY_MS = 100;
const POSITIONS = 20;
const OPEN_ORDERS = 50;
const WARMUP_MS = quick ? 2_000 : 3_000;
const WINDOW_MS = quick ? 4_000 : 10_000;
/** TickWriter's venue indexes: Upbit (KRW) and Binance (USDT). */
const UPBIT = 0;
const BINANCE = 2;

interface CaseResult {
  name: string;
  taskPercent: number;
  scriptPercent: number;
  layoutPercent: number;
}

const log = (line: string) => console.log(`[trader-page] ${line}`);

async function post(worker: WorkerProcess, body: string): Promise<void> {
  const res = await fetch(`${worker.url}/internal/ingest`, {
    method: "POST",
    headers: { authorization: `Bearer ${worker.token}`, "content-type": "application/json" },
    body,
  });
  if (!res.ok) throw new Error(`ingest: ${res.status} ${await res.text()}`);
}

/** Sends 50 coins' ticks on Upbit and Binance every 100 ms until stopped. */
function tickLoop(worker: WorkerProcess, writer: TickWriter): () => Promise<void> {
  let running = true;
  let sent = 0;
  const loop = (async () => {
    while (running) {
      const started = Date.now();
      const events: string[] = [];
      for (let c = 0; c < TICKING; c++) events.push(writer.tick(c, UPBIT, started), writer.tick(c, BINANCE, started));
      await post(worker, batchBody(events, started));
      sent++;
      await new Promise((r) => setTimeout(r, Math.max(0, TICK_EVERY_MS - (Date.now() - started))));
    }
  })();
  return async () => {
    running = false;
    await loop;
    log(`sent ${sent} batches of ${TICKING * 2} ticks`);
  };
}

async function api(worker: WorkerProcess, user: TestUser, path: string, body: unknown): Promise<unknown> {
  const res = await fetch(`${worker.url}${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${user.accessToken}`, "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

/** 20 market buys (positions) and 50 resting limit buys 20% under the market, all on ticking coins. */
async function seedTrader(worker: WorkerProcess, writer: TickWriter, user: TestUser): Promise<void> {
  for (let c = 0; c < POSITIONS; c++) {
    const price = writer.price(c, UPBIT);
    await api(worker, user, "/api/orders", {
      symbol: `${writer.coins[c]}/KRW`,
      venue: "upbit",
      side: "BUY",
      order_type: "MARKET",
      quantity: (8000 / price).toFixed(8),
    });
  }
  for (let o = 0; o < OPEN_ORDERS; o++) {
    const c = o % TICKING;
    const raw = writer.price(c, UPBIT) * (0.8 - o * 0.001);
    const unit = Number(priceUnit("upbit", writer.coins[c] as string, raw));
    const price = Math.floor(raw / unit) * unit;
    await api(worker, user, "/api/orders", {
      symbol: `${writer.coins[c]}/KRW`,
      venue: "upbit",
      side: "BUY",
      order_type: "LIMIT",
      price: Number(price.toFixed(8)),
      quantity: (8000 / price).toFixed(8),
    });
  }
}

/** The main thread's task, script and layout time over the window, as shares of one core. */
async function measure(page: Page, name: string, ready: string): Promise<CaseResult> {
  await page.waitForSelector(ready, { timeout: 30_000 });
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("Performance.enable");
  const metrics = async () => {
    const { metrics } = await cdp.send("Performance.getMetrics");
    return Object.fromEntries(metrics.map((m) => [m.name, m.value])) as Record<string, number>;
  };
  await page.waitForTimeout(WARMUP_MS);
  const before = await metrics();
  const started = performance.now();
  await page.waitForTimeout(WINDOW_MS);
  const after = await metrics();
  const wall = (performance.now() - started) / 1000;
  const share = (key: string) => (((after[key] ?? 0) - (before[key] ?? 0)) / wall) * 100;
  await cdp.detach();
  return {
    name,
    taskPercent: share("TaskDuration"),
    scriptPercent: share("ScriptDuration"),
    layoutPercent: share("LayoutDuration"),
  };
}

/** The desk with the trader's orders and positions, then the board with the trader signed in. */
async function traderCases(browser: Browser, worker: WorkerProcess, user: TestUser): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  const context = await browser.newContext({ viewport: { width: 1440, height: 900 } });
  const trader = await context.newPage();
  await useSession(trader, user);
  await trader.goto(`${worker.url}/#/desk`);
  results.push(
    await measure(
      trader,
      `desk: ${OPEN_ORDERS} open orders, ${POSITIONS} positions`,
      `#orders-table tbody tr:nth-child(${OPEN_ORDERS})`,
    ),
  );
  const counts = await trader.evaluate(() => ({
    orders: document.querySelectorAll("#orders-table tbody tr").length,
    positions: document.querySelectorAll("#positions-table tbody tr").length,
  }));
  if (counts.orders !== OPEN_ORDERS || counts.positions !== POSITIONS) {
    throw new Error(`the desk showed ${counts.orders} orders and ${counts.positions} positions`);
  }
  await trader.goto(`${worker.url}/#/`);
  results.push(
    await measure(trader, "board, signed in (private stream open)", `#board-table tbody tr:nth-child(${COINS})`),
  );
  return results;
}

async function main(): Promise<void> {
  const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { encoding: "utf8" }).trim();
  const dirty = execFileSync("git", ["status", "--porcelain", "--", "web"], { encoding: "utf8" }).trim() !== "";
  const machine = machineInfo(dirty ? `${head} with uncommitted changes in web/` : head);
  const busy = await waitForIdleMachine(log);
  const worker = await startWorker();
  let browser: Browser | undefined;
  const results: CaseResult[] = [];
  let stopTicks: (() => Promise<void>) | undefined;
  try {
    const writer = new TickWriter(coinSymbols(COINS));
    await post(worker, setupBatch(writer, Date.now()));
    const user = await registerUser(worker.url, "pagebench");
    await seedTrader(worker, writer, user);
    log(`seeded ${POSITIONS} positions and ${OPEN_ORDERS} open orders`);
    stopTicks = tickLoop(worker, writer);
    browser = await launchChromium();

    const visitor = await browser.newPage({ viewport: { width: 1440, height: 900 } });
    await visitor.goto(worker.url);
    results.push(await measure(visitor, "board, signed out (baseline)", `#board-table tbody tr:nth-child(${COINS})`));
    await visitor.close();
    // BENCH_BOARD_ONLY=1: the baseline alone, e.g. to measure an older build of the page served from web/dist.
    if (process.env.BENCH_BOARD_ONLY !== "1") results.push(...(await traderCases(browser, worker, user)));
  } finally {
    await stopTicks?.();
    await browser?.close();
    await worker.dispose();
  }

  const baseline = results[0] as CaseResult;
  const rows = results.map((r) => [
    r.name,
    `${r.taskPercent.toFixed(1)} %`,
    `${r.scriptPercent.toFixed(1)} %`,
    `${r.layoutPercent.toFixed(1)} %`,
    `${(r.taskPercent / baseline.taskPercent).toFixed(2)}x`,
  ]);
  const header = ["page", "main thread busy (% of one core)", "script", "layout", "vs the board"];
  console.log(columns([header, ...rows]).join("\n"));
  const lines = [
    ...reportPreamble(
      "the trader's page",
      "bench:trader-page",
      machine,
      [
        `${COINS} coins, ${TICKING} ticking on Upbit and Binance every ${TICK_EVERY_MS} ms (${(TICKING * 2 * 1000) / TICK_EVERY_MS} ticks/s)`,
        `one trader with ${OPEN_ORDERS} open orders and ${POSITIONS} positions, all on ticking coins`,
        `headless Chromium (Debian's, software rendering), 1440x900; ${WARMUP_MS / 1000} s warm-up, ${WINDOW_MS / 1000} s window`,
        busy,
      ],
      "the machine's load before the run, below",
      `commit \`${machine.commit}\`, served from web/dist as built`,
    ),
    "## Results",
    "",
    markdownTable(header, rows),
    "",
    "## Method",
    "",
    "Main-thread busy time is Chromium's `TaskDuration` (all tasks on the renderer's main thread: script,",
    "style, layout, paint) from the DevTools protocol's `Performance.getMetrics`, its growth over the window",
    "divided by the window's wall time. Each case runs in its own page after a warm-up, while the same tick",
    "load runs; the baseline is the board a visitor sees, as in the README's dashboard figure.",
    "Most of the board's time is style, paint and compositing in software rendering (script and layout",
    "are a few percent each). `BENCH_BOARD_ONLY=1` measures the baseline alone, against whatever build is",
    "in web/dist: build an older commit's page there to compare the board before and after a change.",
    "",
  ];
  writeFileSync(new URL("./TRADER-PAGE.md", import.meta.url), lines.join("\n"));
  log("wrote bench/TRADER-PAGE.md");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
