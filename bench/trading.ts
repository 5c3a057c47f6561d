import { randomUUID } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { runIngestLoad } from "./ingest-load";
import { stopOnInterrupt } from "./interrupts";
import { machineInfo, waitForIdleMachine } from "./machine";
import { batchBody, coinSymbols, setupBatch, TickWriter } from "./market-fixture";
import { UsageSampler } from "./process-usage";
import { LatencyRecorder } from "./stats";
import { type SourceSnapshot, type SystemUnderTest, snapshotSource, startOurs } from "./systems";
import {
  d1Count,
  findLocalD1,
  PriceKeeper,
  quantityFor,
  rateEvents,
  type Trader,
  TradingApi,
  USD_KRW,
  type UserStream,
  upbitPriceAtOrBelow,
  upbitTicker,
} from "./trading-client";
import {
  type CpuFigures,
  consoleTable,
  type IngestPoint,
  type PlacementRow,
  type ResourceRow,
  type SetupFigures,
  type SweepResult,
  type TickToFillResult,
  type TradingReport,
  tradingMarkdown,
} from "./trading-report";
import { captureWorkerErrors, workerErrorNotes } from "./worker-errors";

const quick = process.env.BENCH_QUICK === "1";

const LIMITS = { max_open_orders: 10_000, max_position_value_usd: 100_000_000, max_leverage: 100 };
/** Every coin the benchmark trades on its own is held at this Upbit price (KRW; price unit 100 from 100,000 to 500,000). */
const MARKET_PRICE = 300_000;

const PLACEMENT = {
  inFlight: [1, 8, 32],
  warmupMs: quick ? 500 : 1000,
  measureMs: quick ? 3000 : 10_000,
  coin: "TRDRATE",
  /** Prices cycle over 100 levels from here down, 100 KRW apart. */
  top: 250_000,
};
const TICK_TO_FILL = { samples: quick ? 40 : 200, coin: "TRDFILL", limit: 290_000, cross: 289_000, timeoutMs: 10_000 };
const SWEEP = {
  orders: quick ? 1000 : 10_000,
  /** Matches reach a ledger 1,000 at a time across users: 20 users get 50 of each 1,000 (quick: 10 get 100). */
  users: quick ? 10 : 20,
  levels: 100,
  coin: "TRDSWEEP",
  top: 290_000,
  cross: 279_000,
  timeoutMs: quick ? 60_000 : 120_000,
};
const RESTING = { orders: quick ? 1000 : 10_000, users: quick ? 5 : 20, coins: 100, levelsPerCoin: 10 };
const LOAD = {
  coins: 200,
  rates: [1000, 5000],
  warmupMs: quick ? 1000 : 2000,
  measureMs: quick ? 4000 : 10_000,
  maxInFlight: 8,
};
const SETUP_IN_FLIGHT = 16;
const SETTLE_MS = quick ? 20_000 : 60_000;

const reportPath = new URL("./TRADING.md", import.meta.url);

/** Stops whatever is running when the run is interrupted (the Worker runs in its own process group). */
const cleanups = stopOnInterrupt(log);

/** What the Worker logged as errors, by message. */
const workerErrors = captureWorkerErrors();

function log(line: string): void {
  console.log(`[bench:trading ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the run shares between phases. */
interface Context {
  system: SystemUnderTest;
  api: TradingApi;
  keeper: PriceKeeper;
  d1: string | null;
  notes: string[];
}

/** CPU figures over a window, from a started sampler. */
function cpuOf(sampler: UsageSampler): CpuFigures {
  const u = sampler.stop();
  return { usage: u.processes, machineBusyPercent: u.machineBusyPercent, cpuPressurePercent: u.cpuPressurePercent };
}

/** The CPU (% of one core) of the Worker's processes over `ms`. */
function workerCpu(system: SystemUnderTest, ms: number): Promise<number> {
  const processes = system.processes().filter((p) => !p.label.startsWith("bench client"));
  const sampler = new UsageSampler(processes);
  sampler.start();
  return sleep(ms).then(() => sampler.stop().processes.reduce((a, p) => a + p.cpuPercent, 0));
}

/** Waits until an empty batch is acknowledged within a second: the ingest path has no backlog left. */
async function ingestIdle(ctx: Context, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await ctx.api.ingest([]);
      if (res.status === 200 && res.ms < 1000) return true;
    } catch {
      // not answering yet
    }
    await sleep(500);
  }
  return false;
}

/**
 * After many orders: waits (bounded) until the D1 projection has a row for every order placed so far
 * (`ordersPlaced`: every 201 of the run)
 * and the Worker's processes are nearly idle (the outboxes published, the queue consumed).
 */
async function settle(ctx: Context, ordersPlaced: number): Promise<{ seconds: number; note: string }> {
  const start = Date.now();
  const deadline = start + SETTLE_MS;
  const parts: string[] = [];
  if (ctx.d1) {
    let rows = 0;
    while (Date.now() < deadline) {
      rows = await d1Count(ctx.d1, "SELECT COUNT(*) FROM orders").catch(() => -1);
      if (rows >= ordersPlaced) break;
      await sleep(500);
    }
    parts.push(
      rows >= ordersPlaced
        ? `D1 had every order after ${((Date.now() - start) / 1000).toFixed(1)} s`
        : `D1 had ${rows} of ${ordersPlaced} orders when the wait ended`,
    );
  }
  let cpu = 100;
  while (Date.now() < deadline) {
    cpu = await workerCpu(ctx.system, 1000);
    if (cpu < 15) break;
  }
  parts.push(cpu < 15 ? `Worker CPU ${cpu.toFixed(0)}%` : `Worker still at ${cpu.toFixed(0)}% CPU when the wait ended`);
  return { seconds: (Date.now() - start) / 1000, note: parts.join("; ") };
}

/** One order to place; its key makes a retried request place it once. */
interface Job {
  trader: Trader;
  base: string;
  price: number;
  quantity: string;
  key: string;
}

/**
 * Places every job with `inFlight` requests outstanding. A request that fails is sent again (twice at
 * most) with the same `Idempotency-Key`, so an order the Worker took before failing is not placed twice.
 */
async function placeAll(ctx: Context, jobs: Job[], inFlight: number, label: string) {
  let next = 0;
  let placed = 0;
  let failed = 0;
  let retried = 0;
  let firstError: string | null = null;
  let firstRetry: string | null = null;
  const start = performance.now();
  let lastLog = start;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next < jobs.length) {
        const job = jobs[next++];
        let ok = false;
        let error = "";
        for (let attempt = 0; attempt < 3 && !ok; attempt++) {
          if (attempt > 0) {
            retried++;
            firstRetry ??= error;
          }
          try {
            const res = await ctx.api.placeLimitBuy(job.trader, job.base, job.price, job.quantity, job.key);
            ok = res.status === 201;
            error = `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
            if (res.status === 400) break; // refused: retrying changes nothing
          } catch (e) {
            error = String(e);
          }
        }
        if (ok) placed++;
        else {
          failed++;
          firstError ??= error;
        }
        const now = performance.now();
        if (now - lastLog > 10_000) {
          lastLog = now;
          log(`${label}: ${placed} placed, ${failed} failed, ${(placed / ((now - start) / 1000)).toFixed(0)} orders/s`);
        }
      }
    }),
  );
  if (retried > 0) ctx.notes.push(`${label}: ${retried} requests were sent again after a failure (${firstRetry})`);
  return { placed, failed, firstError, seconds: (performance.now() - start) / 1000 };
}

/** Places `jobs` and waits for the Worker to settle: the setup of the sweep and of the resting orders. */
async function setUp(ctx: Context, jobs: Job[], users: number, label: string): Promise<SetupFigures> {
  const r = await placeAll(ctx, jobs, SETUP_IN_FLIGHT, label);
  log(
    `${label}: ${r.placed} placed in ${r.seconds.toFixed(1)} s (${(r.placed / r.seconds).toFixed(0)} orders/s over ${users} users), ${r.failed} failed${r.firstError ? ` (${r.firstError})` : ""}`,
  );
  const phase = ctx.api.phase;
  ctx.api.phase = `${phase}, settling`;
  const s = await settle(ctx, ctx.api.placedOrders);
  ctx.api.phase = phase;
  log(`${label}: settled in ${s.seconds.toFixed(1)} s (${s.note})`);
  return {
    orders: jobs.length,
    users,
    inFlight: SETUP_IN_FLIGHT,
    placed: r.placed,
    failed: r.failed,
    firstError: r.firstError,
    seconds: r.seconds,
    settleSeconds: s.seconds,
    settleNote: s.note,
  };
}

// --- 1. orders/s one user can place ------------------------------------------------------------

async function placementPoint(ctx: Context, inFlight: number): Promise<PlacementRow> {
  const trader = await ctx.api.newTrader(`rate${inFlight}`, LIMITS);
  const quantity = quantityFor(PLACEMENT.top - 99 * 100);
  const latency = new LatencyRecorder();
  let sent = 0;
  let acked = 0;
  let errors = 0;
  let firstError: string | null = null;
  const start = performance.now();
  const from = start + PLACEMENT.warmupMs;
  const to = from + PLACEMENT.measureMs;
  const sampler = new UsageSampler(ctx.system.processes());
  const samplerStart = setTimeout(() => sampler.start(), PLACEMENT.warmupMs);
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < to) {
        const price = PLACEMENT.top - (sent++ % 100) * 100;
        let status = 0;
        let text = "";
        const t = performance.now();
        try {
          const res = await ctx.api.placeLimitBuy(trader, PLACEMENT.coin, price, quantity);
          status = res.status;
          text = res.text;
        } catch (error) {
          text = String(error);
        }
        const done = performance.now();
        if (done < from || done > to) continue;
        if (status === 201) {
          acked++;
          latency.add(done - t);
        } else {
          errors++;
          firstError ??= `HTTP ${status}: ${text.slice(0, 200)}`;
        }
      }
    }),
  );
  clearTimeout(samplerStart);
  const cpu = cpuOf(sampler);
  const openOrdersAtEnd = await ctx.api.openOrders(trader).catch(() => null);
  const row: PlacementRow = {
    inFlight,
    seconds: PLACEMENT.measureMs / 1000,
    acked,
    ackedPerSecond: acked / (PLACEMENT.measureMs / 1000),
    latency: latency.summary(),
    errors,
    firstError,
    openOrdersAtEnd,
    ...cpu,
  };
  log(
    `placement, ${inFlight} in flight: ${row.ackedPerSecond.toFixed(0)} orders/s, p50/p99 ${row.latency?.p50.toFixed(0)}/${row.latency?.p99.toFixed(0)} ms, ${errors} errors${firstError ? ` (${firstError})` : ""}, ${openOrdersAtEnd} open at the end`,
  );
  return row;
}

// --- 3. tick-to-fill ------------------------------------------------------------------------------

async function tickToFill(ctx: Context): Promise<TickToFillResult> {
  const { coin, limit, cross } = TICK_TO_FILL;
  const trader = await ctx.api.newTrader("fill", LIMITS);
  const stream: UserStream = await ctx.api.openStream(trader);
  cleanups.add(() => stream.close());
  const pinger = setInterval(() => stream.ping(), 20_000);
  const quantity = quantityFor(limit);
  const latency = new LatencyRecorder();
  const crossingAck = new LatencyRecorder();
  let missed = 0;
  let errors = 0;
  let firstError: string | null = null;
  try {
    for (let k = 0; k < TICK_TO_FILL.samples; k++) {
      try {
        // Back above the limit, so the next order rests instead of filling at once.
        const reset = await ctx.api.ingest([upbitTicker(coin, MARKET_PRICE)]);
        if (reset.status !== 200) throw new Error(`reset ingest: ${reset.status} ${reset.text.slice(0, 200)}`);
        const res = await ctx.api.placeLimitBuy(trader, coin, limit, quantity);
        if (res.status !== 201) throw new Error(`order: ${res.status} ${res.text.slice(0, 200)}`);
        const order = JSON.parse(res.text) as { id: string; status: string };
        if (order.status !== "PENDING") throw new Error(`the order did not rest: ${order.status}`);
        // The crossing tick must be newer than the order (the server stamped it before answering).
        const answeredAt = Date.now();
        while (Date.now() <= answeredAt) await sleep(1);
        const fill = stream.fillOf(order.id, TICK_TO_FILL.timeoutMs);
        const t0 = performance.now();
        const ack = await ctx.api.ingest([upbitTicker(coin, cross, Date.now())]);
        if (ack.status !== 200) throw new Error(`crossing ingest: ${ack.status} ${ack.text.slice(0, 200)}`);
        crossingAck.add(ack.ms);
        const at = await fill;
        if (at === null) missed++;
        else latency.add(at - t0);
      } catch (error) {
        errors++;
        firstError ??= String(error);
        if (errors > 10) throw error;
      }
      if ((k + 1) % 50 === 0) log(`tick-to-fill: ${k + 1} samples, p50 ${latency.summary()?.p50.toFixed(0)} ms`);
    }
  } finally {
    clearInterval(pinger);
    stream.close();
  }
  const result: TickToFillResult = {
    coin,
    samples: TICK_TO_FILL.samples,
    latency: latency.summary(),
    missed,
    crossingAck: crossingAck.summary(),
    errors,
    firstError,
  };
  log(
    `tick-to-fill: p50 ${result.latency?.p50.toFixed(0)} ms, p99 ${result.latency?.p99.toFixed(0)} ms, max ${result.latency?.max.toFixed(0)} ms, ${missed} missed, ${errors} errors`,
  );
  return result;
}

// --- 2. the sweep -----------------------------------------------------------------------------------

async function sweep(ctx: Context): Promise<SweepResult> {
  const { coin, levels, top, cross } = SWEEP;
  await ctx.keeper.hold(coin, MARKET_PRICE);
  const traders = await ctx.api.newTraders("sweep", SWEEP.users, LIMITS);
  const quantity = quantityFor(top - (levels - 1) * 100);
  const jobs: Job[] = Array.from({ length: SWEEP.orders }, (_, j) => ({
    trader: traders[j % traders.length],
    base: coin,
    price: top - (j % levels) * 100,
    quantity,
    key: randomUUID(),
  }));
  log(`sweep: placing ${SWEEP.orders} resting limits on ${coin} over ${traders.length} users`);
  const setup = await setUp(ctx, jobs, traders.length, "sweep setup");
  // The keeper must not post the coin's old price after the crossing tick.
  ctx.keeper.release(coin);
  const streams: UserStream[] = [];
  for (const trader of traders) {
    const stream = await ctx.api.openStream(trader);
    streams.push(stream);
    cleanups.add(() => stream.close());
  }
  await ingestIdle(ctx, 10_000);
  await sleep(1000);

  const sampler = new UsageSampler(ctx.system.processes());
  const filledSql = `SELECT COUNT(*) FROM orders WHERE symbol = '${coin}/KRW' AND status = 'FILLED'`;
  sampler.start();
  ctx.api.phase = "sweep";
  const t0 = performance.now();
  const ack = await ctx.api.ingest([...rateEvents(), upbitTicker(coin, cross, Date.now())]);
  if (ack.status !== 200) throw new Error(`sweep ingest: ${ack.status} ${ack.text.slice(0, 200)}`);
  const deadline = t0 + SWEEP.timeoutMs;

  let d1Last = 0;
  const d1Watch = (async (): Promise<number | null> => {
    if (!ctx.d1) return null;
    while (performance.now() < deadline + 30_000) {
      d1Last = await d1Count(ctx.d1, filledSql).catch(() => d1Last);
      if (d1Last >= setup.placed) return performance.now() - t0;
      await sleep(250);
    }
    return null;
  })();

  // Every order FILLED, as the users' streams tell it (each ledger sends it right after committing it).
  const filled = () => streams.reduce((a, st) => a + st.filled.size, 0);
  let lastLog = t0;
  while (filled() < setup.placed && performance.now() < deadline) {
    await sleep(10);
    if (performance.now() - lastLog > 5000) {
      lastLog = performance.now();
      log(`sweep: ${filled()} FILLED after ${((lastLog - t0) / 1000).toFixed(0)} s; D1 has ${d1Last} FILLED`);
    }
  }
  const allFilledMs = filled() >= setup.placed ? Math.max(...streams.map((st) => st.lastFilledAt)) - t0 : null;
  const cpu = cpuOf(sampler);
  for (const st of streams) st.close();
  // The ledgers' own word: every user's open orders.
  let leftOpen = 0;
  for (const trader of traders) leftOpen += await ctx.api.openOrders(trader).catch(() => 0);
  const d1AllFilledMs = await d1Watch;
  const result: SweepResult = {
    coin,
    orders: setup.placed,
    users: traders.length,
    levels: `${levels} price levels ${(top - (levels - 1) * 100).toLocaleString("en-US")}–${top.toLocaleString("en-US")} KRW, ${quantity} ${coin} each`,
    crossingPrice: cross,
    setup,
    crossingAckMs: ack.ms,
    allFilledMs,
    leftOpen,
    d1AllFilledMs,
    d1Note: ctx.d1
      ? d1AllFilledMs === null
        ? `not observed: ${d1Last} of ${setup.placed} FILLED in D1 when the wait ended`
        : "the local D1 file, read every 250 ms"
      : "not observed (the local D1 file or sqlite3 was not found)",
    ...cpu,
  };
  log(
    `sweep: ${setup.placed} orders FILLED after ${allFilledMs === null ? "–" : (allFilledMs / 1000).toFixed(2)} s (${allFilledMs ? (setup.placed / (allFilledMs / 1000)).toFixed(0) : "–"} fills/s); D1 after ${d1AllFilledMs === null ? "–" : (d1AllFilledMs / 1000).toFixed(2)} s; ${leftOpen} left open`,
  );
  return result;
}

// --- 4. ingest with and without resting orders ----------------------------------------------------

async function ingestPoint(
  ctx: Context,
  writer: TickWriter,
  rate: number,
  resting: { orders: number; coins: number },
): Promise<IngestPoint> {
  const startAt = Date.now() + 300;
  const sampler = new UsageSampler(ctx.system.processes());
  setTimeout(() => sampler.start(), startAt + LOAD.warmupMs - Date.now());
  const r = await runIngestLoad({
    url: `${ctx.system.url}/internal/ingest`,
    token: ctx.system.token,
    writer,
    rate,
    startAt,
    warmupMs: LOAD.warmupMs,
    measureMs: LOAD.measureMs,
    maxInFlight: LOAD.maxInFlight,
    graceMs: 10_000,
  });
  const point: IngestPoint = {
    restingOrders: resting.orders,
    restingCoins: resting.coins,
    rate,
    ackedPerSecond: r.windowAckedTicks / (LOAD.measureMs / 1000),
    ack: r.ack,
    failed: r.failedBatches,
    unsent: r.unsentBatches,
    firstError: r.firstError,
    ...cpuOf(sampler),
  };
  log(
    `ingest ${rate}/s with ${resting.orders} resting orders: ${point.ackedPerSecond.toFixed(0)}/s acknowledged, ack p50/p99 ${r.ack?.p50.toFixed(0)}/${r.ack?.p99.toFixed(0)} ms, ${point.failed} failed, ${point.unsent} unsent${r.firstError ? ` (${r.firstError})` : ""}`,
  );
  if (r.failedBatches > 0) {
    ctx.notes.push(
      `ingest at ${rate}/s, ${resting.orders} resting orders: ${r.failedBatches} batches failed (${r.firstError})`,
    );
  }
  if (!(await ingestIdle(ctx, 20_000)))
    ctx.notes.push(`ingest at ${rate}/s: the ingest path was still busy 20 s later`);
  return point;
}

/** Resting BUY limits at about half the market on the first `RESTING.coins` load coins. */
function restingJobs(coins: string[], traders: Trader[]): Job[] {
  const perCoin: { price: number; quantity: string }[][] = coins.slice(0, RESTING.coins).map((base, c) => {
    // The fixture's initial Upbit price (bench/market-fixture.ts); the load moves it by well under 1%.
    const krw = (0.5 + ((c * 7919) % 1000)) * USD_KRW * 1.02;
    return Array.from({ length: RESTING.levelsPerCoin }, (_, k) => {
      const price = upbitPriceAtOrBelow(base, krw * 0.5 * (1 - 0.002 * k));
      return { price, quantity: quantityFor(price) };
    });
  });
  // Each user trades its own block of coins (a ledger reads the quotes of every coin it has orders on).
  const coinsPerUser = Math.ceil(RESTING.coins / traders.length);
  return Array.from({ length: RESTING.orders }, (_, j) => {
    const c = j % RESTING.coins;
    const level = perCoin[c][Math.floor(j / RESTING.coins) % RESTING.levelsPerCoin];
    return { trader: traders[Math.floor(c / coinsPerUser)], base: coins[c], ...level, key: randomUUID() };
  });
}

// --- the run ----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  let snapshot: SourceSnapshot | undefined;
  let system: SystemUnderTest | undefined;
  let keeper: PriceKeeper | undefined;
  try {
    log(`snapshotting and bundling the committed tree${quick ? " (BENCH_QUICK)" : ""}`);
    snapshot = snapshotSource();
    const source = snapshot;
    cleanups.add(() => source.dispose());
    // Sign-in needs the secrets wrangler dev reads from .dev.vars (untracked: the committed example).
    writeFileSync(join(source.dir, ".dev.vars"), readFileSync(join(source.dir, ".dev.vars.example")));
    const machine = machineInfo(snapshot.commit);
    const startNote = await waitForIdleMachine(log);
    log(startNote);
    const t = Date.now();
    system = await startOurs(source);
    const running = system;
    cleanups.add(() => running.stop());
    log(`Worker started in ${((Date.now() - t) / 1000).toFixed(1)} s at ${system.url}`);

    const api = new TradingApi(system.url, system.token);
    keeper = new PriceKeeper(api);
    const k = keeper;
    cleanups.add(() => k.stop());
    const ctx: Context = { system, api, keeper, d1: findLocalD1(), notes: [startNote] };
    if (!ctx.d1) ctx.notes.push("the local D1 file was not found: D1 figures were not observed");

    // Market data: 200 coins for the ingest load, then the coins traded on their own.
    const loadCoins = coinSymbols(LOAD.coins);
    const writer = new TickWriter(loadCoins);
    const setupRes = await api.postBatch(setupBatch(writer, Date.now() - 1000));
    if (setupRes.status !== 200) throw new Error(`the setup batch was answered ${setupRes.status}: ${setupRes.text}`);
    await keeper.hold(PLACEMENT.coin, MARKET_PRICE);
    await keeper.hold(TICK_TO_FILL.coin, MARKET_PRICE);
    keeper.release(TICK_TO_FILL.coin); // it gets its own ticks every sample
    keeper.start();
    await ingestIdle(ctx, 20_000);

    api.phase = "ingest without orders";
    // 4a. Ingest before any order exists, after a short unrecorded run of the load (the first ticks
    // of each coin create its objects).
    await runIngestLoad({
      url: `${system.url}/internal/ingest`,
      token: system.token,
      writer,
      rate: LOAD.rates[0],
      startAt: Date.now() + 100,
      warmupMs: 0,
      measureMs: quick ? 2000 : 3000,
      maxInFlight: LOAD.maxInFlight,
      graceMs: 10_000,
    });
    await ingestIdle(ctx, 20_000);
    const ingest: IngestPoint[] = [];
    for (const rate of LOAD.rates) ingest.push(await ingestPoint(ctx, writer, rate, { orders: 0, coins: 0 }));

    // 1. Placement by one user.
    api.phase = "placement";
    const placement: PlacementRow[] = [];
    for (const inFlight of PLACEMENT.inFlight) placement.push(await placementPoint(ctx, inFlight));
    keeper.release(PLACEMENT.coin);
    // 3. Tick-to-fill.
    api.phase = "tick-to-fill";
    const fill = await tickToFill(ctx);
    api.phase = "after tick-to-fill, settling";
    await settle(ctx, api.placedOrders);

    // 2. The sweep.
    api.phase = "sweep setup";
    const swept = await sweep(ctx);
    api.phase = "after the sweep, settling";
    await settle(ctx, api.placedOrders);

    // 4b. Ingest with resting orders on the load's coins.
    api.phase = "resting setup";
    // Fresh prices for every load coin before placing (a limit needs the market to exist; fresh is tidier).
    const now = Date.now();
    await api.postBatch(
      batchBody(
        loadCoins.flatMap((_, c) => [0, 1, 2, 3].map((v) => writer.tick(c, v, now))),
        now,
      ),
    );
    const restingTraders = await api.newTraders("resting", RESTING.users, LIMITS);
    log(`resting: placing ${RESTING.orders} limits on ${RESTING.coins} load coins over ${restingTraders.length} users`);
    const restingSetup = await setUp(
      ctx,
      restingJobs(loadCoins, restingTraders),
      restingTraders.length,
      "resting setup",
    );
    api.phase = "ingest with resting orders";
    for (const rate of LOAD.rates) {
      ingest.push(await ingestPoint(ctx, writer, rate, { orders: restingSetup.placed, coins: RESTING.coins }));
    }
    let restingStillOpen: number | null = 0;
    for (const trader of restingTraders) {
      const open = await api.openOrders(trader).catch(() => null);
      restingStillOpen = open === null || restingStillOpen === null ? null : restingStillOpen + open;
    }

    ctx.notes.push(...workerErrorNotes(workerErrors));
    if (api.proxyFailures > 0) {
      ctx.notes.push(
        `${api.proxyFailures} requests were answered 503 "Your worker restarted mid-request" by wrangler dev's proxy workerd (its own request to the Worker's workerd failed; wrangler logged no reload, and a deployed Worker has no such proxy): ${[
          ...api.proxyFailuresBy,
        ]
          .map(([where, count]) => `${where}: ${count}`)
          .join(
            "; ",
          )}. Placement counts them as refused or failed; the setups send the order again with the same Idempotency-Key; ingest batches (the price keeper's, the crossing ticks) are sent again at once with the same batch id, so a crossing tick's time includes the retry; registrations are made again with another email.`,
      );
    }
    if (keeper.failures > 0) {
      ctx.notes.push(`${keeper.failures} of the price keeper's posts failed (the first: ${keeper.firstFailure})`);
    }
    for (const r of placement) {
      if ((r.cpuPressurePercent ?? 0) >= 30) {
        ctx.notes.push(
          `placement with ${r.inFlight} in flight: runnable tasks waited for a CPU ${r.cpuPressurePercent?.toFixed(0)}% of the time: bounded by this 2-core machine as much as by the system.`,
        );
      }
    }
    const resources: ResourceRow[] = [
      ...placement.map((r) => ({ window: `placement, ${r.inFlight} in flight`, usage: r.usage })),
      { window: "sweep", usage: swept.usage },
      ...ingest.map((r) => ({
        window: `ingest ${r.rate}/s, ${r.restingOrders === 0 ? "no orders" : `${r.restingOrders} resting orders`}`,
        usage: r.usage,
      })),
    ];
    const report: TradingReport = {
      machine,
      settings: [
        `one Worker for every phase; fan-out interval as wrangler.toml sets it; prices re-posted every 5 s`,
        `placement: ${PLACEMENT.warmupMs / 1000} s warm-up, ${PLACEMENT.measureMs / 1000} s measured per concurrency; tick-to-fill: ${TICK_TO_FILL.samples} samples; sweep: ${SWEEP.orders.toLocaleString("en-US")} orders over ${SWEEP.users} users; resting: ${RESTING.orders.toLocaleString("en-US")} orders over ${RESTING.users} users on ${RESTING.coins} of ${LOAD.coins} load coins`,
        `ingest points: ${LOAD.warmupMs / 1000} s warm-up, ${LOAD.measureMs / 1000} s measured, at most ${LOAD.maxInFlight} batches outstanding`,
        `whole run: ${((Date.now() - started) / 60000).toFixed(1)} min${quick ? " (BENCH_QUICK: fewer orders, short windows)" : ""}`,
      ],
      placement,
      tickToFill: fill,
      sweep: swept,
      ingest,
      restingSetup,
      restingStillOpen,
      resources,
      notes: ctx.notes,
    };
    console.log(`\n${consoleTable(report)}\n`);
    writeFileSync(reportPath, tradingMarkdown(report));
    log(`wrote ${reportPath.pathname}`);
  } finally {
    keeper?.stop();
    await system?.stop();
    snapshot?.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
