/**
 * The fan-out benchmark's goals (issue 17) judged on a run's figures, and the caveats the run notes
 * about its own measurement (where the client or other work may have shaped a figure).
 */

import { MANY_CASE } from "./fanout-plan";
import type { PointResult } from "./fanout-point";
import type { Goal, RestRow, SustainedRow } from "./report";
import { serverCpu } from "./report";

/** Ours at one point against an end-to-end p99 bound: kept up, and p99 within it. */
function latencyGoal(goal: string, p: PointResult | undefined, boundMs: number): Goal {
  if (!p) return { goal, measured: "not measured", met: null };
  const p99 = p.endToEnd?.p99;
  return {
    goal,
    measured:
      `end-to-end p99 ${p99 === undefined ? "–" : Math.round(p99)} ms (p50 ${p.endToEnd ? Math.round(p.endToEnd.p50) : "–"} ms), ` +
      `${p.ingestedPerSecond.toFixed(0)} ticks/s acknowledged, ${p.verdict}`,
    met:
      p99 !== undefined &&
      p99 <= boundMs &&
      p.ingest.failedBatches === 0 &&
      p.ingest.unsentBatches === 0 &&
      p.invisibleShare <= 0.01,
  };
}

export function goals(points: PointResult[], sustained: SustainedRow[], rest: RestRow[]): Goal[] {
  const rateOf = (system: string) => sustained.find((s) => s.system === system);
  const [ours, base, peer] = [rateOf("ours"), rateOf("baseline"), rateOf("peer")];
  const ratio = (a?: SustainedRow, b?: SustainedRow) => (a?.rate && b?.rate ? a.rate / b.rate : null);
  const overBase = ratio(ours, base);
  const overPeer = ratio(ours, peer);
  const oursAt = (caseName: string, rate: number) =>
    points.find((p) => p.system === "ours" && p.case === caseName && p.rate === rate);
  // The REST goal is about the Worker on local workerd: judged on the direct path when it was measured.
  const idle = rest.find((r) => r.condition.startsWith("no other load, direct")) ?? rest[0];
  return [
    {
      goal: "sustained ingest with 1,000 all-coin subscribers: ours at least 50x the naive baseline",
      measured:
        ours && base
          ? `ours ${ours.rate ?? "none"} ticks/s, baseline ${base.rate ?? "none"} ticks/s${overBase ? ` (${overBase.toFixed(1)}x)` : ""}` +
            (peer
              ? `; the conflated peer ${peer.rate ?? "none"} ticks/s${overPeer ? ` (ours ${overPeer.toFixed(2)}x)` : ""}`
              : "")
          : "not measured",
      met: ours && base ? (overBase !== null ? overBase >= 50 : ours.rate !== null && base.rate === null) : null,
    },
    latencyGoal(
      "end-to-end p99 at or under 100 ms at 5,000 ticks/s with 1,000 all-coin subscribers",
      oursAt("dashboard", 5000),
      100,
    ),
    latencyGoal(
      "end-to-end p99 at or under 250 ms at 2,000 ticks/s with 5,000 all-coin subscribers",
      oursAt(MANY_CASE, 2000),
      250,
    ),
    {
      goal: "REST p95 at or under 20 ms at 500 req/s (`/api/coins/latest`, 300 coins)",
      measured: idle
        ? `${idle.condition}: p95 ${idle.result.latency ? Math.round(idle.result.latency.p95) : "–"} ms, ${idle.result.ok}/${idle.result.scheduled} answered`
        : "not measured",
      met: idle ? idle.result.latency !== null && idle.result.latency.p95 <= 20 && idle.result.failed === 0 : null,
    },
  ];
}

/** Caveats about the measurement itself: where the client or other work may have shaped a figure. */
export function observe(points: PointResult[], startNote: string): string[] {
  const notes = [startNote];
  for (const p of points) {
    const where = `${p.system} ${p.case} at ${p.rate} ticks/s`;
    if (p.subscriberLoopUtilization > 0.8) {
      notes.push(
        `${where}: the subscriber threads were busy (ELU ${p.subscriberLoopUtilization.toFixed(2)}); latency there is partly the client's.`,
      );
    }
    if ((p.cpuPressurePercent ?? 0) >= 30) {
      notes.push(
        `${where}: runnable tasks waited for a CPU ${p.cpuPressurePercent?.toFixed(0)}% of the time (server ${serverCpu(p).toFixed(0)}% of a core, machine ${p.machineBusyPercent.toFixed(0)}% busy): figures there are bounded by this 2-core machine as much as by the system.`,
      );
    }
    if (!p.quiet) notes.push(`${where}: traffic was still draining after the point; the system was restarted.`);
  }
  return notes;
}
