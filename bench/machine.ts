/** The machine a benchmark runs on: what it is, and whether other work is keeping it busy. */
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { machineTicks } from "./process-usage";
import type { MachineInfo } from "./report";

/** Where and with what the run happens. */
export function machineInfo(commit: string): MachineInfo {
  const cpuinfo = readFileSync("/proc/cpuinfo", "utf8");
  const wrangler = JSON.parse(
    readFileSync(new URL("../node_modules/wrangler/package.json", import.meta.url), "utf8"),
  ) as { version: string };
  return {
    date: new Date().toISOString(),
    cpus: Number(execFileSync("nproc").toString().trim()) || cpus().length,
    cpuModel: /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1] ?? "unknown",
    memoryGb: totalmem() / 1024 ** 3,
    node: process.version,
    kernel: release(),
    loadAverageAtStart: loadavg()
      .map((l) => l.toFixed(2))
      .join(", "),
    commit,
    wrangler: wrangler.version,
  };
}

/**
 * The "Machine" table of a results file, one line per row. `code` says what was benchmarked (by
 * default: the commit, run from a copy).
 */
export function machineTable(m: MachineInfo, code = `commit \`${m.commit}\` (run from a copy, see Method)`): string[] {
  return [
    "| | |",
    "|---|---|",
    `| CPUs (\`nproc\`) | ${m.cpus} |`,
    `| CPU model | ${m.cpuModel} |`,
    `| memory | ${m.memoryGb.toFixed(1)} GB |`,
    `| Node | ${m.node} |`,
    `| kernel | ${m.kernel} |`,
    `| load average at start (1, 5, 15 min) | ${m.loadAverageAtStart} |`,
    `| code benchmarked | ${code} |`,
    `| wrangler | ${m.wrangler} |`,
  ];
}

/** The machine's busy share over `ms`, in percent of all cores. */
export function machineBusy(ms: number): Promise<number> {
  const a = machineTicks();
  return new Promise((resolve) =>
    setTimeout(() => {
      const b = machineTicks();
      resolve(((b.busy - a.busy) / Math.max(1, b.total - a.total)) * 100);
    }, ms),
  );
}

/** Waits (bounded) until the machine is mostly idle, since it is shared with other work; says how it found it. */
export async function waitForIdleMachine(log: (line: string) => void): Promise<string> {
  const deadline = Date.now() + Number(process.env.BENCH_QUIET_WAIT_S ?? 120) * 1000;
  for (;;) {
    const busy = await machineBusy(3000);
    if (busy < 35) return `machine ${busy.toFixed(0)}% busy before the run`;
    if (Date.now() > deadline) return `machine still ${busy.toFixed(0)}% busy (other work) when the run started`;
    log(`machine ${busy.toFixed(0)}% busy with other work; waiting for it to calm down`);
    await new Promise((r) => setTimeout(r, 5000));
  }
}
