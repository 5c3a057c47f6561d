/**
 * The fan-out shard's CPU per delivered message, the input of the cost model (bench/cost-model.ts).
 * Locally the gateway, the board, the shards and the coins' objects all run in the Worker's one workerd
 * process ("workerd: our Worker + DOs"), so its CPU over a window is read at 2,000 ticks/s with 0
 * (ingest alone), 1,000 and 5,000 all-coin subscribers, and fitted by least squares as
 *
 *   CPU (ms/s) = a + b x messages delivered per second [+ c x publishes per second]
 *
 * `b` is the CPU per socket send, `a` the ingest and board's own cost at that tick rate. A publish is
 * one flush sent to one shard (publishes/s = flushes/s x ceil(subscribers / FANOUT_SHARD_CEILING));
 * `c` is fitted only when the run also measured 1,000 subscribers under a low shard ceiling (many
 * more shards for the same messages), else publishes are folded into `a` and `b`.
 */
import type { PointResult } from "./fanout-point";
import { markdownTable, n } from "./format";
import { FLUSH_INTERVAL_MS } from "./ingest-load";
import type { IngestRow } from "./report";

const WORKERD = "workerd: our Worker + DOs";

/** One measured window. */
export interface ShardCostSample {
  label: string;
  subscribers: number;
  ticksPerSecond: number;
  shardCeiling: number;
  shards: number;
  workerCpuMillisPerSecond: number;
  messagesPerSecond: number;
  publishesPerSecond: number;
  bytesPerMessage: number | null;
  /**
   * Whether the Worker kept up with the load: every tick acknowledged and, with subscribers, each socket
   * got (nearly) every flush; a window that did not has its CPU capped and its messages conflated.
   */
  keptUp: boolean;
}

/** What bench/results.json carries under `shardCost`. */
export interface ShardCost {
  cpuMicrosPerDeliveredMessage: number | null;
  boardCpuMillisPerSecondAt2k: number | null;
  bytesPerMessage: number | null;
  cpuMicrosPerPublish: number | null;
  measuredAt: { subscribers: number; ticksPerSecond: number; shards: number }[];
  samples: ShardCostSample[];
  note: string;
}

const workerCpu = (usage: { label: string; cpuPercent: number }[]) =>
  (usage.find((u) => u.label === WORKERD)?.cpuPercent ?? Number.NaN) * 10;

/** A fan-out point of ours as a sample (`shardCeiling`: the FANOUT_SHARD_CEILING it ran with). */
export function sampleOfPoint(p: PointResult, shardCeiling: number, label = p.case): ShardCostSample {
  const shards = Math.ceil(p.subscribers / shardCeiling);
  return {
    label,
    subscribers: p.subscribers,
    ticksPerSecond: p.rate,
    shardCeiling,
    shards,
    workerCpuMillisPerSecond: workerCpu(p.usage),
    messagesPerSecond: p.messagesPerSecond,
    // Each all-coin socket gets every flush that had a change: flushes/s = messages/s per socket.
    publishesPerSecond: p.subscribers > 0 ? (p.messagesPerSecond / p.subscribers) * shards : 0,
    bytesPerMessage: p.messagesPerSecond > 0 ? (p.megabytesPerSecond * 1e6) / p.messagesPerSecond : null,
    // Below 5,000 ticks/s a batch comes every 100 ms, so an all-coin socket that keeps up gets 10 messages/s.
    keptUp:
      p.ingestedPerSecond >= 0.99 * p.rate &&
      p.ingest.failedBatches === 0 &&
      p.ingest.unsentBatches === 0 &&
      p.messagesPerSecond / Math.max(1, p.subscribers) >= (0.9 * 1000) / FLUSH_INTERVAL_MS,
  };
}

/** Ingest alone (no subscriber) as a sample. */
export function sampleOfIngest(r: IngestRow, shardCeiling: number): ShardCostSample {
  return {
    label: "ingest alone",
    subscribers: 0,
    ticksPerSecond: r.rate,
    shardCeiling,
    shards: 0,
    workerCpuMillisPerSecond: workerCpu(r.usage),
    messagesPerSecond: 0,
    publishesPerSecond: 0,
    bytesPerMessage: null,
    keptUp: r.failed === 0 && r.unsent === 0 && r.ingestedPerSecond >= 0.99 * r.rate,
  };
}

/** Least squares: the coefficients of `columns` (one value per row each) that best give `y`. */
function leastSquares(columns: number[][], y: number[]): number[] | null {
  const k = columns.length;
  // Normal equations (XᵀX) β = Xᵀy, solved by Gaussian elimination with partial pivoting.
  const m = columns.map((ci) => [...columns.map((cj) => dot(ci, cj)), dot(ci, y)]);
  for (let col = 0; col < k; col++) {
    let pivot = col;
    for (let r = col + 1; r < k; r++) if (Math.abs(m[r][col]) > Math.abs(m[pivot][col])) pivot = r;
    if (Math.abs(m[pivot][col]) < 1e-9) return null;
    [m[col], m[pivot]] = [m[pivot], m[col]];
    for (let r = 0; r < k; r++) {
      if (r === col) continue;
      const f = m[r][col] / m[col][col];
      for (let c = col; c <= k; c++) m[r][c] -= f * m[col][c];
    }
  }
  return m.map((row, i) => row[k] / row[i]);
}

const dot = (a: number[], b: number[]) => a.reduce((s, v, i) => s + v * b[i], 0);

/**
 * Fits the samples at 2,000 ticks/s that have a CPU figure: those that kept up, when they still span
 * two message rates (a window that fell behind has its CPU capped at a core and its messages
 * conflated, which would bend the line), else all of them.
 */
export function fitShardCost(all: ShardCostSample[]): ShardCost {
  const measured = all.filter((s) => s.ticksPerSecond === 2000 && Number.isFinite(s.workerCpuMillisPerSecond));
  const keptUp = measured.filter((s) => s.keptUp);
  const spans = (list: ShardCostSample[]) => new Set(list.map((s) => s.messagesPerSecond > 0)).size > 1;
  const samples = spans(keptUp) ? keptUp : measured;
  const ceilings = new Set(samples.filter((s) => s.subscribers > 0).map((s) => s.shardCeiling));
  const y = samples.map((s) => s.workerCpuMillisPerSecond);
  const ones = samples.map(() => 1);
  const messages = samples.map((s) => s.messagesPerSecond);
  const publishes = samples.map((s) => s.publishesPerSecond);
  const withPublish = ceilings.size > 1 && samples.length >= 3 ? leastSquares([ones, messages, publishes], y) : null;
  const fit = withPublish ?? (samples.length >= 2 ? leastSquares([ones, messages], y) : null);
  const at1k = samples.find((s) => s.subscribers === 1000);
  const bytes = (at1k ?? samples.find((s) => s.bytesPerMessage !== null))?.bytesPerMessage ?? null;
  const notes: string[] = [];
  if (samples !== keptUp)
    notes.push("fitted on every window, some of which did not keep up (CPU capped, messages conflated)");
  else if (keptUp.length < measured.length) notes.push("fitted on the windows that kept up only");
  notes.push("b also carries the board's per-flush rendering, spread over the flush's messages");
  const publishCost = withPublish ? withPublish[2] * 1000 : null;
  if (withPublish && (publishCost ?? 0) <= 0)
    notes.push("the per-publish term came out at or below zero: lost in noise");
  if (!withPublish) notes.push("no low-ceiling window to fit on: publishes are folded into a and b");
  return {
    cpuMicrosPerDeliveredMessage: fit ? round(fit[1] * 1000, 2) : null,
    boardCpuMillisPerSecondAt2k: fit ? round(fit[0], 1) : null,
    bytesPerMessage: bytes === null ? null : Math.round(bytes),
    cpuMicrosPerPublish: publishCost !== null && publishCost > 0 ? round(publishCost, 1) : null,
    measuredAt: samples.map((s) => ({
      subscribers: s.subscribers,
      ticksPerSecond: s.ticksPerSecond,
      shards: s.shards,
    })),
    samples: measured,
    note: notes.join("; "),
  };
}

const round = (v: number, digits: number) => Math.round(v * 10 ** digits) / 10 ** digits;

/** The shard cost's section of RESULTS.md. */
export function shardCostMarkdown(cost: ShardCost | null): string {
  if (!cost) return "";
  const rows = cost.samples.map((s) => [
    s.label,
    n(s.subscribers),
    String(s.shardCeiling),
    String(s.shards),
    n(s.ticksPerSecond),
    s.workerCpuMillisPerSecond.toFixed(0),
    n(s.messagesPerSecond),
    s.publishesPerSecond.toFixed(0),
    s.bytesPerMessage === null ? "–" : n(s.bytesPerMessage),
    s.keptUp ? "yes" : "no",
  ]);
  const figure = (v: number | null, unit: string) => (v === null ? "not measured" : `${v} ${unit}`);
  return `## Shard cost: CPU per delivered message (input of bench/cost-model.ts)

The Worker's workerd process (gateway, board, shards and coins, all in one process locally) over each
window, fitted by least squares as CPU = a + b × messages delivered/s${cost.cpuMicrosPerPublish !== null ? " + c × publishes/s" : ""}
(a publish: one flush sent to one shard; shards = ceil(subscribers / FANOUT_SHARD_CEILING)).

- **b, CPU per delivered message (one socket send):** ${figure(cost.cpuMicrosPerDeliveredMessage, "µs")}
- **a, ingest and board at 2,000 ticks/s:** ${figure(cost.boardCpuMillisPerSecondAt2k, "ms of CPU per second")}
- **c, CPU per publish (one flush to one shard):** ${figure(cost.cpuMicrosPerPublish, "µs")}
- **bytes per message** (all-coin update, 2,000 ticks/s, 1,000 subscribers): ${cost.bytesPerMessage ?? "not measured"}
${cost.note ? `- note: ${cost.note}\n` : ""}
${markdownTable(
  [
    "window",
    "subscribers",
    "shard ceiling",
    "shards",
    "ticks/s",
    "Worker CPU ms/s",
    "messages/s",
    "publishes/s",
    "bytes/message",
    "kept up",
  ],
  rows,
)}
`;
}
