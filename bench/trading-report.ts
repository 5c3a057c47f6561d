/** The paper-trading benchmark's figures as a console table and as bench/TRADING.md. */

import { columns, markdownTable, ms, n, pair } from "./format";
import { reportPreamble } from "./machine";
import type { ProcessUsage } from "./process-usage";
import type { MachineInfo } from "./report";
import { serverCpu } from "./report";
import type { LatencySummary } from "./stats";

/** CPU over a window: the serving processes (both workerd, wrangler), the machine, and PSI's CPU wait. */
export interface CpuFigures {
  usage: ProcessUsage[];
  machineBusyPercent: number;
  cpuPressurePercent: number | null;
}

/** Orders one user placed with N requests in flight (closed loop). */
export interface PlacementRow extends CpuFigures {
  inFlight: number;
  seconds: number;
  acked: number;
  ackedPerSecond: number;
  latency: LatencySummary | null;
  errors: number;
  firstError: string | null;
  /** The user's open orders when the window ended (each placement is checked against all of them). */
  openOrdersAtEnd: number | null;
}

/** Placing many orders over several users (setting up the sweep and the resting orders). */
export interface SetupFigures {
  orders: number;
  users: number;
  inFlight: number;
  placed: number;
  failed: number;
  firstError: string | null;
  seconds: number;
  /** Until the Worker was quiet again afterwards (the projection to D1 and the queue done), s. */
  settleSeconds: number;
  settleNote: string;
}

export interface SweepResult extends CpuFigures {
  coin: string;
  orders: number;
  users: number;
  levels: string;
  crossingPrice: number;
  setup: SetupFigures;
  /** The crossing batch's acknowledgement, ms. */
  crossingAckMs: number;
  /** From just before the crossing POST until the last order's FILLED arrived on its user's stream, ms (null: not within the bound). */
  allFilledMs: number | null;
  /** Orders still open afterwards, by the users' `GET /api/account`. */
  leftOpen: number;
  /** From the same start until the local D1 `orders` table had every order FILLED, ms (null: not observed). */
  d1AllFilledMs: number | null;
  d1Note: string;
}

export interface TickToFillResult {
  coin: string;
  samples: number;
  latency: LatencySummary | null;
  missed: number;
  crossingAck: LatencySummary | null;
  errors: number;
  firstError: string | null;
}

/** One ingest load point (bench/ingest-load.ts) with or without resting orders. */
export interface IngestPoint extends CpuFigures {
  restingOrders: number;
  restingCoins: number;
  rate: number;
  ackedPerSecond: number;
  ack: LatencySummary | null;
  failed: number;
  unsent: number;
  firstError: string | null;
}

/** The processes' CPU and memory during one measured window. */
export interface ResourceRow {
  window: string;
  usage: ProcessUsage[];
}

export interface TradingReport {
  machine: MachineInfo;
  settings: string[];
  placement: PlacementRow[];
  tickToFill: TickToFillResult | null;
  sweep: SweepResult | null;
  ingest: IngestPoint[];
  restingSetup: SetupFigures | null;
  /** Orders still open after the loaded points (all should be: the load never crossed them). */
  restingStillOpen: number | null;
  resources: ResourceRow[];
  notes: string[];
}

const count = (v: number) => v.toLocaleString("en-US");
const pct = (v: number | null) => (v === null ? "–" : v.toFixed(0));

const placementHeaders = [
  "in flight",
  "orders acknowledged/s",
  "latency p50 / p99 / max ms",
  "refused or failed",
  "user's open orders at the end",
  "server CPU %",
  "machine busy %",
  "CPU wait %",
];

function placementRows(rows: PlacementRow[]): string[][] {
  return rows.map((r) => [
    String(r.inFlight),
    n(r.ackedPerSecond),
    r.latency ? `${ms(r.latency.p50)} / ${ms(r.latency.p99)} / ${ms(r.latency.max)}` : "–",
    r.errors === 0 ? "0" : `${r.errors} (${(r.firstError ?? "").slice(0, 80)})`,
    r.openOrdersAtEnd === null ? "–" : count(r.openOrdersAtEnd),
    serverCpu(r).toFixed(0),
    r.machineBusyPercent.toFixed(0),
    pct(r.cpuPressurePercent),
  ]);
}

const ingestHeaders = [
  "resting orders (coins)",
  "target ticks/s",
  "acknowledged ticks/s",
  "batch ack p50 / p99 ms",
  "batches failed / never sent",
  "server CPU %",
  "machine busy %",
  "CPU wait %",
];

function ingestRows(rows: IngestPoint[]): string[][] {
  return [...rows]
    .sort((a, b) => a.rate - b.rate || a.restingOrders - b.restingOrders)
    .map((r) => [
      r.restingOrders === 0 ? "none" : `${count(r.restingOrders)} (${r.restingCoins})`,
      n(r.rate),
      n(r.ackedPerSecond),
      pair(r.ack),
      `${r.failed} / ${r.unsent}`,
      serverCpu(r).toFixed(0),
      r.machineBusyPercent.toFixed(0),
      pct(r.cpuPressurePercent),
    ]);
}

function setupLine(s: SetupFigures, what: string): string {
  return (
    `${what}: ${count(s.placed)} of ${count(s.orders)} placed by ${s.users} users with ${s.inFlight} in flight in ` +
    `${s.seconds.toFixed(1)} s (${n(s.placed / Math.max(s.seconds, 0.001))} orders/s)` +
    `${s.failed > 0 ? `, ${s.failed} refused or failed (${(s.firstError ?? "").slice(0, 120)})` : ""}; ` +
    `then ${s.settleSeconds.toFixed(1)} s until the Worker was quiet (${s.settleNote})`
  );
}

function sweepFigures(s: SweepResult): string[][] {
  const fillsPerSecond = s.allFilledMs ? s.orders / (s.allFilledMs / 1000) : null;
  return [
    ["resting BUY limits on one coin", `${count(s.orders)} on ${s.coin}/KRW (Upbit), ${s.users} users, ${s.levels}`],
    [
      "crossing tick",
      `one ingest batch, Upbit price ${count(s.crossingPrice)} KRW, acknowledged in ${ms(s.crossingAckMs)} ms`,
    ],
    [
      "until every order was FILLED (its `order` message on its user's `/ws/user`)",
      s.allFilledMs === null
        ? `not within the bound (${count(s.leftOpen)} still open afterwards)`
        : `${(s.allFilledMs / 1000).toFixed(2)} s (afterwards \`GET /api/account\`: ${count(s.leftOpen)} open orders left)`,
    ],
    ["fills/s, by the streams", fillsPerSecond === null ? "–" : n(fillsPerSecond)],
    [
      "until the D1 projection had every order FILLED",
      s.d1AllFilledMs === null ? s.d1Note : `${(s.d1AllFilledMs / 1000).toFixed(2)} s (${s.d1Note})`,
    ],
    ["fills/s, by the D1 projection", s.d1AllFilledMs === null ? "–" : n(s.orders / (s.d1AllFilledMs / 1000))],
    [
      "CPU during the sweep",
      `server ${serverCpu(s).toFixed(0)} % of a core, machine ${s.machineBusyPercent.toFixed(0)} % busy, CPU wait ${pct(s.cpuPressurePercent)} %`,
    ],
  ];
}

export function consoleTable(r: TradingReport): string {
  const out: string[] = [];
  out.push("1. orders/s one user can place (GTC LIMIT BUY that rests, closed loop):");
  out.push(
    ...columns([
      ["in flight", "orders/s", "p50/p99/max ms", "errors", "open at end"],
      ...placementRows(r.placement).map((x) => [x[0], x[1], x[2], x[3].slice(0, 30), x[4]]),
    ]).map((l) => `  ${l}`),
  );
  out.push("");
  if (r.sweep) {
    out.push("2. price sweep across resting limits on one coin:");
    for (const [k, v] of sweepFigures(r.sweep)) out.push(`  ${k}: ${v}`);
    out.push(`  ${setupLine(r.sweep.setup, "setup")}`);
    out.push("");
  }
  if (r.tickToFill) {
    const t = r.tickToFill;
    out.push(
      `3. tick-to-fill on /ws/user: ${t.samples} samples, p50 ${ms(t.latency?.p50)} ms, p99 ${ms(t.latency?.p99)} ms, max ${ms(t.latency?.max)} ms, missed ${t.missed}`,
    );
    out.push("");
  }
  out.push("4. ingest with and without resting orders:");
  out.push(
    ...columns([
      ["resting (coins)", "ticks/s", "acked/s", "ack p50/p99 ms", "failed/unsent", "srv CPU%"],
      ...ingestRows(r.ingest).map((x) => [x[0], x[1], x[2], x[3], x[4], x[5]]),
    ]).map((l) => `  ${l}`),
  );
  if (r.restingStillOpen !== null && r.restingSetup) {
    out.push(
      `  resting orders still open after the loaded points: ${count(r.restingStillOpen)} of ${count(r.restingSetup.placed)}`,
    );
  }
  return out.join("\n");
}

export function tradingMarkdown(r: TradingReport): string {
  const m = r.machine;
  const t = r.tickToFill;
  const sections: string[] = [
    ...reportPreamble("paper trading", "bench:trading", m, r.settings),
    "## 1. Orders per second one user can place",
    "",
    "One signed-in user (limits raised: 10,000 open orders, 100,000,000 USD position value, leverage 100), a fresh",
    "user per row, places GTC LIMIT BUY orders priced below the market (they rest with the coin's matcher), closed",
    "loop with N requests in flight. Acknowledged = HTTP 201; latency is the request's round trip.",
    "",
    markdownTable(placementHeaders, placementRows(r.placement)),
    "",
  ];
  if (r.sweep) {
    sections.push(
      "## 2. A price sweep across resting limit orders on one coin",
      "",
      markdownTable(["", ""], sweepFigures(r.sweep)),
      "",
      "Both times are upper bounds on when the last ledger committed its last fill: a ledger streams a change",
      "right after its commit and projects it to D1 after that, but the stream's messages reach the client",
      "through wrangler dev's proxy, and D1 is read every 250 ms.",
      "",
      `${setupLine(r.sweep.setup, "Setting it up")}.`,
      "",
    );
  }
  if (t) {
    sections.push(
      "## 3. Tick-to-fill latency",
      "",
      "From just before the POST of an ingest batch whose Upbit price crosses one resting limit, until the `fill`",
      "message of that order arrives on the user's private stream `/ws/user`.",
      "",
      markdownTable(
        ["samples", "p50 ms", "p95 ms", "p99 ms", "max ms", "no fill within 10 s", "crossing batch ack p50 / p99 ms"],
        [
          [
            String(t.samples),
            ms(t.latency?.p50),
            ms(t.latency?.p95),
            ms(t.latency?.p99),
            ms(t.latency?.max),
            String(t.missed),
            pair(t.crossingAck),
          ],
        ],
      ),
      "",
      ...(t.errors > 0 ? [`${t.errors} iterations failed (${t.firstError ?? ""}).`, ""] : []),
    );
  }
  sections.push(
    "## 4. Ingest with resting orders present, next to without",
    "",
    "The ingest load of `npm run bench` (bench/ingest-load.ts, no subscribers), same Worker: first before any",
    "order exists, then with resting BUY limits on coins the load ticks (priced at about half the market, so no",
    "tick crosses them; each coin with resting orders is delivered its ticks every fan-out interval and matched).",
    "",
    markdownTable(ingestHeaders, ingestRows(r.ingest)),
    "",
  );
  if (r.restingSetup) sections.push(`${setupLine(r.restingSetup, "The resting orders")}.`, "");
  if (r.restingStillOpen !== null && r.restingSetup) {
    sections.push(
      `Still open after the loaded points: ${count(r.restingStillOpen)} of ${count(r.restingSetup.placed)} (the load crossed none).`,
      "",
    );
  }
  sections.push(
    "## Resources per window",
    "",
    markdownTable(
      ["window", "process", "CPU % of one core", "max RSS MB"],
      r.resources.flatMap((w) =>
        w.usage.map((u) => [w.window, u.label, u.cpuPercent.toFixed(0), u.maxRssMb.toFixed(0)]),
      ),
    ),
    "",
    "## Measurement caveats noted by the run",
    "",
    ...r.notes.map((x) => `- ${x}`),
    "",
    METHOD,
  );
  return `${sections.join("\n")}\n`;
}

const METHOD = `## Method

- **System.** The real Worker (gateway, MarketBoard, MarketSymbol, UserLedger, D1, Queues) under
  \`wrangler dev\` (local workerd, SQLite-backed Durable Objects, local D1), started once for every phase by
  test/support/worker-process.ts from a copy of the committed tree (\`git archive\`, bundled once with
  \`wrangler deploy --dry-run\`, served with \`no_bundle\`: bench/systems.ts, as \`npm run bench\` does), with
  the development secrets of \`.dev.vars.example\`. Requests go to the public port, through the proxy workerd
  that \`wrangler dev\` puts in front of the Worker's; both count as server CPU.
- **Prices.** Set by posting ingest batches to \`/internal/ingest\` as the collectors would: USD/KRW, Upbit's
  USDT/KRW and an Upbit ticker per coin with a 24 h volume of 10,000,000 (so each small resting order can
  fill in full at its first crossing tick: a resting order fills at most 0.1 x volume / 86,400,000 x max(ms
  crossing, 1,000) per tick). Every 5 s the rates and the prices of the coins being traded are posted again,
  so none goes stale (tickers 30 s, forex 10 min).
- **Orders.** GTC LIMIT BUY on Upbit's KRW market, priced on Upbit's price unit below the last price, each
  worth just over the 5,000 KRW minimum. Users register with \`POST /api/auth/register\`, sign in with
  \`POST /api/auth/token\` and raise their limits with \`PATCH /api/account/limits\`.
- **1. Placement.** A fresh user per concurrency; a short warm-up, then a fixed window; orders/s counts the
  201 answers that arrived inside the window; latency is each request's round trip (one connection per
  request in flight, kept alive).
- **2. Sweep.** The orders are spread over several users (each user's ledger checks every order against
  all its open orders, so one user holding all of them would measure placement, not the sweep) and over 100
  price levels, and each user has \`/ws/user\` open (as a trading client would; the ledger streams an
  \`order\` and a \`fill\` message per fill and one \`position\` message per batch of fills). After placing them the run waits for the Worker
  to go quiet. Then one batch carries an Upbit price below every level; the clock starts just before its
  POST and stops when the last order's \`order\` message with status FILLED arrives (a ledger streams a
  change right after committing it); afterwards every user's \`GET /api/account\` confirms no order is
  left open. Meanwhile the local D1 file is read (\`sqlite3 -readonly\`, not through the Worker) every
  250 ms for the number of the coin's orders whose projected status is FILLED.
- **3. Tick-to-fill.** One user with \`/ws/user\` open (ticket from \`POST /api/auth/ws-ticket\`). Each
  sample: a batch puts the coin back above the limit, one limit rests, then (at least one ms after its
  201, so the tick is newer than the order) \`t0\` is taken and a batch with a crossing Upbit price is
  posted; the sample ends when the order's \`fill\` message arrives. Samples run one after another.
- **4. Ingest.** bench/ingest-load.ts as in \`npm run bench\`'s "ingest alone" points (after a short
  unrecorded run of the same load, since the first ticks of each coin create its objects): ticks spread
  uniformly over 200 coins and the four venues, batches every 100 ms (every 500 ticks when faster), at most 8
  outstanding, ack latency from each batch's scheduled time. The resting orders are on 100 of the 200 coins
  (the load's Upbit ticks reach them), each user's on its own block of 5 coins, placed after the points without orders and before the points with.
- **CPU** is read from /proc for each process during the window (% of one core; this machine has
  2): "server" is both workerd processes and wrangler; "machine busy" is the whole machine (% of all
  cores); "CPU wait" is Linux PSI: the share of the window in which some runnable task waited for a CPU.
  "wrangler (node)" is \`wrangler dev\`'s own process: it receives the Worker's inspector events (each D1
  query shows there as a network request) and writes them to its debug log. A deployed Worker has no
  such process; here it takes CPU from the same 2 cores, most visibly while orders are placed.
`;
