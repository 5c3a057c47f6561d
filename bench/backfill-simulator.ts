/**
 * The venue simulator of the backfill benchmark, in a process of its own (parent side; the child is
 * bench/backfill-sim-child.ts). A venue's CPU is not the collectors' in production, and the requests'
 * arrival times, from which the peak rates are measured, should not wait on the collectors' event loop.
 */
import { type ChildProcess, fork } from "node:child_process";
import type { ListedMarket } from "../collectors/core/market-directory";
import type { SimMarketVenue } from "../collectors/simulator/coin-catalog";

/** What the child is started with. */
export interface SimChildConfig {
  /** Coins in the simulator's catalog: enough that every venue lists `marketsPerVenue`. */
  coins: number;
  marketsPerVenue: number;
}

export type SimCommand = { type: "timeline"; id: number; venue: SimMarketVenue; pathPrefix: string } | { type: "stop" };

export type SimReply =
  | { type: "ready"; url: string; markets: ListedMarket[]; coins: number }
  | { type: "timeline"; id: number; times: number[] }
  | { type: "failed"; error: string };

/** The simulator child: its URL, the markets it lists for the benchmark, and its request times. */
export class SimulatorProcess {
  private nextId = 0;
  private readonly pending = new Map<number, (times: number[]) => void>();

  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    /** Per venue, the first `marketsPerVenue` markets the simulator lists there (KRW-USDT first on the Korean venues). */
    readonly markets: readonly ListedMarket[],
    /** Coins in its catalog. */
    readonly coins: number,
  ) {
    child.on("message", (reply: SimReply) => {
      if (reply.type !== "timeline") return;
      this.pending.get(reply.id)?.(reply.times);
      this.pending.delete(reply.id);
    });
  }

  /** Forks the child and waits until its server listens. */
  static start(config: SimChildConfig): Promise<SimulatorProcess> {
    const child = fork(new URL("./backfill-sim-child.ts", import.meta.url).pathname, [JSON.stringify(config)], {
      execArgv: ["--import", "tsx"],
      stdio: ["ignore", "inherit", "inherit", "ipc"],
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error("the simulator process did not start")), 60_000);
      child.once("exit", (code) => reject(new Error(`the simulator process exited (${code})`)));
      child.on("message", (reply: SimReply) => {
        if (reply.type === "failed") reject(new Error(`the simulator process failed: ${reply.error}`));
        if (reply.type !== "ready") return;
        clearTimeout(timer);
        resolve(new SimulatorProcess(child, reply.url, reply.markets, reply.coins));
      });
    });
  }

  /** The child's process id (for CPU figures). */
  get pid(): number {
    return this.child.pid as number;
  }

  /** Arrival times (ms) of the REST requests a venue received on paths starting with `pathPrefix`. */
  timeline(venue: SimMarketVenue, pathPrefix: string): Promise<number[]> {
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.pending.set(id, resolve);
      this.child.send({ type: "timeline", id, venue, pathPrefix } satisfies SimCommand);
    });
  }

  /** Stops the simulator and its process. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((r) => this.child.once("exit", () => r()));
    this.child.send({ type: "stop" } satisfies SimCommand);
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 5000);
    await exited;
    clearTimeout(timer);
  }
}
