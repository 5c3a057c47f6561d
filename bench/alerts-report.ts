/** The alerts benchmark's figures as a console table and as bench/ALERTS.md. */

import type { PointResult } from "./fanout-point";
import { columns, markdownTable, ms, n, pair } from "./format";
import { reportPreamble } from "./machine";
import type { MachineInfo } from "./report";
import { serverCpu } from "./report";
import type { LatencySummary } from "./stats";
import type { CpuFigures } from "./trading-report";

/** One ingest load point (bench/ingest-load.ts, no subscribers). */
export interface IngestFigures extends CpuFigures {
  rate: number;
  ackedPerSecond: number;
  ack: LatencySummary | null;
  failed: number;
  unsent: number;
  firstError: string | null;
}

/** The same figures under one condition: how many alerts exist. */
export interface Condition {
  label: string;
  alerts: number;
  ingest: IngestFigures[];
  fanout: PointResult[];
}

/** Alerts created through `POST /api/alerts`. */
export interface CreationRow {
  label: string;
  alertsBefore: number;
  requested: number;
  created: number;
  failed: number;
  firstError: string | null;
  inFlight: number;
  seconds: number;
  perSecond: number;
  latency: LatencySummary | null;
}

/** Alerts written straight into the local D1 while the Worker was stopped. */
export interface SeedFigures {
  rows: number;
  statements: number;
  seconds: number;
  /** Stopping the Worker, seeding, starting it again: the whole gap, s. */
  gapSeconds: number;
  /** From the batch that touched every coin after the restart until the board had delivered it to every coin, s. */
  loadedSeconds: number | null;
  /** Coins whose alert bands the board holds afterwards (its `alert_bands`), read from its SQLite file. */
  watchedCoins: number | null;
}

export interface TickToInboxResult {
  label: string;
  samples: number;
  missed: number;
  errors: number;
  firstError: string | null;
  /** From just before the crossing tick's POST (its timestamp) until a poll of the inbox showed the item. */
  total: LatencySummary | null;
  /** From the tick's timestamp until the alert fired (the event's `timestamp`, the MarketSymbol's clock). */
  fired: LatencySummary | null;
  /** From the firing until a poll showed the item. */
  visible: LatencySummary | null;
  /** From the firing until the queue consumer's batch started (the in-app delivery's `created_at` in D1). */
  pickup: LatencySummary | null;
  /** From the consumer's batch start until the in-app delivery was recorded (`updated_at`). */
  delivery: LatencySummary | null;
  crossingAck: LatencySummary | null;
  /** From the reset tick's POST until the coin's own stream showed its price (the MarketSymbol had applied it). */
  resetSeen: LatencySummary | null;
  load: { rate: number; ackedPerSecond: number; ack: LatencySummary | null; failed: number } | null;
}

export interface AlertsReport {
  machine: MachineInfo;
  settings: string[];
  conditions: Condition[];
  subscribers: number;
  coins: number;
  creation: CreationRow[];
  /** How the alerts came to exist: which were created through the API and which were seeded. */
  howMade: string[];
  seed: SeedFigures | null;
  alertsByKind: { kind: string; count: number }[];
  firedDuringLoad: string;
  firing: string;
  pollMs: number;
  resetGapMs: number;
  tickToInbox: TickToInboxResult[];
  notes: string[];
}

const count = (v: number) => v.toLocaleString("en-US");
const pct = (v: number | null) => (v === null ? "–" : v.toFixed(0));
const ratio = (a: number | null | undefined, b: number | null | undefined) =>
  a === null || a === undefined || b === null || b === undefined || b <= 0 ? "–" : `${(a / b).toFixed(2)}x`;
const triple = (s: LatencySummary | null) => (s ? `${ms(s.p50)} / ${ms(s.p95)} / ${ms(s.p99)} / ${ms(s.max)}` : "–");

/** One measure across the conditions: its cells and, for numbers, each condition against the first. */
interface Measure {
  label: string;
  values: (number | null)[];
  format: (v: number) => string;
  /** A text instead of the number (e.g. a verdict); no ratio then. */
  texts?: string[];
}

function measures(r: AlertsReport): Measure[] {
  const out: Measure[] = [];
  const rates = [...new Set(r.conditions.flatMap((c) => c.ingest.map((i) => i.rate)))].sort((a, b) => a - b);
  for (const rate of rates) {
    const at = r.conditions.map((c) => c.ingest.find((i) => i.rate === rate) ?? null);
    const what = `ingest alone ${n(rate)} ticks/s`;
    out.push(
      { label: `${what}: acknowledged ticks/s`, values: at.map((i) => i?.ackedPerSecond ?? null), format: n },
      { label: `${what}: batch ack p50 ms`, values: at.map((i) => i?.ack?.p50 ?? null), format: ms },
      { label: `${what}: batch ack p99 ms`, values: at.map((i) => i?.ack?.p99 ?? null), format: ms },
      { label: `${what}: server CPU % of a core`, values: at.map((i) => (i ? serverCpu(i) : null)), format: pctOf },
    );
  }
  const fanoutRates = [...new Set(r.conditions.flatMap((c) => c.fanout.map((p) => p.rate)))].sort((a, b) => a - b);
  for (const rate of fanoutRates) {
    const at = r.conditions.map((c) => c.fanout.find((p) => p.rate === rate) ?? null);
    const what = `fan-out ${n(rate)} ticks/s, ${count(r.subscribers)} subscribers`;
    out.push(
      { label: `${what}: ingested ticks/s`, values: at.map((p) => p?.ingestedPerSecond ?? null), format: n },
      { label: `${what}: update latency p50 ms`, values: at.map((p) => p?.update?.p50 ?? null), format: ms },
      { label: `${what}: update latency p99 ms`, values: at.map((p) => p?.update?.p99 ?? null), format: ms },
      { label: `${what}: end-to-end p99 ms`, values: at.map((p) => p?.endToEnd?.p99 ?? null), format: ms },
      {
        label: `${what}: delivered coin updates/s`,
        values: at.map((p) => p?.deliveredUpdatesPerSecond ?? null),
        format: n,
      },
      { label: `${what}: server CPU % of a core`, values: at.map((p) => (p ? serverCpu(p) : null)), format: pctOf },
      {
        label: `${what}: sustained (p99 ≤ 250 ms, all acknowledged)`,
        values: at.map(() => null),
        format: String,
        texts: at.map((p) => (p ? (p.sustained ? "yes" : `no: ${p.verdict}`) : "–")),
      },
    );
  }
  return out;
}

const pctOf = (v: number) => v.toFixed(0);

/** "a (no alerts), b (label, 1.23x), ..." for one figure across the conditions. */
function across(r: AlertsReport, values: (number | null)[], format: (v: number) => string): string {
  return r.conditions
    .map((c, i) => {
      const v = values[i];
      const shown = v === null ? "–" : format(v);
      return i === 0 ? `${shown} with ${c.label}` : `${shown} with ${c.label} (${ratio(v, values[0])})`;
    })
    .join(", ");
}

/** What the figures say, written from them (so a re-run says what it measured). */
function readings(r: AlertsReport): string[] {
  const out: string[] = [];
  const [first] = r.conditions;
  const last = r.conditions.at(-1);
  const middle = r.conditions.length > 2 ? r.conditions[1] : null;
  const rate = Math.max(...first.ingest.map((i) => i.rate));
  const ingestAt = r.conditions.map((c) => c.ingest.find((i) => i.rate === rate) ?? null);
  out.push(
    `Ingest alone at ${n(rate)} ticks/s, batch ack p50: ${across(
      r,
      ingestAt.map((i) => i?.ack?.p50 ?? null),
      (v) => `${ms(v)} ms`,
    )}; server CPU ${across(
      r,
      ingestAt.map((i) => (i ? serverCpu(i) : null)),
      (v) => `${v.toFixed(0)} %`,
    )}.`,
  );
  const fanoutRate = first.fanout[0]?.rate;
  const fanoutAt = r.conditions.map((c) => c.fanout.find((p) => p.rate === fanoutRate) ?? null);
  if (fanoutRate !== undefined) {
    out.push(
      `Fan-out at ${n(fanoutRate)} ticks/s to ${count(r.subscribers)} subscribers, update latency p99: ${across(
        r,
        fanoutAt.map((p) => p?.update?.p99 ?? null),
        (v) => `${ms(v)} ms`,
      )}.`,
    );
  }
  if (middle && last) {
    const ratios = [ingestAt.map((i) => i?.ack?.p50 ?? null), fanoutAt.map((p) => p?.update?.p99 ?? null)].map((v) =>
      v[1] && v.at(-1) ? (v.at(-1) as number) / (v[1] as number) : null,
    );
    const close = ratios.every((x) => x !== null && x > 0.67 && x < 1.5);
    out.push(
      close
        ? `With ${last.label} these figures are within a factor of 1.5 of those with ${middle.label}: the number of alerts on a coin does not change the tick path's cost (the board compares each coin it builds anyway against that coin's alert bands, one band per reading the coin's alerts watch).`
        : `With ${last.label} these figures differ by more than a factor of 1.5 from those with ${middle.label}: the number of alerts matters.`,
    );
  }
  const idle = r.tickToInbox.find((t) => t.load === null) ?? r.tickToInbox[0];
  if (idle?.total && idle.fired && idle.pickup) {
    out.push(
      `Tick-to-inbox with no other load: p50 ${ms(idle.total.p50)} ms, p99 ${ms(idle.total.p99)} ms over ${idle.samples} samples (with so few, p99 is about the largest). The alert fired ${ms(idle.fired.p50)} ms (p50) after the tick was sent; ${ms(idle.pickup.p50)} ms (p50) then passed before the queue consumer's batch started: the local queue's 1 s \`max_batch_timeout\` is most of the total.`,
    );
  }
  return out;
}

function comparison(r: AlertsReport): { headers: string[]; rows: string[][] } {
  const [first, ...rest] = r.conditions;
  const headers = ["", ...r.conditions.map((c) => c.label), ...rest.map((c) => `${c.label} ÷ ${first.label}`)];
  const rows = measures(r).map((m) => [
    m.label,
    ...m.values.map((v, i) => m.texts?.[i] ?? (v === null ? "–" : m.format(v))),
    ...rest.map((_, i) => (m.texts ? "" : ratio(m.values[i + 1], m.values[0]))),
  ]);
  return { headers, rows };
}

const ingestHeaders = [
  "alerts",
  "target ticks/s",
  "acknowledged ticks/s",
  "batch ack p50 / p99 ms",
  "batches failed / never sent",
  "server CPU %",
  "machine busy %",
  "CPU wait %",
];

function ingestRows(r: AlertsReport): string[][] {
  return r.conditions.flatMap((c) =>
    c.ingest.map((i) => [
      c.label,
      n(i.rate),
      n(i.ackedPerSecond),
      pair(i.ack),
      `${i.failed} / ${i.unsent}`,
      serverCpu(i).toFixed(0),
      i.machineBusyPercent.toFixed(0),
      pct(i.cpuPressurePercent),
    ]),
  );
}

const fanoutHeaders = [
  "alerts",
  "target ticks/s",
  "ingested ticks/s",
  "batch ack p50 / p99 ms",
  "update latency p50 / p99 ms",
  "end-to-end p50 / p99 ms",
  "delivered updates/s",
  "MB/s",
  "server CPU %",
  "client ELU",
  "machine busy %",
  "CPU wait %",
  "sustained",
];

function fanoutRows(r: AlertsReport): string[][] {
  return r.conditions.flatMap((c) =>
    c.fanout.map((p) => [
      c.label,
      n(p.rate),
      n(p.ingestedPerSecond),
      pair(p.ingest.ack),
      pair(p.update),
      pair(p.endToEnd),
      n(p.deliveredUpdatesPerSecond),
      p.megabytesPerSecond.toFixed(1),
      serverCpu(p).toFixed(0),
      p.subscriberLoopUtilization.toFixed(2),
      p.machineBusyPercent.toFixed(0),
      pct(p.cpuPressurePercent),
      p.sustained ? "yes" : `no: ${p.verdict}`,
    ]),
  );
}

const creationHeaders = [
  "alerts created through the API",
  "alerts before",
  "created / requested",
  "in flight",
  "alerts/s",
  "request p50 / p99 ms",
  "100,000 at this rate",
  "refused or failed",
];

function creationRows(r: AlertsReport): string[][] {
  return r.creation.map((c) => [
    c.label,
    count(c.alertsBefore),
    `${count(c.created)} / ${count(c.requested)}`,
    String(c.inFlight),
    c.perSecond.toFixed(1),
    pair(c.latency),
    c.perSecond > 0 ? `${(100_000 / c.perSecond / 60).toFixed(0)} min` : "–",
    c.failed === 0 ? "0" : `${c.failed} (${(c.firstError ?? "").slice(0, 120)})`,
  ]);
}

const inboxHeaders = [
  "condition",
  "samples",
  "no item within 15 s",
  "tick → inbox p50 / p95 / p99 / max ms",
  "tick → fired p50 / p99 ms",
  "fired → inbox p50 / p99 ms",
  "fired → consumer batch start p50 / p99 ms",
  "batch start → in-app delivery recorded p50 / p99 ms",
  "crossing batch ack p50 / p99 ms",
  "reset tick → on the coin's stream p50 / p99 ms",
];

function inboxRows(r: AlertsReport): string[][] {
  return r.tickToInbox.map((t) => [
    t.load
      ? `${t.label} (${n(t.load.ackedPerSecond)} ticks/s acknowledged, ack p50 / p99 ${pair(t.load.ack)} ms)`
      : t.label,
    String(t.samples),
    String(t.missed),
    triple(t.total),
    pair(t.fired),
    pair(t.visible),
    pair(t.pickup),
    pair(t.delivery),
    pair(t.crossingAck),
    pair(t.resetSeen),
  ]);
}

/**
 * The same benchmark at commit 9f7af2f, when every coin with an alert was "watched" (each of its updates
 * delivered to its MarketSymbol within the fan-out interval); recorded by hand from that run's ALERTS.md.
 */
const EARLIER_RUN = [
  "At 9f7af2f every coin with an alert had all its updates delivered within the fan-out interval. Same machine, 500 subscribers:",
  "ingest at 5,000 ticks/s, batch ack p50 / p99: 25 / 55 ms without alerts, 160 / 287 ms with one alert per coin, 191 / 334 ms with 100,000 alerts;",
  "fan-out at 2,000 ticks/s, update latency p99: 82 ms without alerts, 534 ms with one per coin, 394 ms with 100,000 (not sustained at 250 ms).",
  "The cost came with the first alert on a coin, not with the number of alerts; the bands above replaced that prompt delivery.",
];

export function consoleTable(r: AlertsReport): string {
  const { headers, rows } = comparison(r);
  const out: string[] = ["Ingest and fan-out with and without alerts:"];
  out.push(...columns([headers, ...rows.map((x) => x.map((cell) => cell.slice(0, 60)))]).map((l) => `  ${l}`));
  out.push("", "Tick-to-inbox (a price alert firing, the inbox polled):");
  for (const t of r.tickToInbox) {
    out.push(
      `  ${t.label}: ${t.samples} samples, ${t.missed} missed; total p50/p99 ${pair(t.total)} ms; tick→fired ${pair(t.fired)} ms; fired→inbox ${pair(t.visible)} ms (fired→consumer ${pair(t.pickup)} ms)`,
    );
  }
  out.push(
    "",
    ...r.creation.map((c) => `  API: ${c.label}: ${c.perSecond.toFixed(1)} alerts/s (${c.created} created)`),
  );
  return out.join("\n");
}

export function alertsMarkdown(r: AlertsReport): string {
  const m = r.machine;
  const { headers, rows } = comparison(r);
  const sections: string[] = [
    ...reportPreamble("alerts", "bench:alerts", m, r.settings),
    "## Ingest and fan-out with and without alerts, side by side",
    "",
    `One Worker, one run, ${r.coins} coins. Each condition is measured with the same load: first with no alert, then`,
    `with one price alert on each coin (the board then holds every coin's alert bands and delivers promptly the ticks`,
    "that reach one; the others at the ordinary pace, about once a second), then with all the alerts. No alert",
    "fires during these points (thresholds far from the market). The last columns divide each condition's",
    "figure by the first's.",
    "",
    markdownTable(headers, rows),
    "",
    ...readings(r).map((x) => `- ${x}`),
    "",
    "### Before alert bands (an earlier run, for comparison)",
    "",
    ...EARLIER_RUN.map((x) => `- ${x}`),
    "",
    "## How the alerts were made",
    "",
    ...r.howMade.map((x) => `- ${x}`),
    "",
    markdownTable(creationHeaders, creationRows(r)),
    "",
    markdownTable(
      ["kind", "alerts"],
      r.alertsByKind.map((k) => [k.kind, count(k.count)]),
    ),
    "",
    `Fired during the load points: ${r.firedDuringLoad}.`,
    "",
    "## Ingest alone (no subscribers)",
    "",
    markdownTable(ingestHeaders, ingestRows(r)),
    "",
    `## Fan-out: ${count(r.subscribers)} subscribers to all coins (the dashboard)`,
    "",
    markdownTable(fanoutHeaders, fanoutRows(r)),
    "",
    "## Tick-to-inbox latency",
    "",
    `${r.firing} Each sample: a tick puts the price back below the threshold; the run waits until the coin's own`,
    "stream (`/ws/prices/{coin}`, served by its MarketSymbol) shows that price, so the alert has re-armed",
    `(hysteresis 0, cooldown 0), then ${r.resetGapMs} ms more; then the crossing tick is posted (its timestamp is`,
    `the start) and \`GET /api/notifications?limit=5\` is polled every ${r.pollMs} ms until the item whose`,
    "`data.observed_at` is that tick's timestamp appears. Samples run one after another. The consumer-side split",
    "comes from the D1 delivery log (`notification_deliveries`, channel `in_app`) read after the samples.",
    "",
    markdownTable(inboxHeaders, inboxRows(r)),
    "",
    "The local queue consumer waits up to `max_batch_timeout = 1` s (wrangler.toml) for a batch of up to 100",
    "messages before it runs: with one alert firing at a time, the batch never fills, so nearly every event waits",
    'the whole second; that wait is most of "fired → consumer batch start" and so of the total. A deployed queue',
    "batches the same way (`max_batch_timeout` is the upper bound of the wait for a partial batch).",
    "",
    "## Resources per window",
    "",
    markdownTable(
      ["alerts", "window", "process", "CPU % of one core", "max RSS MB"],
      r.conditions.flatMap((c) => [
        ...c.ingest.flatMap((i) =>
          i.usage.map((u) => [
            c.label,
            `ingest ${n(i.rate)}/s`,
            u.label,
            u.cpuPercent.toFixed(0),
            u.maxRssMb.toFixed(0),
          ]),
        ),
        ...c.fanout.flatMap((p) =>
          p.usage.map((u) => [
            c.label,
            `fan-out ${n(p.rate)}/s`,
            u.label,
            u.cpuPercent.toFixed(0),
            u.maxRssMb.toFixed(0),
          ]),
        ),
      ]),
    ),
    "",
    "## Measurement caveats noted by the run",
    "",
    ...r.notes.map((x) => `- ${x}`),
    "",
    METHOD,
  ];
  return `${sections.join("\n")}\n`;
}

const METHOD = `## Method

- **System.** The real Worker (gateway, MarketBoard, MarketSymbol, LiquidationFeed, UserLedger, D1, Queues
  and the notifications consumer) under \`wrangler dev\` (local workerd, SQLite-backed Durable Objects, local
  D1, local queues), started by test/support/worker-process.ts from a copy of the committed tree (\`git
  archive\`, bundled once with \`wrangler deploy --dry-run\`, served with \`no_bundle\`: bench/systems.ts, as
  \`npm run bench\` does), with the development secrets of \`.dev.vars.example\` and two vars raised:
  \`ALERTS_MAX_PER_USER\` (so ten users can hold 10,000 alerts each) and \`ACCESS_TOKEN_TTL_SECONDS\` (so the
  users' tokens outlive the run). Requests go to the public port, through the proxy workerd that
  \`wrangler dev\` puts in front of the Worker's; both count as server CPU.
- **Market.** The fixture of \`npm run bench\` (bench/market-fixture.ts): the coins on the four board venues,
  USD/KRW and USDT/KRW, posted to \`/internal/ingest\` with the collector token.
- **Ingest alone.** bench/ingest-load.ts as in \`npm run bench\`'s "ingest alone" points: ticks spread
  uniformly over the coins and the four venues, batches every 100 ms (every 500 ticks when faster), at most
  8 outstanding, ack latency from each batch's scheduled time; no subscriber connected. Before each
  condition a short unrecorded run of the same load warms the Worker up.
- **Fan-out.** bench/fanout-point.ts with bench/subscriber-pool.ts as in \`npm run bench\` (fewer subscribers,
  all on \`/ws/market\`): update latency is receive time minus the newest tick timestamp a coin update
  reflects, on the sampled sockets; end-to-end latency is from each acknowledged tick's creation (just
  before its batch was posted) until each sampled subscriber had read a state of its coin at least as new.
- **Alerts.** Ten users (\`POST /api/auth/register\`, \`POST /api/auth/token\`), alert \`i\` on coin
  \`i mod coins\` for user \`i mod 10\`, kinds in a fixed mix (bench/alerts-fixture.ts): 45 % price (on a venue,
  100 times above or below its price), 35 % premium (above 500 % or below -90 %), 10 % premium percentile
  (no coin has the day of history a percentile needs in a fresh run), 5 % liquidation (at least 10^12 USD;
  one in ten on any coin), 5 % caution (the load never changes a coin's flags). Hysteresis and cooldown are
  given explicitly at the API's defaults, so a seeded row equals the one the API stores. Liquidation alerts
  are evaluated by the LiquidationFeed (the load carries no liquidation), the others by each coin's
  MarketSymbol on every update it gets. The run counts D1's \`notifications\` rows and the alerts with a
  \`last_triggered_at\` before the firing test, to show none fired.
- **Seeding.** Creating alerts one by one through the API is measured (8 requests in flight; each request
  checks the coin, inserts within the per-user maximum, has the coin's MarketSymbol re-read all its alerts
  from D1 and answers the stored alert). Where that would take over 5 minutes for all of them, the rest are
  written into the local D1 with \`wrangler d1 execute --local --file\` (multi-row INSERTs, the same rows the
  API would store) while the Worker is stopped, and the Worker is started again on the same state. A
  MarketSymbol reads its alerts from D1 on its first update after a start: a batch then touches every coin,
  and the run waits until the board has delivered it to every coin (\`kimchi_symbol_outbox 0\`) and reads
  the board's \`alert_bands\` (SQLite, read-only) to see every coin reported its alerts' bands.
- **Tick-to-inbox.** A separate user with one price alert (Upbit, \`above\`, hysteresis 0, cooldown 0) on the
  last coin, which holds its share of the seeded alerts; under load, the load ticks the other coins only, so
  the toggled price is the test's own. Times: the client's clock for the tick and the poll, the Worker's
  (\`Date.now()\` in workerd, which advances with I/O) for the firing and the delivery log; one machine.
- **CPU** is read from /proc for each process during the window (% of one core; this machine has 2):
  "server" is both workerd processes and wrangler; "machine busy" is the whole machine (% of all cores);
  "CPU wait" is Linux PSI: the share of the window in which some runnable task waited for a CPU.
`;
