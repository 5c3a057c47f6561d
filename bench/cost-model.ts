/**
 * What fan-out through `FanoutShard` objects costs at the market's peak (issue 17): per subscriber count,
 * the shards (by CPU headroom and by the ceiling), relays if the board cannot publish to them all, the
 * messages and bytes delivered, and the month's bill at Cloudflare's published prices. `costModel` is
 * pure; run as a script (`npm run bench:cost`) this file reads its inputs, prints the tables and writes
 * bench/COST.md. The peak is assumed to last the whole (30-day) month: an upper bound.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { columns, markdownTable, n } from "./format";

export const SUBSCRIBER_COUNTS = [10_000, 100_000, 1_000_000];
/** Cloudflare's own billing examples use a 30-day month. */
export const SECONDS_PER_MONTH = 30 * 24 * 3600;
/** Hibernatable WebSockets one Durable Object may hold (developers.cloudflare.com/durable-objects/api/state/). */
export const HIBERNATION_SOCKET_LIMIT = 32_768;
export const PRICES_READ_ON = "2026-12-04";

/** Workers Paid prices in USD, as read on PRICES_READ_ON (sources in PRICE_SOURCES). */
export const CLOUDFLARE_PRICES = {
  baseUsd: 5,
  doRequestsIncluded: 1e6,
  doUsdPerMillionRequests: 0.15,
  /** Incoming WebSocket messages that bill as one request (20:1); outgoing ones are not billed. */
  wsMessagesPerRequest: 20,
  doGbSecondsIncluded: 400_000,
  doUsdPerMillionGbSeconds: 12.5,
  /** Duration bills 128 MB per object whatever it uses (0.128 GB, as in Cloudflare's examples). */
  gbPerObject: 0.128,
  workerRequestsIncluded: 10e6,
  workerUsdPerMillionRequests: 0.3,
  workerCpuMsIncluded: 30e6,
  workerUsdPerMillionCpuMs: 0.02,
  egressUsdPerGb: 0,
};
export type Prices = typeof CLOUDFLARE_PRICES;

const DO_PRICING = "https://developers.cloudflare.com/durable-objects/platform/pricing/";
const WORKERS_PRICING = "https://developers.cloudflare.com/workers/platform/pricing/";
export const PRICE_SOURCES: string[][] = [
  ["Workers Paid plan", "$5/month minimum per account", WORKERS_PRICING],
  ["DO requests", "1M/month included, then $0.15/M; each RPC method call is a request", DO_PRICING],
  [
    "DO WebSocket",
    "a connection is a request; incoming messages bill 20:1; outgoing and protocol pings free",
    DO_PRICING,
  ],
  ["DO duration", "400,000 GB-s/month included, then $12.50/M GB-s, 128 MB per object", DO_PRICING],
  ["Workers requests", "10M/month included, then $0.30/M; an upgrade is one, its messages none", WORKERS_PRICING],
  ["Workers CPU", "30M CPU-ms/month included, then $0.02/M CPU-ms", WORKERS_PRICING],
  ["Egress", "no charge for data transfer (egress) or bandwidth", WORKERS_PRICING],
];

/** Each numeric input's default and where it comes from: used when neither a flag nor a run gives it. */
export const DEFAULTS = {
  flushesPerSecond: [20, "FANOUT_INTERVAL_MS = 50 (wrangler.toml): the most a board flushes"],
  bytesPerMessage: [40_000, "assumed, not measured (an all-coin update at 2,000 ticks/s)"],
  shardCeiling: [500, "FANOUT_SHARD_CEILING = 500 (wrangler.toml)"],
  cpuHeadroom: [0.6, "chosen: the share of a core an object may use at the peak (see Headroom)"],
  shardCpuMicrosPerMessage: [5, "assumed, not measured"],
  shardCpuMicrosPerPublish: [200, "assumed, not measured (a shard takes in one 40 KB publish)"],
  boardCpuMicrosPerPublish: [50, "assumed, not measured (one outgoing RPC carrying 40 KB)"],
  boardCpuMillisPerSecond: [200, "assumed, not measured (ingest and rendering at 2,000 ticks/s)"],
  pingSeconds: [30, "README: clients send `ping` every 30 s"],
  sessionMinutes: [60, "assumed: mean socket lifetime (a deploy closes every socket)"],
  doRequestsPerConnection: [2, "placeSubscriber RPC to the publisher + the upgrade forwarded to the shard"],
  workerCpuMillisPerUpgrade: [1, "assumed, not measured (the gateway's routing of an upgrade)"],
} satisfies Record<string, [number, string]>;
type NumericKey = keyof typeof DEFAULTS;
const NUMERIC_KEYS = Object.keys(DEFAULTS) as NumericKey[];

export type CostInputs = Record<NumericKey, number> & {
  subscriberCounts: number[];
  /** "wall-clock": every object billed all month (the conservative reading); "active": shards and relays only while handling a publish. */
  durationBilling: "wall-clock" | "active";
};

export interface CostRow {
  subscribers: number;
  socketsPerShard: number;
  limitedBy: "ceiling" | "CPU" | "platform socket limit";
  shards: number;
  /** Objects between the board and the shards when the board cannot publish to every shard itself. */
  relays: number;
  /** Shares of one core at the peak: the fullest shard, and the board. */
  shardCpuShare: number;
  boardCpuShare: number;
  /** RPCs per second to shards and relays; the board's own are to relays when there are any, else to shards. */
  publishesPerSecond: number;
  boardPublishesPerSecond: number;
  messagesPerSecond: number;
  egressBytesPerSecond: number;
  /** Per month: RPC publishes, connection requests, incoming WebSocket messages, and the requests billed. */
  requests: { publishes: number; connections: number; incoming: number; billed: number };
  gbSeconds: number;
  usd: { base: number; doRequests: number; doDuration: number; workers: number; egress: number; total: number };
}

/** What one object carries within the headroom: sockets per shard, publish targets per board or relay. */
export function objectLimits(inputs: CostInputs) {
  const flushBudget = (inputs.cpuHeadroom * 1e6) / inputs.flushesPerSecond; // µs of CPU per flush
  const socketsByCpu = Math.floor((flushBudget - inputs.shardCpuMicrosPerPublish) / inputs.shardCpuMicrosPerMessage);
  if (socketsByCpu < 1) throw new Error("a shard cannot send to even one socket within the CPU headroom");
  const socketsPerShard = Math.min(inputs.shardCeiling, socketsByCpu, HIBERNATION_SOCKET_LIMIT);
  const limitedBy: CostRow["limitedBy"] =
    socketsPerShard === inputs.shardCeiling
      ? "ceiling"
      : socketsPerShard === socketsByCpu
        ? "CPU"
        : "platform socket limit";
  const boardBaseMicros = inputs.boardCpuMillisPerSecond * 1000;
  const perTarget = inputs.flushesPerSecond * inputs.boardCpuMicrosPerPublish;
  const boardTargets = Math.floor((inputs.cpuHeadroom * 1e6 - boardBaseMicros) / perTarget);
  const relayTargets = Math.floor((flushBudget - inputs.shardCpuMicrosPerPublish) / inputs.boardCpuMicrosPerPublish);
  return {
    socketsByCpu,
    socketsPerShard,
    limitedBy,
    boardBaseMicros,
    boardTargets,
    shardsPerRelay: Math.max(1, relayTargets),
  };
}

const over = (used: number, included: number) => Math.max(0, used - included);

/** The shards, relays, traffic and monthly bill for each subscriber count, at the peak all month. */
export function costModel(inputs: CostInputs, prices: Prices = CLOUDFLARE_PRICES): CostRow[] {
  const { flushesPerSecond: f, shardCpuMicrosPerPublish: shardIn, boardCpuMicrosPerPublish: out } = inputs;
  const { socketsPerShard, limitedBy, boardBaseMicros, boardTargets, shardsPerRelay } = objectLimits(inputs);
  const month = SECONDS_PER_MONTH;
  return inputs.subscriberCounts.map((subscribers) => {
    const shards = Math.ceil(subscribers / socketsPerShard);
    const relays = shards <= boardTargets ? 0 : Math.ceil(shards / shardsPerRelay);
    const boardPublishesPerSecond = (relays || shards) * f;
    const messagesPerSecond = subscribers * f;
    const egressBytesPerSecond = messagesPerSecond * inputs.bytesPerMessage;
    // Core-seconds per second of every shard (publishes in, sends) and relay (publishes in and out).
    const shardsBusy = (f * (shards * shardIn + subscribers * inputs.shardCpuMicrosPerMessage)) / 1e6;
    const relaysBusy = relays ? (f * (relays * shardIn + shards * out)) / 1e6 : 0;

    const connections = (subscribers * month) / (inputs.sessionMinutes * 60);
    const requests = {
      publishes: (shards + relays) * f * month,
      connections: connections * inputs.doRequestsPerConnection,
      incoming: (subscribers * month) / inputs.pingSeconds,
      billed: 0,
    };
    requests.billed = requests.publishes + requests.connections + requests.incoming / prices.wsMessagesPerRequest;
    // The board keeps a flush timer, so it never hibernates: billed all month either way.
    const objects = inputs.durationBilling === "wall-clock" ? 1 + shards + relays : 1 + shardsBusy + relaysBusy;
    const gbSeconds = objects * month * prices.gbPerObject;
    const usd = {
      base: prices.baseUsd,
      doRequests: (over(requests.billed, prices.doRequestsIncluded) / 1e6) * prices.doUsdPerMillionRequests,
      doDuration: (over(gbSeconds, prices.doGbSecondsIncluded) / 1e6) * prices.doUsdPerMillionGbSeconds,
      workers:
        (over(connections, prices.workerRequestsIncluded) / 1e6) * prices.workerUsdPerMillionRequests +
        (over(connections * inputs.workerCpuMillisPerUpgrade, prices.workerCpuMsIncluded) / 1e6) *
          prices.workerUsdPerMillionCpuMs,
      egress: ((egressBytesPerSecond * month) / 1e9) * prices.egressUsdPerGb,
      total: 0,
    };
    usd.total = usd.base + usd.doRequests + usd.doDuration + usd.workers + usd.egress;
    const fullest = Math.min(socketsPerShard, subscribers);
    const shardCpuShare = (f * (shardIn + fullest * inputs.shardCpuMicrosPerMessage)) / 1e6;
    const boardCpuShare = (boardBaseMicros + boardPublishesPerSecond * out) / 1e6;
    const traffic = {
      publishesPerSecond: (shards + relays) * f,
      boardPublishesPerSecond,
      messagesPerSecond,
      egressBytesPerSecond,
    };
    return {
      subscribers,
      socketsPerShard,
      limitedBy,
      shards,
      relays,
      shardCpuShare,
      boardCpuShare,
      ...traffic,
      requests,
      gbSeconds,
      usd,
    };
  });
}

// ---- Inputs: a flag, else the shard benchmark's `shardCost`, else figures derived from the main run, else DEFAULTS.

type Usage = { label: string; cpuPercent: number }[];
export interface RunFile {
  machine?: { date?: string };
  shardCost?: {
    cpuMicrosPerDeliveredMessage?: number | null;
    boardCpuMillisPerSecondAt2k?: number | null;
    bytesPerMessage?: number | null;
    cpuMicrosPerPublish?: number | null;
    measuredAt?: { subscribers: number; ticksPerSecond: number; shards: number }[];
  };
  points?: {
    system: string;
    case: string;
    rate: number;
    messagesPerSecond: number;
    megabytesPerSecond: number;
    usage: Usage;
  }[];
  ingest?: { system: string; rate: number; usage: Usage }[];
}
const cpuOf = (usage: Usage) => usage.find((u) => u.label === "workerd: our Worker + DOs")?.cpuPercent;

/**
 * From `npm run bench` (one board, 1,000 all-coin sockets, 2,000 ticks/s, every object in one workerd thread):
 * the bytes per message; workerd's CPU with those sockets less its CPU ingesting alone (interpolated to
 * 2,000/s), per delivered message: an upper bound for a shard's send, as it also holds the board's rendering
 * and loopback TCP writes; and the ingest-alone CPU as the board's own load (with the gateway's parsing).
 */
export function derivedFromRun(run: RunFile): Partial<Record<NumericKey, [number, string]>> {
  const point = run.points?.find((p) => p.system === "ours" && p.case === "dashboard" && p.rate === 2000);
  const ingest = (run.ingest ?? []).filter((r) => r.system === "ours" && cpuOf(r.usage) !== undefined);
  const [below, above] = [ingest.filter((r) => r.rate <= 2000).at(-1), ingest.find((r) => r.rate >= 2000)];
  const loaded = point && cpuOf(point.usage);
  if (!point || !loaded || !below || !above) return {};
  const [c0, c1] = [cpuOf(below.usage)!, cpuOf(above.usage)!];
  const alone = above.rate === below.rate ? c0 : c0 + ((c1 - c0) * (2000 - below.rate)) / (above.rate - below.rate);
  const where = `bench/results.json of ${run.machine?.date?.slice(0, 10) ?? "?"} (2,000 ticks/s, 1,000 sockets)`;
  return {
    bytesPerMessage: [Math.round((point.megabytesPerSecond * 1e6) / point.messagesPerSecond), `measured: ${where}`],
    shardCpuMicrosPerMessage: [
      Math.round(((loaded - alone) * 1e4) / point.messagesPerSecond),
      `derived from ${where}: upper bound, the board's send loop with its rendering`,
    ],
    boardCpuMillisPerSecond: [
      Math.round(alone * 10),
      `derived from ${where}: ingest alone, with the gateway's parsing`,
    ],
  };
}

/** Each input and where it came from. A flag is `--<input>=<value>`, e.g. `--shardCpuMicrosPerMessage=40`. */
export function resolveInputs(run: RunFile | null, argv: string[]) {
  const shard = run?.shardCost;
  const windows = (shard?.measuredAt ?? []).map(
    (w) => `${w.subscribers} sockets at ${w.ticksPerSecond} ticks/s on ${w.shards} shard${w.shards === 1 ? "" : "s"}`,
  );
  const measuredAs = `measured: bench/results.json shardCost${windows.length ? ` (${windows.join("; ")})` : ""}`;
  const measured: Partial<Record<NumericKey, number | undefined>> = {
    shardCpuMicrosPerMessage: shard?.cpuMicrosPerDeliveredMessage ?? undefined,
    boardCpuMillisPerSecond: shard?.boardCpuMillisPerSecondAt2k ?? undefined,
    bytesPerMessage: shard?.bytesPerMessage ?? undefined,
    shardCpuMicrosPerPublish: shard?.cpuMicrosPerPublish ?? undefined,
  };
  const derived = run ? derivedFromRun(run) : {};
  const inputs = { subscriberCounts: SUBSCRIBER_COUNTS, durationBilling: "wall-clock" } as CostInputs;
  const sources = {} as Record<NumericKey, string>;
  for (const key of NUMERIC_KEYS) {
    const flag = argv.find((a) => a.startsWith(`--${key}=`));
    const [value, source]: [number, string] = flag
      ? [Number(flag.slice(key.length + 3)), "command-line flag"]
      : measured[key] !== undefined
        ? [measured[key], measuredAs]
        : (derived[key] ?? DEFAULTS[key]);
    if (!(value > 0)) throw new Error(`--${key} must be a positive number`);
    inputs[key] = value;
    sources[key] = source;
  }
  return { inputs, sources };
}

// ---- Report: the console tables and bench/COST.md.

const usd = (v: number) => `$${Math.round(v).toLocaleString("en-US")}`;
const count = (v: number) => (v >= 1e12 ? `${(v / 1e12).toFixed(2)} T` : v >= 1e9 ? `${(v / 1e9).toFixed(2)} B` : n(v));
const rate = (v: number) => (v >= 1e9 ? `${(v / 1e9).toFixed(1)} GB/s` : `${(v / 1e6).toFixed(1)} MB/s`);
const pct = (v: number) => `${Math.round(v * 100)}%`;
const bits = (bytesPerSecond: number) =>
  bytesPerSecond >= 125e6
    ? `${((bytesPerSecond * 8) / 1e9).toFixed(1)} Gbit/s`
    : `${((bytesPerSecond * 8) / 1e6).toFixed(1)} Mbit/s`;

/** A table from [header, cell] columns: header row first, as `columns` and `markdownTable` take them. */
function tableOf<T>(rows: T[], spec: [string, (row: T, i: number) => string][]): string[][] {
  return [spec.map(([h]) => h), ...rows.map((r, i) => spec.map(([, cell]) => cell(r, i)))];
}
const capacityTable = (rows: CostRow[]) =>
  tableOf(rows, [
    ["subscribers", (r) => n(r.subscribers)],
    ["shards", (r) => n(r.shards)],
    ["sockets/shard (bound)", (r) => `${r.socketsPerShard} (${r.limitedBy})`],
    ["relays", (r) => String(r.relays)],
    ["shard CPU", (r) => pct(r.shardCpuShare)],
    ["board CPU", (r) => pct(r.boardCpuShare)],
    ["publishes/s (the board's)", (r) => `${n(r.publishesPerSecond)} (${n(r.boardPublishesPerSecond)})`],
    ["messages/s", (r) => count(r.messagesPerSecond)],
    ["egress", (r) => rate(r.egressBytesPerSecond)],
  ]);
const billTable = (rows: CostRow[], active: CostRow[]) =>
  tableOf(rows, [
    ["subscribers", (r) => n(r.subscribers)],
    ["DO requests/month", (r) => count(r.requests.billed)],
    ["of them publishes", (r) => count(r.requests.publishes)],
    ["GB-s/month", (r) => count(r.gbSeconds)],
    ["requests", (r) => usd(r.usd.doRequests)],
    ["duration", (r) => usd(r.usd.doDuration)],
    ["Workers", (r) => usd(r.usd.workers)],
    ["total/month", (r) => usd(r.usd.total)],
    ["total, shards billed only while busy", (_, i) => usd(active[i].usd.total)],
  ]);
const md = (table: string[][]) => markdownTable(table[0], table.slice(1));

/** bench/COST.md: the inputs and their sources, the prices, the tables, and where the next wall is. */
export function costReport(
  inputs: CostInputs,
  sources: Record<string, string>,
  rows: CostRow[],
  active: CostRow[],
): string {
  const lim = objectLimits(inputs);
  const top = rows.at(-1)!;
  const perSubscriber = inputs.flushesPerSecond * inputs.bytesPerMessage;
  const publishShare = (top.requests.publishes / top.requests.billed) * (top.usd.doRequests / top.usd.total);
  const waits = (h: number) => (h / (2 * (1 - h))).toFixed(2);
  return `# Fan-out cost and capacity (issue 17)

Written by \`npm run bench:cost\` (bench/cost-model.ts; a flag overrides any input, e.g. \`npm run bench:cost --
--shardCpuMicrosPerMessage=40\`). What the all-coins stream costs through \`FanoutShard\` objects at the market's
peak (2,000 ticks/s over ~200-300 coins, ${inputs.flushesPerSecond} flushes a second): the board publishes each flush once per shard
(an RPC), each shard sends it to its sockets. The peak is assumed to last the whole 30-day month, so the bill
is an upper bound: scale its usage lines by the share of the month spent at the peak.

## Inputs

${markdownTable(
  ["input", "value", "from"],
  NUMERIC_KEYS.map((k) => [`\`${k}\``, String(inputs[k]), sources[k]]),
)}

The CPU figures come from this machine: 2 vCPU AMD EPYC, every object in one workerd thread, the benchmark's
subscribers on the same two cores, sockets written over loopback. Production differs (other CPUs, a thread
sharing its core with other isolates, writes into Cloudflare's network): take them as an order of magnitude,
and measure one shard on a deploy before trusting the CPU bound.

## Prices (read ${PRICES_READ_ON})

${markdownTable(["item", "price", "source"], PRICE_SOURCES)}

## Capacity at the peak

${md(capacityTable(rows))}

## Monthly bill at the peak

Requests: one per publish (per shard or relay per flush), ${inputs.doRequestsPerConnection} per connection, one per
${CLOUDFLARE_PRICES.wsMessagesPerRequest} incoming messages. Duration: 128 MB per object. "total/month" bills every object all month, as if a
shard never idled; the last column bills shards and relays only while they handle a publish (their CPU time:
a lower bound), which the docs allow (an idle object that could hibernate is not billed, even before it
does). Totals include the ${usd(CLOUDFLARE_PRICES.baseUsd)} base fee and the Workers line (upgrades and their CPU); egress is free.

${md(billTable(rows, active))}

Also assumed: the included amounts all go to fan-out (the rest of the product uses them too); each client
\`ping\` (every ${inputs.pingSeconds} s) counts as an incoming message (the docs exempt protocol pings, and exempt
auto-responses from duration only); \`subscribe\` messages are left out.

## Headroom

An object's thread may use ${pct(inputs.cpuHeadroom)} of a core at the peak. The steady rate hides what a shard also takes
on that thread: a flush after a stall carries more coins, a crowd connecting gets snapshots, garbage
collection, a production core that is not this one. At ${pct(inputs.cpuHeadroom)} busy a single-threaded queue (M/D/1)
waits ${waits(inputs.cpuHeadroom)} of a service time on average, so a flush leaves well inside its ${1000 / inputs.flushesPerSecond} ms; at 90% it would wait ${waits(0.9)}.

## Where the next wall is

- **The board's thread.** With ${(inputs.boardCpuMillisPerSecond / 10).toFixed(0)}% of a core for its own work and ${inputs.boardCpuMicrosPerPublish} µs per publish, the board
  reaches ${lim.boardTargets} objects per flush within the headroom: ${n(lim.boardTargets * lim.socketsPerShard)} subscribers. Past that it needs a
  **second tier**: the board publishes to relays, each publishing to up to ${lim.shardsPerRelay} shards (${top.relays} relays at
  ${n(top.subscribers)}), at the cost of one more RPC hop per flush.
- **A shard's thread.** At ${lim.socketsPerShard} sockets a shard uses ${pct(rows[0].shardCpuShare)} of a core (the CPU bound is ${lim.socketsByCpu} sockets),
  and writes ${rate(lim.socketsPerShard * perSubscriber)} (${bits(lim.socketsPerShard * perSubscriber)}). Cloudflare documents no per-object bandwidth:
  measure it on a deploy before raising the ceiling.
- **Requests per object.** An object has a soft limit of 1,000 requests/s (Durable Objects limits, FAQ). A
  shard gets ${inputs.flushesPerSecond} publishes/s. The board gets a placement per connection: ${n(top.subscribers / (inputs.sessionMinutes * 60))}/s at ${n(top.subscribers)} with
  ${inputs.sessionMinutes}-minute sessions, but a deploy closes every socket at once, and ${n(top.subscribers)} placements at 1,000/s
  take ${(top.subscribers / 1000 / 60).toFixed(0)} minutes: placement has to leave the board before then.
- **Connections per object.** The Hibernation API allows ${HIBERNATION_SOCKET_LIMIT.toLocaleString("en-US")} WebSockets per object; the ceiling of
  ${inputs.shardCeiling} is far below. Not a wall.
- **Bandwidth: the first wall.** Each all-coins subscriber receives ${rate(perSubscriber)} (${bits(perSubscriber)}), ${n(top.subscribers)} of them
  ${rate(top.egressBytesPerSecond)}. Cloudflare bills no egress, but few clients hold that steadily, and traffic of this
  size is a conversation with Cloudflare. The main benchmark saw 10 messages/s per socket at 2,000 ticks/s
  (one collector batch per 100 ms), half the ${inputs.flushesPerSecond} assumed here; a five-coin watchlist message is ~600
  bytes. Thinner all-coin streams (fewer flushes for them, compression) are the lever.
- **The bill.** Publishes are ${pct(publishShare)} of the bill at ${n(top.subscribers)}: every RPC is a billed request. The pricing
  page says calls on an \`RpcTarget\` stub returned by an RPC belong to that session and are not billed again:
  a board holding one session per shard would all but remove that line (to verify on a deploy, with what a
  long session does to a shard's eviction).
`;
}

function main(argv: string[]): void {
  let run: RunFile | null = null;
  try {
    run = JSON.parse(readFileSync(new URL("./results.json", import.meta.url), "utf8")) as RunFile;
  } catch {
    console.log("no bench/results.json: every input is a flag or a default");
  }
  const { inputs, sources } = resolveInputs(run, argv);
  const rows = costModel(inputs);
  const active = costModel({ ...inputs, durationBilling: "active" });
  for (const key of NUMERIC_KEYS) console.log(`${key} = ${inputs[key]}  (${sources[key]})`);
  console.log(`\n${columns(capacityTable(rows)).join("\n")}\n\n${columns(billTable(rows, active)).join("\n")}`);
  writeFileSync(new URL("./COST.md", import.meta.url), costReport(inputs, sources, rows, active));
  console.log("\nwrote bench/COST.md");
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) main(process.argv.slice(2));
