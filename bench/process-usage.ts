/**
 * CPU and memory of the processes under test and of the whole machine, from /proc (Linux), so the
 * report can say what was saturated: the server, the benchmark's own client, or the machine.
 */
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";

const CLOCK_TICKS = Number(execFileSync("getconf", ["CLK_TCK"]).toString().trim()) || 100;

/** A process to watch, with a label for the report. */
export interface WatchedProcess {
  label: string;
  pid: number;
}

interface ProcInfo {
  pid: number;
  ppid: number;
  comm: string;
  cmdline: string;
}

function readStat(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // comm may hold spaces: split after its closing parenthesis.
    const close = stat.lastIndexOf(")");
    return [String(pid), stat.slice(stat.indexOf("(") + 1, close), ...stat.slice(close + 2).split(" ")];
  } catch {
    return null;
  }
}

/** Every live descendant of `root`, with its command line. */
export function descendants(root: number): ProcInfo[] {
  const all: ProcInfo[] = [];
  for (const name of readdirSync("/proc")) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, "utf8").replaceAll("\0", " ");
    } catch {
      continue;
    }
    all.push({ pid: Number(name), ppid: Number(stat[3]), comm: stat[1], cmdline });
  }
  const out: ProcInfo[] = [];
  const frontier = [root];
  while (frontier.length > 0) {
    const parent = frontier.pop() as number;
    for (const p of all) {
      if (p.ppid === parent) {
        out.push(p);
        frontier.push(p.pid);
      }
    }
  }
  return out;
}

function cpuTicks(pid: number): number {
  const stat = readStat(pid);
  return stat ? Number(stat[13]) + Number(stat[14]) : 0;
}

function rssMb(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) / 1024 : 0;
  } catch {
    return 0;
  }
}

export function machineTicks(): { busy: number; total: number } {
  const fields = readFileSync("/proc/stat", "utf8").split("\n")[0].trim().split(/\s+/).slice(1).map(Number);
  const total = fields.reduce((a, b) => a + b, 0);
  const idle = fields[3] + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

/** Microseconds during which some runnable task waited for a CPU (Linux PSI), or null without PSI. */
function cpuPressureMicros(): number | null {
  try {
    const match = /^some .*total=(\d+)/m.exec(readFileSync("/proc/pressure/cpu", "utf8"));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

/** What one watched process used during a window. */
export interface ProcessUsage {
  label: string;
  /** CPU time over wall time, in percent of one core. */
  cpuPercent: number;
  maxRssMb: number;
}

export interface UsageReport {
  processes: ProcessUsage[];
  /** The whole machine's busy share, in percent of all cores. */
  machineBusyPercent: number;
  /** Share of the window during which some runnable task waited for a CPU (PSI "some"), or null. */
  cpuPressurePercent: number | null;
}

/** Samples CPU time at start and stop, and RSS every 250 ms in between. */
export class UsageSampler {
  private startTicks: number[] = [];
  private startMachine = { busy: 0, total: 0 };
  private startedAt = 0;
  private startPressure: number | null = null;
  private maxRss: number[] = [];
  private timer: ReturnType<typeof setInterval> | undefined;

  constructor(private readonly processes: WatchedProcess[]) {}

  start(): void {
    this.startedAt = Date.now();
    this.startTicks = this.processes.map((p) => cpuTicks(p.pid));
    this.startMachine = machineTicks();
    this.startPressure = cpuPressureMicros();
    this.maxRss = this.processes.map((p) => rssMb(p.pid));
    this.timer = setInterval(() => {
      this.processes.forEach((p, i) => {
        this.maxRss[i] = Math.max(this.maxRss[i], rssMb(p.pid));
      });
    }, 250);
  }

  stop(): UsageReport {
    clearInterval(this.timer);
    const seconds = (Date.now() - this.startedAt) / 1000;
    const machine = machineTicks();
    const pressure = cpuPressureMicros();
    return {
      processes: this.processes.map((p, i) => ({
        label: p.label,
        cpuPercent: ((cpuTicks(p.pid) - this.startTicks[i]) / CLOCK_TICKS / seconds) * 100,
        maxRssMb: this.maxRss[i],
      })),
      machineBusyPercent:
        ((machine.busy - this.startMachine.busy) / Math.max(1, machine.total - this.startMachine.total)) * 100,
      cpuPressurePercent:
        pressure === null || this.startPressure === null ? null : (pressure - this.startPressure) / 1e4 / seconds,
    };
  }
}
