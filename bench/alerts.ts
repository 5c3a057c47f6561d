/**
 * `npm run bench:alerts`: server-side alerts under market-data load. In one run, on one Worker: ingest
 * and fan-out figures with no alert, with one alert per coin, and with 100,000 alerts over 300 coins
 * (most written straight into the local D1 while the Worker is stopped, a sample through the API,
 * whose rate is measured), side by side; then tick-to-inbox latency of a firing price alert, idle and
 * under load. Prints a table and writes bench/ALERTS.md. Figures, not tests; see ALERTS.md for the method.
 *
 * Environment: BENCH_QUICK=1 for a short smoke run (10,000 alerts, short windows, fewer samples);
 * BENCH_QUIET_WAIT_S to bound the wait for an idle machine. `npm run bench` runs it last (BENCH_ALERTS=0 skips it).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { WebSocket } from "ws";
import { alertBody, seedAlerts } from "./alerts-fixture";
import {
  type AlertsReport,
  alertsMarkdown,
  type Condition,
  type CreationRow,
  consoleTable,
  type IngestFigures,
  type SeedFigures,
  type TickToInboxResult,
} from "./alerts-report";
import { type PointResult, type PointTiming, runFanoutPoint } from "./fanout-point";
import { runIngestLoad, runSampledIngestLoad } from "./ingest-load";
import { stopOnInterrupt } from "./interrupts";
import { machineInfo, waitForIdleMachine } from "./machine";
import { batchBody, coinSymbols, setupBatch, TickWriter, VENUES } from "./market-fixture";
import { LatencyRecorder } from "./stats";
import { SubscriberPool } from "./subscriber-pool";
import {
  ingestIdle,
  outboxDrained,
  type SourceSnapshot,
  type SystemUnderTest,
  snapshotSource,
  startOurs,
} from "./systems";
import {
  d1Count,
  findLocalD1,
  findLocalObject,
  findPersistDir,
  sqliteRows,
  type Trader,
  TradingApi,
  upbitTicker,
} from "./trading-client";
import { captureWorkerErrors, workerErrorNotes } from "./worker-errors";

const quick = process.env.BENCH_QUICK === "1";

const COINS = 300;
const USERS = 10;
const ALERTS = quick ? 10_000 : 100_000;
const PER_USER = ALERTS / USERS;
/** Created through the API after the seed, on top of the one alert per coin before it. */
const API_SAMPLE = quick ? 100 : 600;
const CREATE_IN_FLIGHT = 8;
/** Seed instead of creating every alert through the API when that would take longer than this. */
const API_BUDGET_S = quick ? 30 : 300;
const INGEST_RATES = quick ? [5000] : [1000, 5000];
const FANOUT_RATES = [2000];
const SUBSCRIBERS = quick ? 200 : 500;
const SAMPLE_EVERY = 25;
const THREADS = 2;
const MAX_IN_FLIGHT = 8;
const TIMING: PointTiming = quick
  ? { warmupMs: 1000, measureMs: 4000, drainMs: 2000, quietTimeoutMs: 5000 }
  : { warmupMs: 2000, measureMs: 10_000, drainMs: 3000, quietTimeoutMs: 15_000 };
const WARMUP = { rate: 1000, ms: quick ? 2000 : 3000 };
const INBOX = {
  idleSamples: quick ? 10 : 60,
  /** Under load: samples for this long while the load runs. */
  loadedMs: quick ? 12_000 : 60_000,
  loadRate: 1000,
  /** After the reset tick is seen applied, before the crossing tick. */
  resetGapMs: 100,
  pollMs: 20,
  timeoutMs: 15_000,
};

const reportPath = new URL("./ALERTS.md", import.meta.url);

/** Stops whatever is running when the run is interrupted (the Worker runs in its own process group). */
const cleanups = stopOnInterrupt(log);
/** What the Worker logged as errors, by message. */
const workerErrors = captureWorkerErrors();

function log(line: string): void {
  console.log(`[bench:alerts ${new Date().toISOString().slice(11, 19)}] ${line}`);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** What the run shares between phases. */
interface Context {
  source: SourceSnapshot;
  system: SystemUnderTest;
  api: TradingApi;
  coins: string[];
  writer: TickWriter;
  users: Trader[];
  notes: string[];
}

// --- ingest and fan-out under one condition --------------------------------------------------------

async function ingestPoint(ctx: Context, rate: number): Promise<IngestFigures> {
  const { load, usage } = await runSampledIngestLoad(
    {
      url: `${ctx.system.url}/internal/ingest`,
      token: ctx.system.token,
      writer: ctx.writer,
      rate,
      startAt: Date.now() + 300,
      warmupMs: TIMING.warmupMs,
      measureMs: TIMING.measureMs,
      maxInFlight: MAX_IN_FLIGHT,
      graceMs: 10_000,
    },
    ctx.system.processes(),
  );
  return {
    rate,
    ackedPerSecond: load.windowAckedTicks / (TIMING.measureMs / 1000),
    ack: load.ack,
    failed: load.failedBatches,
    unsent: load.unsentBatches,
    firstError: load.firstError,
    usage: usage.processes,
    machineBusyPercent: usage.machineBusyPercent,
    cpuPressurePercent: usage.cpuPressurePercent,
  };
}

/** The same ingest and fan-out points as every other condition; `alerts` says how many exist now. */
async function measure(ctx: Context, label: string, alerts: number): Promise<Condition> {
  // The first ticks after a start or a change create objects and read alerts: not measured.
  await runIngestLoad({
    url: `${ctx.system.url}/internal/ingest`,
    token: ctx.system.token,
    writer: ctx.writer,
    rate: WARMUP.rate,
    startAt: Date.now() + 100,
    warmupMs: 0,
    measureMs: WARMUP.ms,
    maxInFlight: MAX_IN_FLIGHT,
    graceMs: 10_000,
  });
  await settled(ctx, `${label}, after the warm-up`);
  const ingest: IngestFigures[] = [];
  for (const rate of INGEST_RATES) {
    const r = await ingestPoint(ctx, rate);
    ingest.push(r);
    log(
      `${label}: ingest alone ${rate}/s: ${r.ackedPerSecond.toFixed(0)}/s acknowledged, ack p50/p99 ${r.ack?.p50.toFixed(0)}/${r.ack?.p99.toFixed(0)} ms, ${r.failed} failed, ${r.unsent} unsent`,
    );
    if (r.failed > 0) ctx.notes.push(`${label}, ingest ${rate}/s: ${r.failed} batches failed (${r.firstError})`);
    await settled(ctx, `${label}, ingest ${rate}/s`);
  }
  const pool = new SubscriberPool({
    port: ctx.system.port,
    mode: ctx.system.mode,
    coins: ctx.coins,
    paths: Array.from({ length: SUBSCRIBERS }, () => "/ws/market"),
    sampleEvery: SAMPLE_EVERY,
    threads: THREADS,
  });
  const fanout: PointResult[] = [];
  try {
    const t = Date.now();
    await pool.connect();
    if (!(await pool.settle(SUBSCRIBERS))) ctx.notes.push(`${label}: the subscribers' snapshots did not settle`);
    log(`${label}: ${SUBSCRIBERS} subscribers connected and settled in ${((Date.now() - t) / 1000).toFixed(1)} s`);
    for (const rate of FANOUT_RATES) {
      const p = await runFanoutPoint({
        system: ctx.system,
        pool,
        writer: ctx.writer,
        rate,
        caseName: label,
        timing: TIMING,
        maxInFlight: MAX_IN_FLIGHT,
      });
      fanout.push(p);
      log(
        `${label}: fan-out ${rate}/s: ingested ${p.ingestedPerSecond.toFixed(0)}/s, update p50/p99 ${p.update?.p50.toFixed(0) ?? "-"}/${p.update?.p99.toFixed(0) ?? "-"} ms, end-to-end p99 ${p.endToEnd?.p99.toFixed(0) ?? "-"} ms, ${p.deliveredUpdatesPerSecond.toFixed(0)} updates/s, client ELU ${p.subscriberLoopUtilization.toFixed(2)}, CPU wait ${p.cpuPressurePercent?.toFixed(0) ?? "-"}% -> ${p.verdict}`,
      );
      if (!p.quiet) ctx.notes.push(`${label}, fan-out ${rate}/s: traffic was still draining after the point`);
      if (p.subscriberLoopUtilization > 0.8) {
        ctx.notes.push(
          `${label}, fan-out ${rate}/s: the subscriber threads were busy (ELU ${p.subscriberLoopUtilization.toFixed(2)}); latency there is partly the client's.`,
        );
      }
      await settled(ctx, `${label}, fan-out ${rate}/s`);
    }
  } finally {
    await pool.dispose();
  }
  for (const w of [...ingest, ...fanout]) {
    if ((w.cpuPressurePercent ?? 0) >= 30) {
      ctx.notes.push(
        `${label}, ${"case" in w ? "fan-out" : "ingest"} ${w.rate}/s: runnable tasks waited for a CPU ${w.cpuPressurePercent?.toFixed(0)}% of the time: bounded by this 2-core machine as much as by the system.`,
      );
    }
  }
  return { label, alerts, ingest, fanout };
}

/** Waits for the ingest path to be idle and the board to have delivered every coin; notes when not. */
async function settled(ctx: Context, where: string): Promise<void> {
  if (!(await ingestIdle(ctx.system, 20_000))) ctx.notes.push(`${where}: the ingest path was still busy 20 s later`);
  if (!(await outboxDrained(ctx.system, 20_000))) {
    ctx.notes.push(`${where}: the board had not delivered every coin to its MarketSymbol 20 s later`);
  }
}

// --- creating alerts ---------------------------------------------------------------------------------

/** Creates alerts `from` to `to` (exclusive) through `POST /api/alerts`, `CREATE_IN_FLIGHT` at a time. */
async function createThroughApi(
  ctx: Context,
  from: number,
  to: number,
  label: string,
  alertsBefore: number,
): Promise<CreationRow> {
  let next = from;
  let created = 0;
  let failed = 0;
  let firstError: string | null = null;
  const latency = new LatencyRecorder();
  const start = performance.now();
  let lastLog = start;
  await Promise.all(
    Array.from({ length: CREATE_IN_FLIGHT }, async () => {
      while (next < to) {
        const i = next++;
        // Not retried: a request the dev proxy failed may have created the alert.
        const res = await ctx.api
          .request("POST", "/api/alerts", { token: ctx.users[i % USERS].token, json: alertBody(i, ctx.writer) })
          .catch((error: unknown) => ({ status: 0, text: String(error), ms: 0 }));
        if (res.status === 201) {
          created++;
          latency.add(res.ms);
        } else {
          failed++;
          firstError ??= `HTTP ${res.status}: ${res.text.slice(0, 200)}`;
        }
        const now = performance.now();
        if (now - lastLog > 10_000) {
          lastLog = now;
          log(`${label}: ${created} created, ${(created / ((now - start) / 1000)).toFixed(1)}/s`);
        }
      }
    }),
  );
  const seconds = (performance.now() - start) / 1000;
  const row: CreationRow = {
    label,
    alertsBefore,
    requested: to - from,
    created,
    failed,
    firstError,
    inFlight: CREATE_IN_FLIGHT,
    seconds,
    perSecond: created / seconds,
    latency: latency.summary(),
  };
  log(
    `${label}: ${created} of ${to - from} created in ${seconds.toFixed(1)} s (${row.perSecond.toFixed(1)}/s, p50/p99 ${row.latency?.p50.toFixed(0)}/${row.latency?.p99.toFixed(0)} ms), ${failed} failed${firstError ? ` (${firstError})` : ""}`,
  );
  if (failed > 0) ctx.notes.push(`${label}: ${failed} of ${to - from} creations failed (${firstError})`);
  return row;
}

/**
 * Stops the Worker, writes alerts `from` to `to` into its local D1, starts it again on the same state,
 * then touches every coin and waits until the board has delivered that to each (a MarketSymbol reads
 * its alerts on its first update after a start).
 */
async function seedWhileStopped(ctx: Context, from: number, to: number): Promise<SeedFigures> {
  const { system } = ctx;
  const persistDir = findPersistDir();
  if (!persistDir || !system.stopKeepingState || !system.restart) {
    throw new Error("the Worker's state directory was not found, or it cannot be restarted");
  }
  await settled(ctx, "before the seed");
  const t = Date.now();
  await system.stopKeepingState();
  log(`seeding ${to - from} alerts into the local D1 (${persistDir})`);
  const seeded = seedAlerts({
    sourceDir: ctx.source.dir,
    persistDir,
    writer: ctx.writer,
    userIds: ctx.users.map((u) => u.userId),
    from,
    to,
  });
  log(`seeded ${seeded.rows} alerts in ${seeded.statements} statements in ${seeded.seconds.toFixed(1)} s; restarting`);
  await system.restart();
  const gapSeconds = (Date.now() - t) / 1000;
  const now = Date.now();
  const touch = batchBody(
    ctx.coins.flatMap((_, c) => VENUES.map((_v, v) => ctx.writer.tick(c, v, now))),
    now,
  );
  const t1 = Date.now();
  const res = await ctx.api.postBatch(touch);
  if (res.status !== 200) throw new Error(`the batch after the restart was answered ${res.status}: ${res.text}`);
  const drained = await outboxDrained(system, 60_000);
  const loadedSeconds = drained ? (Date.now() - t1) / 1000 : null;
  if (!drained) ctx.notes.push("after the restart, the board had not delivered every coin within 60 s");
  const board = findLocalObject("MarketBoard");
  // Each coin's MarketSymbol reports its alert bands to the board after reading its alerts.
  await new Promise((r) => setTimeout(r, 2_000));
  const watchedCoins = board ? await d1Count(board, "SELECT COUNT(*) FROM alert_bands").catch(() => null) : null;
  log(
    `restarted in ${gapSeconds.toFixed(1)} s in all; every coin delivered ${loadedSeconds?.toFixed(1) ?? "–"} s after a batch touched them; ${watchedCoins ?? "?"} coins with alert bands at the board`,
  );
  return { ...seeded, gapSeconds, loadedSeconds, watchedCoins };
}

// --- tick-to-inbox -----------------------------------------------------------------------------------

interface InboxItem {
  id: string;
  timestamp: number;
  data: { alert_id?: string; observed_at?: number };
}

/** The firing alert: one user's Upbit price alert on the last coin, toggled across its threshold. */
interface Firing {
  user: Trader;
  stream: CoinStream;
  alertId: string;
  coin: string;
  low: number;
  high: number;
  threshold: number;
}

/**
 * The firing coin's own stream (`/ws/prices/{symbol}`, served by its MarketSymbol): tells when the
 * MarketSymbol has applied a tick (its Upbit price timestamp reached it), so a reset tick is known to
 * have re-armed the alert before the crossing tick is sent (two ticks delivered together would be
 * merged, and the alert would never see the price go back).
 */
class CoinStream {
  private readonly ws: WebSocket;
  private newest = 0;
  private readonly waiters: { ts: number; resolve: (ok: boolean) => void }[] = [];
  private readonly pinger: ReturnType<typeof setInterval>;
  readonly ready: Promise<void>;

  constructor(url: string, symbol: string) {
    this.ws = new WebSocket(url);
    this.ready = new Promise((resolve, reject) => {
      this.ws.once("open", () => resolve());
      this.ws.once("error", reject);
    });
    this.ws.on("error", () => {});
    this.ws.on("message", (data) => {
      const text = data.toString();
      if (!text.startsWith("{")) return; // "pong"
      const message = JSON.parse(text) as {
        data?: { coins?: { symbol: string; prices?: { upbit?: { timestamp?: number } } }[] };
      };
      for (const coin of message.data?.coins ?? []) {
        const ts = coin.symbol === symbol ? coin.prices?.upbit?.timestamp : undefined;
        if (ts !== undefined && ts > this.newest) this.newest = ts;
      }
      for (let i = this.waiters.length - 1; i >= 0; i--) {
        if (this.waiters[i].ts <= this.newest) this.waiters.splice(i, 1)[0].resolve(true);
      }
    });
    // A silent client is closed after WS_IDLE_TIMEOUT_MS; the runtime answers "ping".
    this.pinger = setInterval(() => {
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send("ping");
    }, 20_000);
  }

  /** Resolves true once the coin's Upbit price of `ts` (or newer) has been streamed; false after `timeoutMs`. */
  reached(ts: number, timeoutMs: number): Promise<boolean> {
    if (this.newest >= ts) return Promise.resolve(true);
    return new Promise((resolve) => {
      const waiter = { ts, resolve };
      this.waiters.push(waiter);
      setTimeout(() => {
        const i = this.waiters.indexOf(waiter);
        if (i >= 0) this.waiters.splice(i, 1)[0].resolve(false);
      }, timeoutMs);
    });
  }

  close(): void {
    clearInterval(this.pinger);
    this.ws.close();
  }
}

let lastTimestamp = 0;
/** A tick timestamp later than every one used before (a MarketSymbol keeps the newest). */
async function nextTimestamp(): Promise<number> {
  while (Date.now() <= lastTimestamp) await sleep(1);
  lastTimestamp = Date.now();
  return lastTimestamp;
}

async function setUpFiring(ctx: Context): Promise<Firing> {
  const c = COINS - 1;
  const coin = ctx.coins[c];
  const price = ctx.writer.price(c, 0);
  const low = Math.round(price);
  const threshold = Math.round(price * 1.002);
  const high = Math.round(price * 1.004);
  const user = await ctx.api.newTrader("firing");
  const stream = new CoinStream(`${ctx.system.url.replace(/^http/, "ws")}/ws/prices/${coin}`, coin);
  cleanups.add(() => stream.close());
  await stream.ready;
  const ts = await nextTimestamp();
  const reset = await ctx.api.ingest([upbitTicker(coin, low, ts)], ts);
  if (reset.status !== 200) throw new Error(`firing setup ingest: ${reset.status} ${reset.text.slice(0, 200)}`);
  if (!(await stream.reached(ts, INBOX.timeoutMs))) throw new Error("the firing coin's stream never showed its price");
  const res = await ctx.api.request("POST", "/api/alerts", {
    token: user.token,
    json: {
      kind: "price",
      symbol: coin,
      venue: "upbit",
      direction: "above",
      threshold,
      hysteresis: 0,
      cooldown_seconds: 0,
    },
  });
  if (res.status !== 201) throw new Error(`the firing alert: ${res.status} ${res.text.slice(0, 300)}`);
  const alertId = (JSON.parse(res.text) as { id: string }).id;
  return { user, stream, alertId, coin, low, high, threshold };
}

/** Polls the user's inbox until the item fired by the tick stamped `t0` shows; null after the timeout. */
async function inboxItemOf(ctx: Context, f: Firing, t0: number): Promise<{ item: InboxItem; seenAt: number } | null> {
  const deadline = Date.now() + INBOX.timeoutMs;
  while (Date.now() < deadline) {
    const res = await ctx.api.request("GET", "/api/notifications?limit=5", { token: f.user.token });
    const seenAt = Date.now();
    if (res.status === 200) {
      const page = JSON.parse(res.text) as { notifications: InboxItem[] };
      const item = page.notifications.find((x) => x.data.alert_id === f.alertId && x.data.observed_at === t0);
      if (item) return { item, seenAt };
    }
    await sleep(INBOX.pollMs);
  }
  return null;
}

/** Samples one after another, `samples` of them or until `until` (epoch ms). */
async function tickToInbox(
  ctx: Context,
  f: Firing,
  label: string,
  limit: { samples?: number; until?: number },
): Promise<Omit<TickToInboxResult, "load">> {
  const total = new LatencyRecorder();
  const fired = new LatencyRecorder();
  const visible = new LatencyRecorder();
  const crossingAck = new LatencyRecorder();
  const resetSeen = new LatencyRecorder();
  const firedAt = new Map<string, number>();
  let samples = 0;
  let missed = 0;
  let errors = 0;
  let firstError: string | null = null;
  while (
    (limit.samples === undefined || samples < limit.samples) &&
    (limit.until === undefined || Date.now() < limit.until)
  ) {
    samples++;
    try {
      // Back below the threshold: the alert re-arms (hysteresis 0, cooldown 0) once its MarketSymbol sees it.
      const ts = await nextTimestamp();
      const reset = await ctx.api.ingest([upbitTicker(f.coin, f.low, ts)], ts);
      if (reset.status !== 200) throw new Error(`reset ingest: ${reset.status} ${reset.text.slice(0, 200)}`);
      const resetAt = Date.now();
      if (!(await f.stream.reached(ts, INBOX.timeoutMs))) throw new Error("the reset tick never reached the coin");
      resetSeen.add(Date.now() - resetAt);
      await sleep(INBOX.resetGapMs);
      const t0 = await nextTimestamp();
      const ack = await ctx.api.ingest([upbitTicker(f.coin, f.high, t0)], t0);
      if (ack.status !== 200) throw new Error(`crossing ingest: ${ack.status} ${ack.text.slice(0, 200)}`);
      crossingAck.add(ack.ms);
      const seen = await inboxItemOf(ctx, f, t0);
      if (!seen) {
        missed++;
        continue;
      }
      total.add(seen.seenAt - t0);
      fired.add(seen.item.timestamp - t0);
      visible.add(seen.seenAt - seen.item.timestamp);
      firedAt.set(seen.item.id, seen.item.timestamp);
    } catch (error) {
      errors++;
      firstError ??= String(error);
      if (errors > 10) throw error;
    }
    if (samples % 20 === 0)
      log(`tick-to-inbox, ${label}: ${samples} samples, p50 ${total.summary()?.p50.toFixed(0)} ms`);
  }
  // The consumer's side, from the D1 delivery log: when its batch started and when it recorded the delivery.
  const pickup = new LatencyRecorder();
  const delivery = new LatencyRecorder();
  const d1 = findLocalD1();
  if (d1 && firedAt.size > 0) {
    const ids = [...firedAt.keys()].map((id) => `'${id.replaceAll("'", "''")}'`).join(",");
    const rows = await sqliteRows<{ event_id: string; created_at: number; updated_at: number }>(
      d1,
      `SELECT event_id, created_at, updated_at FROM notification_deliveries WHERE channel = 'in_app' AND event_id IN (${ids})`,
    ).catch((error: unknown) => {
      ctx.notes.push(`tick-to-inbox, ${label}: the delivery log was not read (${String(error)})`);
      return [];
    });
    for (const r of rows) {
      pickup.add(r.created_at - (firedAt.get(r.event_id) ?? r.created_at));
      delivery.add(r.updated_at - r.created_at);
    }
  }
  const result = {
    label,
    samples,
    missed,
    errors,
    firstError,
    total: total.summary(),
    fired: fired.summary(),
    visible: visible.summary(),
    pickup: pickup.summary(),
    delivery: delivery.summary(),
    crossingAck: crossingAck.summary(),
    resetSeen: resetSeen.summary(),
  };
  log(
    `tick-to-inbox, ${label}: ${samples} samples, p50/p99 ${result.total?.p50.toFixed(0)}/${result.total?.p99.toFixed(0)} ms (tick→fired ${result.fired?.p50.toFixed(0)}/${result.fired?.p99.toFixed(0)}, fired→consumer ${result.pickup?.p50.toFixed(0)}/${result.pickup?.p99.toFixed(0)}), ${missed} missed, ${errors} errors${firstError ? ` (${firstError})` : ""}`,
  );
  if (errors > 0) ctx.notes.push(`tick-to-inbox, ${label}: ${errors} samples failed (${firstError})`);
  return result;
}

/** The same samples while the load ticks every coin but the firing one. */
async function tickToInboxUnderLoad(ctx: Context, f: Firing): Promise<TickToInboxResult> {
  const writer = new TickWriter(ctx.coins.filter((c) => c !== f.coin));
  const startAt = Date.now() + 300;
  const load = runIngestLoad({
    url: `${ctx.system.url}/internal/ingest`,
    token: ctx.system.token,
    writer,
    rate: INBOX.loadRate,
    startAt,
    warmupMs: 0,
    measureMs: INBOX.loadedMs,
    maxInFlight: MAX_IN_FLIGHT,
    graceMs: 10_000,
  });
  await sleep(1000);
  const label = `while ingesting ${INBOX.loadRate.toLocaleString("en-US")} ticks/s on the other coins`;
  const samples = await tickToInbox(ctx, f, label, { until: startAt + INBOX.loadedMs - 2000 });
  const r = await load;
  return {
    ...samples,
    load: {
      rate: INBOX.loadRate,
      ackedPerSecond: r.windowAckedTicks / (INBOX.loadedMs / 1000),
      ack: r.ack,
      failed: r.failedBatches,
    },
  };
}

// --- the run -----------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  let snapshot: SourceSnapshot | undefined;
  let system: SystemUnderTest | undefined;
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
    system = await startOurs(source, {
      vars: { ALERTS_MAX_PER_USER: String(PER_USER), ACCESS_TOKEN_TTL_SECONDS: "7200" },
    });
    const running = system;
    cleanups.add(() => running.stop());
    log(`Worker started in ${((Date.now() - t) / 1000).toFixed(1)} s at ${system.url}`);

    const api = new TradingApi(system.url, system.token);
    const coins = coinSymbols(COINS);
    const writer = new TickWriter(coins);
    const setup = await api.postBatch(setupBatch(writer, Date.now() - 1000));
    if (setup.status !== 200) throw new Error(`the setup batch was answered ${setup.status}: ${setup.text}`);
    const users = await api.newTraders("alerts", USERS);
    log(`${USERS} users registered and signed in`);
    const ctx: Context = { source, system, api, coins, writer, users, notes: [startNote] };
    await settled(ctx, "after the setup");

    const conditions: Condition[] = [];
    conditions.push(await measure(ctx, "no alerts", 0));

    // One price alert per coin through the API: every coin has alert bands, few alerts.
    const creation: CreationRow[] = [];
    creation.push(await createThroughApi(ctx, 0, COINS, "one per coin, on an empty table", 0));
    let made = creation[0].created;
    conditions.push(await measure(ctx, `${made} alerts (one per coin)`, made));

    const howMade: string[] = [];
    let seed: SeedFigures | null = null;
    const apiSeconds = ALERTS / Math.max(creation[0].perSecond, 0.001);
    if (apiSeconds <= API_BUDGET_S) {
      howMade.push(
        `all ${ALERTS.toLocaleString("en-US")} through the API (at ${creation[0].perSecond.toFixed(1)} alerts/s it takes ${(apiSeconds / 60).toFixed(1)} min)`,
      );
      creation.push(await createThroughApi(ctx, COINS, ALERTS, "the rest", made));
      made += creation[1].created;
    } else {
      seed = await seedWhileStopped(ctx, COINS, ALERTS - API_SAMPLE);
      made += seed.rows;
      creation.push(
        await createThroughApi(ctx, ALERTS - API_SAMPLE, ALERTS, `the last ${API_SAMPLE}, after the seed`, made),
      );
      made += creation[1].created;
      howMade.push(
        `${creation[0].created.toLocaleString("en-US")} (one price alert per coin) through \`POST /api/alerts\` at ${creation[0].perSecond.toFixed(1)} alerts/s with ${CREATE_IN_FLIGHT} in flight: all ${ALERTS.toLocaleString("en-US")} would take about ${(apiSeconds / 60).toFixed(0)} min, over the ${API_BUDGET_S / 60} min budget`,
        `so ${seed.rows.toLocaleString("en-US")} were written straight into the local D1 (\`wrangler d1 execute kimchi-edge --local --persist-to <the Worker's state> --file\`, ${seed.statements} INSERT statements of up to 500 rows, ${seed.seconds.toFixed(1)} s) while the Worker was stopped; stopping, seeding and starting it again took ${seed.gapSeconds.toFixed(1)} s`,
        `after the restart one batch touched every coin; the board had delivered it to every coin's MarketSymbol (each reads its alerts from D1 on its first update after a start) ${seed.loadedSeconds === null ? "not within 60 s" : `${seed.loadedSeconds.toFixed(1)} s later`}, and ${seed.watchedCoins ?? "an unknown number of"} of ${COINS} coins then had their alert bands at the board (\`alert_bands\`: a tick reaching one is delivered within the fan-out interval)`,
        `then the last ${creation[1].created.toLocaleString("en-US")} through the API again, with ~${Math.round(creation[1].alertsBefore / COINS)} alerts per coin already there: ${creation[1].perSecond.toFixed(1)} alerts/s`,
      );
    }
    const d1 = findLocalD1();
    const inD1 = d1 ? await d1Count(d1, "SELECT COUNT(*) FROM alerts").catch(() => null) : null;
    const byKind = d1
      ? await sqliteRows<{ kind: string; count: number }>(
          d1,
          "SELECT kind, COUNT(*) AS count FROM alerts GROUP BY kind ORDER BY count DESC",
        ).catch(() => [])
      : [];
    howMade.push(
      `alerts in D1 afterwards: ${inD1 === null ? "not read" : inD1.toLocaleString("en-US")} (${USERS} users, at most ${PER_USER.toLocaleString("en-US")} each by \`ALERTS_MAX_PER_USER\`); on ${COINS} coins, about ${Math.round(made / COINS)} each`,
    );
    conditions.push(await measure(ctx, `${made.toLocaleString("en-US")} alerts`, made));

    // None may have fired under the load (the thresholds are far away).
    await sleep(2500); // a fired event waits up to 1 s for the queue consumer
    const notified = d1 ? await d1Count(d1, "SELECT COUNT(*) FROM notifications").catch(() => null) : null;
    const triggered = d1
      ? await d1Count(d1, "SELECT COUNT(*) FROM alerts WHERE last_triggered_at IS NOT NULL").catch(() => null)
      : null;
    const firedDuringLoad =
      notified === null
        ? "not observed (the local D1 file was not found)"
        : `${notified} inbox items in D1 and ${triggered} alerts with a \`last_triggered_at\` after every load point`;
    if ((notified ?? 0) > 0) ctx.notes.push(`alerts fired during the load points: ${firedDuringLoad}`);
    log(`fired during the load: ${firedDuringLoad}`);

    // Tick-to-inbox.
    const firing = await setUpFiring(ctx);
    await settled(ctx, "before tick-to-inbox");
    const tickToInboxResults: TickToInboxResult[] = [];
    tickToInboxResults.push({
      ...(await tickToInbox(ctx, firing, "no other load", { samples: INBOX.idleSamples })),
      load: null,
    });
    await settled(ctx, "after tick-to-inbox");
    tickToInboxResults.push(await tickToInboxUnderLoad(ctx, firing));

    ctx.notes.push(...workerErrorNotes(workerErrors));
    const report: AlertsReport = {
      machine,
      settings: [
        `one Worker for the whole run${seed ? " (stopped and started again once, for the seed, before the last condition)" : ""}; ${COINS} coins; fan-out interval as wrangler.toml sets it`,
        `vars: ALERTS_MAX_PER_USER=${PER_USER}, ACCESS_TOKEN_TTL_SECONDS=7200`,
        `ingest points: ${TIMING.warmupMs / 1000} s warm-up, ${TIMING.measureMs / 1000} s measured, at most ${MAX_IN_FLIGHT} batches outstanding; fan-out: ${SUBSCRIBERS} subscribers on \`/ws/market\` (${THREADS} threads, every ${SAMPLE_EVERY}th read in full), ${TIMING.drainMs / 1000} s more to receive late updates`,
        `tick-to-inbox: ${INBOX.idleSamples} samples with no other load, then samples for ${INBOX.loadedMs / 1000} s under load; inbox polled every ${INBOX.pollMs} ms`,
        `whole run: ${((Date.now() - started) / 60000).toFixed(1)} min${quick ? " (BENCH_QUICK: 10,000 alerts, short windows, fewer samples)" : ""}`,
      ],
      conditions,
      subscribers: SUBSCRIBERS,
      coins: COINS,
      creation,
      howMade,
      seed,
      alertsByKind: byKind,
      firedDuringLoad,
      firing: `One more user has one price alert on ${firing.coin} (Upbit, above ${firing.threshold.toLocaleString("en-US")} KRW, hysteresis 0, cooldown 0), beside the ${Math.round(made / COINS)} or so other alerts on that coin; its Upbit price is toggled between ${firing.low.toLocaleString("en-US")} and ${firing.high.toLocaleString("en-US")} KRW.`,
      pollMs: INBOX.pollMs,
      resetGapMs: INBOX.resetGapMs,
      tickToInbox: tickToInboxResults,
      notes: ctx.notes,
    };
    if (api.proxyFailures > 0) {
      report.notes.push(
        `${api.proxyFailures} requests were answered 503 "Your worker restarted mid-request" by wrangler dev's proxy workerd (a deployed Worker has no such proxy)`,
      );
    }
    console.log(`\n${consoleTable(report)}\n`);
    writeFileSync(reportPath, alertsMarkdown(report));
    log(`wrote ${reportPath.pathname}`);
  } finally {
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
