/** Turns the backfill benchmark's figures into its console summary and bench/BACKFILL.md. */

import type { CandleVenue } from "../collectors/candles/candle-venue";
import { CANDLE_RESOLUTIONS, type CandleResolution } from "../protocol/venues";
import { BENCH_VENUES, type VenuePlan } from "./backfill-plan";
import type { RunResult, VenueRun } from "./backfill-run";
import { markdownTable, n } from "./format";
import { machineTable } from "./machine";
import type { MachineInfo } from "./report";

/** One run with the plan computed for its windows. */
export interface ReportedRun {
  result: RunResult;
  plans: VenuePlan[];
  /** What the Worker's own coverage route said after the run (null: not asked). */
  workerCheck: string | null;
}

export interface BackfillReport {
  machine: MachineInfo;
  settings: string[];
  runs: ReportedRun[];
  /** The plan of the default windows (what a first start does). */
  fullPlans: VenuePlan[];
  /** What the figures say (bench/backfill-report.ts `findings`). */
  findings: string[];
  /** Caveats about the measurement itself (machine load). */
  observations: string[];
}

/** Seconds as "37.5 s", "4.2 min" or "1.6 h". */
export function duration(seconds: number | null): string {
  if (seconds === null) return "–";
  if (!Number.isFinite(seconds)) return "never (the live upkeep takes the whole allowance)";
  if (seconds < 120) return `${seconds.toFixed(1)} s`;
  if (seconds < 7200) return `${(seconds / 60).toFixed(1)} min`;
  return `${(seconds / 3600).toFixed(2)} h`;
}

const ratio = (measured: number | null, computed: number) =>
  measured === null || !Number.isFinite(computed) || computed <= 0 ? "–" : `${(measured / computed).toFixed(2)}x`;

const venueOf = (venue: string): CandleVenue =>
  (BENCH_VENUES.find((v) => v.venue === venue) as (typeof BENCH_VENUES)[number]).candles;

/** "10 req/s", "6,000 weight/min", "600 req/5 s". */
function limitText(venue: string): string {
  const { limit } = venueOf(venue);
  const unit = limit.unit === "weight" ? "weight" : "req";
  const per = limit.perMs === 1000 ? "s" : limit.perMs === 60_000 ? "min" : `${limit.perMs / 1000} s`;
  return `${limit.amount.toLocaleString("en-US")} ${unit}/${per}`;
}

/** The collector's allowance in the limit's own window. */
function allowanceText(plan: VenuePlan): string {
  const { limit } = venueOf(plan.venue);
  const inWindow = (plan.allowedPerSecond * limit.perMs) / 1000;
  return `${n(inWindow)} ${limit.unit === "weight" ? "weight" : "req"} (${n(plan.allowedPerSecond / plan.requestCost)} req/s)`;
}

const slowest = (values: (number | null)[]) =>
  values.some((v) => v === null) ? null : Math.max(...(values as number[]));

const shares = (v: VenueRun) =>
  CANDLE_RESOLUTIONS.slice()
    .reverse()
    .map((r) => `${(v.coveredShare[r] * 100).toFixed(r === "1d" ? 0 : 1)} %`)
    .join(" / ");

const pages = (v: VenueRun) =>
  `${(["1d", "1h", "1m"] as CandleResolution[]).map((r) => n(v.pages[r])).join(" / ")} (${n(v.livePages)} live)`;

/**
 * What the figures say about where the time went: venues slower than their allowance, and whether the
 * history lane (so the Worker's pace) held them back.
 */
export function findings(runs: ReportedRun[], fullPlans: VenuePlan[]): string[] {
  const out: string[] = [];
  for (const p of fullPlans) {
    const upkeep = p.upkeepPerSecond["1m"] + p.upkeepPerSecond["1h"] + p.upkeepPerSecond["1d"];
    if (upkeep < 0.25 * p.allowedPerSecond) continue;
    const unit = p.requestCost > 1 ? "weight" : "req";
    out.push(
      `default windows, ${p.venue}: keeping ${p.markets} markets' minutes and hours current takes ${n(upkeep)} of its ${n(p.allowedPerSecond)} ${unit}/s once minutes are live, and newly closed intervals go first, so its ${n(p.markets * p.pagesPerMarket["1m"])} pages of minutes are fetched at the ${n(p.allowedPerSecond - upkeep)} ${unit}/s left: the full backfill takes ${duration(p.fullSeconds)} (computed) against ${duration(p.fullSecondsWithoutUpkeep)} for its requests alone.`,
    );
  }
  for (const { result, plans } of runs) {
    const name = `run ${result.spec.name}`;
    for (const v of result.venues) {
      const { limit } = venueOf(v.venue);
      if (v.peakPublishedWindow <= limit.amount && v.peakPublishedWindowSent <= limit.amount) continue;
      const window = limit.perMs === 1000 ? "1 s" : `${limit.perMs / 1000} s`;
      const plan = plans.find((p) => p.venue === v.venue) as VenuePlan;
      const cost = limit.unit === "weight" ? plan.requestCost : 1;
      const allowance = (plan.allowedPerSecond * limit.perMs) / 1000;
      const spacing = (cost * 1000) / plan.allowedPerSecond;
      out.push(
        v.peakPublishedWindowSent <= limit.amount
          ? `${name}: ${v.venue} received ${n(v.peakPublishedWindow)} in one ${window} window (published limit ${n(limit.amount)}), while the collector sent at most ${n(v.peakPublishedWindowSent)} in any: requests paced at ${n(allowance)} per ${window} bunched on the way (runnable tasks waited for a CPU ${result.usage.cpuPressurePercent?.toFixed(0) ?? "?"} % of the run). A venue counting arrivals in sliding windows would count that as over its limit: at 80 % a window has room for ${n(limit.amount - allowance)} ${limit.unit === "weight" ? "weight" : "requests"} more than the pace, so requests delayed by more than ${n((spacing * (limit.amount - allowance)) / cost)} ms and then arriving together are enough.`
          : `${name}: the collector itself sent ${n(v.peakPublishedWindowSent)} requests to ${v.venue} in one ${window} window, over its published limit of ${n(limit.amount)}.`,
      );
    }
    const lane = `the history lane was backlogged (19,000 or more events waiting for the Worker; it lets each priority queue up to 20,000) ${(result.laneFullShare * 100).toFixed(0)} % of the run, the Worker acknowledging ${n(result.candlesPerSecond.mean)} candles/s on average`;
    const slow = result.venues.filter((v) => {
      const plan = plans.find((p) => p.venue === v.venue) as VenuePlan;
      return v.perSecondUntilFirstDaily < 0.67 * (plan.allowedPerSecond / plan.requestCost);
    });
    const pace = slow.map((v) => {
      const plan = plans.find((p) => p.venue === v.venue) as VenuePlan;
      return `${v.venue} ${n(v.perSecondUntilFirstDaily)} req/s (allowed ${n(plan.allowedPerSecond / plan.requestCost)})`;
    });
    const until = `the lane was backlogged ${(result.laneFullShareUntilFirstDaily * 100).toFixed(0)} % of that time`;
    out.push(
      slow.length === 0
        ? `${name}: ${lane}.`
        : `${name}: until every market's first 1-day page was acknowledged, ${pace.join(", ")}, below their allowance; ${until}. Over the whole run ${lane}. A fetched page waits for room in the one history lane all venues share (days before hours before minutes), then for the pages of its priority queued before it: where the lane is backlogged, the Worker's pace, not the venues' limits, sets the rates.`,
    );
  }
  return out;
}

/** Whether every venue's peak, in every run, stayed within its published limit: as received, or as sent. */
export function limitsHeld(report: BackfillReport, side: "received" | "sent"): boolean {
  return report.runs.every(({ result }) =>
    result.venues.every(
      (v) => (side === "received" ? v.peakPublishedWindow : v.peakPublishedWindowSent) <= venueOf(v.venue).limit.amount,
    ),
  );
}

function summaryRows(report: BackfillReport): string[][] {
  const rows: string[][] = [];
  const [first] = report.runs;
  if (first) {
    const measured = slowest(first.result.venues.map((v) => v.firstDailyMs));
    const computed = Math.max(...first.plans.map((p) => p.firstPageSeconds));
    const markets = first.result.venues.reduce((a, v) => a + v.markets, 0);
    rows.push([
      `(a) first page of 1-day candles for every market (${n(markets)}), acknowledged by the Worker (run ${first.result.spec.name})`,
      measured === null
        ? `not reached in ${duration(first.result.durationMs / 1000)} (${first.result.venues.map((v) => `${v.venue} ${v.firstDailyMarkets}/${v.markets}`).join(", ")})`
        : duration(measured / 1000),
      `${duration(computed)} (the slowest venue's first pages at its allowed rate)`,
      ratio(measured === null ? null : measured / 1000, computed),
    ]);
  }
  for (const { result, plans } of report.runs) {
    const measured = slowest(result.venues.map((v) => v.completeMs));
    const slow = plans.reduce((a, p) => (p.fullSeconds > a.fullSeconds ? p : a));
    const lower = Math.max(...plans.map((p) => p.fullSecondsWithoutUpkeep));
    const requests = result.venues.reduce((a, v) => a + v.requests, 0);
    const planned = plans.reduce((a, p) => a + p.requests, 0);
    let computed = `${duration(slow.fullSeconds)} (${slow.venue}, with the live upkeep; ${duration(lower)} without)`;
    if (measured === null) {
      // Not measured to the end: what the Worker's pace in this run would need for all the candles.
      const candles = plans.reduce((a, p) => a + p.markets * p.candlesPerMarket, 0);
      const pace = result.candlesPerSecond.mean;
      computed += `; the Worker, at this run's ${n(pace)} candles/s, would need ${duration(pace > 0 ? candles / pace : null)} for the ${n(candles)} candles`;
    }
    rows.push([
      `(b) full backfill, run ${result.spec.name}: ${result.spec.title}`,
      measured === null
        ? `not finished: stopped after ${duration(result.durationMs / 1000)}, ${n(requests)} of at most ${n(planned)} requests made`
        : duration(measured / 1000),
      computed,
      ratio(measured === null ? null : measured / 1000, slow.fullSeconds),
    ]);
  }
  const peaks = (side: "received" | "sent") =>
    report.runs
      .flatMap(({ result }) =>
        result.venues.map(
          (v) =>
            `${result.spec.name} ${v.venue} ${n(side === "received" ? v.peakPublishedWindow : v.peakPublishedWindowSent)}/${n(venueOf(v.venue).limit.amount)}`,
        ),
      )
      .join(", ");
  const verdict = (held: boolean) => (held ? "**met**" : "**not met**");
  rows.push(
    [
      "every venue's peak within its published limit in every run, as the venue (simulator) received the requests",
      peaks("received"),
      "",
      verdict(limitsHeld(report, "received")),
    ],
    [
      "the same, as the collector sent them (its `fetch` calls, before the network and the simulator's event loop)",
      peaks("sent"),
      "",
      verdict(limitsHeld(report, "sent")),
    ],
  );
  return rows;
}

function rateRows(report: BackfillReport): string[][] {
  return report.runs.flatMap(({ result, plans }) =>
    result.venues.map((v) => {
      const plan = plans.find((p) => p.venue === v.venue) as VenuePlan;
      const { limit } = venueOf(v.venue);
      return [
        result.spec.name,
        v.venue,
        limitText(v.venue),
        allowanceText(plan),
        n(v.requests),
        n(v.meanPerSecond),
        n(v.busiest60sPerSecond),
        n(v.peakPerSecond),
        `${n(v.peakPublishedWindow)} ${limit.unit === "weight" ? "weight" : "req"}`,
        `${((v.peakPublishedWindow / limit.amount) * 100).toFixed(0)} %`,
        `${n(v.peakPublishedWindowSent)} (${((v.peakPublishedWindowSent / limit.amount) * 100).toFixed(0)} %)`,
      ];
    }),
  );
}

const RATE_HEADERS = [
  "run",
  "venue",
  "published limit",
  "collector's allowance in that window",
  "requests",
  "mean req/s",
  "req/s in the busiest 60 s",
  "peak requests in any 1 s",
  "peak in any window of the limit's length",
  "peak / published limit",
  "the same peak as the collector sent them (/ limit)",
];

function runRows(run: ReportedRun): string[][] {
  return run.result.venues.map((v) => {
    const plan = run.plans.find((p) => p.venue === v.venue) as VenuePlan;
    return [
      v.venue,
      String(v.markets),
      `${n(v.requests)} / ${n(v.collectorRequests)}`,
      `${n(plan.requests)} (${(["1d", "1h", "1m"] as CandleResolution[]).map((r) => plan.pagesPerMarket[r]).join(" + ")} per market)`,
      pages(v),
      n(v.candles),
      `${duration(v.firstDailyMs === null ? null : v.firstDailyMs / 1000)} / ${duration(plan.firstPageSeconds)}`,
      `${duration(v.completeMs === null ? null : v.completeMs / 1000)} / ${duration(plan.fullSeconds)} (${duration(plan.fullSecondsWithoutUpkeep)} without upkeep)`,
      shares(v),
    ];
  });
}

const RUN_HEADERS = [
  "venue",
  "markets",
  "requests (venue saw / collector counted)",
  "requests planned, at most",
  "pages acknowledged 1d / 1h / 1m",
  "candles acknowledged",
  "first 1-day page of every market: measured / computed",
  "complete: measured / computed",
  "covered at the end 1d / 1h / 1m",
];

function runSection(run: ReportedRun): string[] {
  const { result } = run;
  const { lane, candlesPerSecond } = result;
  return [
    `## Run ${result.spec.name}: ${result.spec.title}`,
    "",
    markdownTable(RUN_HEADERS, runRows(run)),
    "",
    `- ran ${duration(result.durationMs / 1000)}; the Worker acknowledged ${n(candlesPerSecond.mean)} candles/s on average (best 10 s: ${n(candlesPerSecond.best10s)}/s); ` +
      `history lane: backlogged (19,000 or more events waiting) ${(result.laneFullShare * 100).toFixed(0)} % of the time, ${n(lane.batchesOk)} batches applied, ${lane.batchesDuplicate} duplicate, ${lane.batchesRejected} rejected, ${lane.failedAttempts} failed attempts, ${n(lane.queuedEvents)} events still queued at the end`,
    ...(run.workerCheck ? [`- ${run.workerCheck}`] : []),
    ...(result.warnings.length > 0 ? [`- collectors' warnings: ${result.warnings.join("; ")}`] : []),
    "",
  ];
}

function planRows(plans: VenuePlan[]): string[][] {
  return plans.map((p) => [
    p.venue,
    String(p.markets),
    (["1d", "1h", "1m"] as CandleResolution[]).map((r) => p.pagesPerMarket[r]).join(" / "),
    n(p.requests),
    `${n(p.allowedPerSecond)} / ${n(p.publishedPerSecond)} ${p.requestCost > 1 ? "weight" : "req"}/s`,
    `${n(p.upkeepPerSecond["1m"] + p.upkeepPerSecond["1h"] + p.upkeepPerSecond["1d"])} ${p.requestCost > 1 ? "weight" : "req"}/s`,
    duration(p.firstPageSeconds),
    duration(p.fullSecondsWithoutUpkeep),
    duration(p.fullSeconds),
    n(p.markets * p.candlesPerMarket),
  ]);
}

const PLAN_HEADERS = [
  "venue",
  "markets",
  "requests per market 1d / 1h / 1m (at most)",
  "requests",
  "allowed / published rate",
  "live upkeep once minutes are live",
  "(a) first 1-day pages",
  "full, without upkeep",
  "full, with upkeep",
  "candles to the Worker (at most)",
];

function usageRows(report: BackfillReport): string[][] {
  return report.runs.flatMap(({ result }) => [
    ...result.usage.processes.map((p) => [result.spec.name, p.label, p.cpuPercent.toFixed(0), p.maxRssMb.toFixed(0)]),
    [
      result.spec.name,
      `whole machine (${report.machine.cpus} cores): busy % of all cores; CPU wait %`,
      `${result.usage.machineBusyPercent.toFixed(0)} %; wait ${result.usage.cpuPressurePercent?.toFixed(0) ?? "–"} %`,
      "",
    ],
  ]);
}

/** The figures, as printed at the end of the run. */
export function consoleSummary(report: BackfillReport): string {
  return [
    markdownTable(["figure", "measured", "computed", "measured / computed"], summaryRows(report)),
    "",
    markdownTable(RATE_HEADERS, rateRows(report)),
    "",
    ...report.runs.flatMap(runSection),
    "## The plan of the default windows, computed",
    "",
    markdownTable(PLAN_HEADERS, planRows(report.fullPlans)),
    "",
    ...report.findings.map((f) => `- ${f}`),
  ].join("\n");
}

/** The whole of bench/BACKFILL.md. */
export function backfillMarkdown(report: BackfillReport): string {
  const m = report.machine;
  return [
    "# Benchmark results: candle backfill",
    "",
    `Generated by \`npm run bench:backfill\` (bench/backfill.ts) on ${m.date}. Figures, not tests: they depend on the`,
    "machine and on whatever else ran on it at the time (see Resources and the caveats).",
    "",
    "## Machine",
    "",
    ...machineTable(m, m.commit),
    "",
    ...report.settings.map((s) => `- ${s}`),
    "",
    "## Summary",
    "",
    "Measured: what happened in the runs below. Computed: the requests each venue needs (bench/backfill-plan.ts,",
    "paged with the collector's own request builders) divided by the rate the collector allows itself.",
    "",
    markdownTable(["figure", "measured", "computed", "measured / computed"], summaryRows(report)),
    "",
    "## Rate limits: what the venues saw",
    "",
    "Counted by the simulator as the requests arrived (its own process): the most requests in any 1 s, and in any",
    "window as long as the venue's published one (Binance: request weight, klines weigh 2), sliding (every window",
    "that starts at a request), so stricter than a venue counting whole seconds. The last column counts the same",
    "windows over the times the collector called `fetch`: its own pacing, before the network and the simulator's",
    "event loop could bunch requests. The collector paces each venue with a token bucket at 80 % of the",
    "published limit, with no burst.",
    "",
    markdownTable(RATE_HEADERS, rateRows(report)),
    "",
    ...report.runs.flatMap(runSection),
    "## The plan of the default windows, computed",
    "",
    "What a first start against an empty Worker fetches for 300 markets per venue: full pages of each wanted window",
    "(Upbit and Bithumb 200 candles a page, Bithumb's days built from 192 hours a page, Binance and Bybit 1,000).",
    "Markets listed more recently than the window, and Korean markets with minutes without trades, need fewer.",
    "Live upkeep: once a resolution's backfill has started, a market's newly closed intervals are a request of",
    "their own (before that they extend the waiting job), taken before older pages; each market is looked at",
    "every tick (a minute), or every few ticks where a quarter of the venue's allowance cannot look at every",
    "market each minute (collectors/candles/upkeep-pace.ts: Upbit's 300 markets every 3 minutes).",
    "",
    markdownTable(PLAN_HEADERS, planRows(report.fullPlans)),
    "",
    "## Resources per run",
    "",
    markdownTable(["run", "process", "CPU % of one core", "max RSS MB"], usageRows(report)),
    "",
    "## What the figures say (written by the run)",
    "",
    ...report.findings.map((f) => `- ${f}`),
    "",
    "## Measurement caveats noted by the run",
    "",
    ...report.observations.map((o) => `- ${o}`),
    "",
    "## Method",
    "",
    "- **Collectors.** The four candle feeds of the collectors (`upbit-candles`, `bithumb-candles`, `binance-candles`,",
    "  `bybit-candles`: collectors/candles/*, collectors/exchanges/*-candles.ts), unchanged and wired as",
    "  `collectors run` wires them (the feed runner, one market directory, one history lane with its defaults),",
    "  in the benchmark's own process (its CPU figure includes the benchmark's bookkeeping). The markets are put",
    "  in the directory before the feeds start, as if the ticker feeds had just listed them; the ticker feeds",
    "  themselves do not run. Default tuning unless the run says otherwise: 80 % of each published limit, the",
    "  default concurrency and unacknowledged-page bounds.",
    "- **Venues.** The collectors' simulator (collectors/simulator/*) in a process of its own, with a larger",
    "  catalog than its default 300 coins (which lists 227 to 250 on each venue), so that each venue lists at",
    "  least 300; each venue's first 300 markets are backfilled (KRW-USDT first on Upbit and Bithumb). It answers",
    "  the venues' candle APIs with their shapes and paging, and enforces no limit: the rates are the",
    "  collector's own pacing, counted at arrival (arrival jitter can put one request more into a 1 s window",
    "  than the bucket's rate).",
    "- **Worker.** The real Worker under `wrangler dev` (local workerd, SQLite-backed Durable Objects, local D1),",
    "  from a copy of the committed tree (bench/systems.ts, as `npm run bench` runs it), fresh state per run: each",
    "  page goes to `POST /internal/ingest` and the coverage to `GET /internal/candles/coverage`, as in production.",
    "- **Times.** From the feeds' start. A page counts when the Worker acknowledged the batch that carried it",
    "  (bench/backfill-lane.ts notes it on the lane's acknowledgement, as the collector does). (a) is when the",
    "  last market's first page of 1-day candles was acknowledged; complete is when the collector's own",
    "  progress (`collectors_candle_backfill_complete_markets`) says every market's wanted windows are covered.",
    "- **Computed.** bench/backfill-plan.ts: requests per market from the venue's request builder walked over the",
    "  wanted windows, times the request's cost, over the token bucket's rate. With the live upkeep: days, then",
    "  hours, then minutes (the collector's queue order); once a market's first page of a resolution is fetched,",
    "  its newly closed intervals of that resolution cost a request each time the market is looked at (the",
    "  collector's own upkeep pace, collectors/candles/upkeep-pace.ts), taken before older pages, so the rest of",
    "  the backfill gets the allowance less every market's upkeep (during the first round of pages the upkeep",
    "  grows from none to all of it: half of it on average). Without upkeep: every request at the full allowance,",
    "  a lower bound. Neither counts the Worker's pace: where it is slower, measured exceeds computed.",
    "",
  ].join("\n");
}
