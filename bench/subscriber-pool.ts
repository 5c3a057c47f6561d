/**
 * The benchmark's WebSocket subscribers (1,000 or 5,000), spread over worker threads (main-thread
 * side). Every `sampleEvery`-th socket, in connection order, reads its messages in full for latency;
 * the others only count, so the subscribers stay cheap next to the system under test.
 */
import { Worker } from "node:worker_threads";
import { openFileLimit } from "./machine";
import type {
  CollectReply,
  ConnectReply,
  MeasureWindow,
  ProgressReply,
  SocketSpec,
  StormReply,
  SubscriberThreadConfig,
  ThreadCommand,
  ThreadReply,
} from "./subscriber-protocol";
import type { ScanMode } from "./update-scanner";

/** How a pool is laid out. */
export interface PoolOptions {
  port: number;
  mode: ScanMode;
  coins: string[];
  /** One request path (with query) per subscriber. */
  paths: string[];
  sampleEvery: number;
  threads: number;
  /** Sampled sockets decode each message with JSON.parse (see subscriber-thread.ts). */
  parse?: boolean;
}

/** What a connect storm saw, per socket by id (epoch ms; NaN: never). */
export interface StormTimes {
  openedAt: number[];
  upgradedAt: number[];
  firstMessageAt: number[];
  failed: number;
  firstError: string | null;
}

/** Runs a TypeScript worker through tsx (a worker does not inherit the main thread's loader in Node 20). */
function tsWorker(file: URL, data: SubscriberThreadConfig): Worker {
  const api = import.meta.resolve("tsx/esm/api");
  const source = `import(${JSON.stringify(api)}).then((m) => { m.register(); return import(${JSON.stringify(file.href)}); });`;
  return new Worker(source, { eval: true, workerData: data });
}

class ThreadHandle {
  private pending: ((reply: ThreadReply) => void) | undefined;

  constructor(
    readonly worker: Worker,
    readonly sockets: SocketSpec[],
  ) {
    worker.on("message", (reply: ThreadReply) => {
      const resolve = this.pending;
      this.pending = undefined;
      resolve?.(reply);
    });
    worker.on("error", (error) => {
      console.error("subscriber thread failed:", error);
    });
  }

  request<R extends ThreadReply>(command: ThreadCommand): Promise<R> {
    if (this.pending) throw new Error("one command at a time per thread");
    return new Promise((resolve) => {
      this.pending = resolve as (reply: ThreadReply) => void;
      this.worker.postMessage(command);
    });
  }
}

/** The subscribers' combined view of one measurement window. */
export interface PoolWindowResult {
  windowMessages: number;
  windowBytes: number;
  perSocketMessages: number[];
  sampledMessages: number;
  sampledEntries: number;
  records: Float64Array[];
  /** Highest event-loop utilisation among the threads (near 1 means the subscribers were the bottleneck). */
  maxEventLoopUtilization: number;
  closed: number;
  /** The sampled sockets' ids and paths. */
  sampled: SocketSpec[];
}

export class SubscriberPool {
  private readonly threads: ThreadHandle[];

  constructor(private readonly options: PoolOptions) {
    const specs: SocketSpec[] = options.paths.map((path, id) => ({
      id,
      path,
      sampled: id % options.sampleEvery === Math.floor(options.sampleEvery / 2),
    }));
    this.threads = Array.from({ length: options.threads }, (_, t) => {
      const sockets = specs.filter((s) => s.id % options.threads === t);
      const data: SubscriberThreadConfig = {
        port: options.port,
        mode: options.mode,
        coins: options.coins,
        sockets,
        parse: options.parse ?? false,
      };
      return new ThreadHandle(tsWorker(new URL("./subscriber-thread.ts", import.meta.url), data), sockets);
    });
  }

  /** Number of subscribers. */
  get size(): number {
    return this.options.paths.length;
  }

  private all<R extends ThreadReply>(command: ThreadCommand): Promise<R[]> {
    return Promise.all(this.threads.map((t) => t.request<R>(command)));
  }

  /** Opens every socket; throws unless all of them upgraded. */
  async connect(): Promise<void> {
    const limit = openFileLimit();
    if (limit < this.size + 256) {
      throw new Error(`${this.size} sockets need more open files than \`ulimit -n\` (${limit}) allows; raise it`);
    }
    const replies = await this.all<ConnectReply>({ type: "connect" });
    const failed = replies.reduce((n, r) => n + r.failed, 0);
    if (failed > 0) {
      const error = replies.find((r) => r.firstError)?.firstError;
      throw new Error(`${failed} of ${this.size} subscribers failed to connect: ${error}`);
    }
  }

  /**
   * Opens every socket, spread evenly over `spreadMs` from `startAt` (not `connect`'s bounded
   * concurrency), and answers when each has its first message or `timeoutMs` after the last opening.
   */
  async storm(startAt: number, spreadMs: number, timeoutMs: number): Promise<StormTimes> {
    const replies = await this.all<StormReply>({ type: "storm", startAt, spreadMs, total: this.size, timeoutMs });
    const times: StormTimes = {
      openedAt: new Array<number>(this.size).fill(Number.NaN),
      upgradedAt: new Array<number>(this.size).fill(Number.NaN),
      firstMessageAt: new Array<number>(this.size).fill(Number.NaN),
      failed: replies.reduce((n, r) => n + r.failed, 0),
      firstError: replies.find((r) => r.firstError)?.firstError ?? null,
    };
    replies.forEach((r, t) => {
      this.threads[t].sockets.forEach((s, i) => {
        times.openedAt[s.id] = r.openedAt[i];
        times.upgradedAt[s.id] = r.upgradedAt[i];
        times.firstMessageAt[s.id] = r.firstMessageAt[i];
      });
    });
    return times;
  }

  async setWindow(window: MeasureWindow): Promise<void> {
    await this.all({ type: "window", ...window });
  }

  /** Total messages so far, the latest receive time and open sockets: to see when traffic has stopped. */
  async progress(): Promise<{ totalMessages: number; lastReceive: number; open: number }> {
    const replies = await this.all<ProgressReply>({ type: "progress" });
    return {
      totalMessages: replies.reduce((n, r) => n + r.totalMessages, 0),
      lastReceive: Math.max(...replies.map((r) => r.lastReceive)),
      open: replies.reduce((n, r) => n + r.open, 0),
    };
  }

  /**
   * Waits (bounded) until the sockets have received `minMessages` messages in all (ours sends each new
   * socket a snapshot of every coin) and traffic has stopped for 500 ms, so a point does not start
   * behind a backlog of snapshots. Answers whether it settled before `timeoutMs`.
   */
  async settle(minMessages: number, timeoutMs = 60_000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const p = await this.progress();
      if (p.totalMessages >= minMessages && Date.now() - p.lastReceive > 500) return true;
      if (Date.now() > deadline) return false;
      await new Promise((r) => setTimeout(r, 250));
    }
  }

  async collect(): Promise<PoolWindowResult> {
    const replies = await this.all<CollectReply>({ type: "collect" });
    const perSocketMessages = new Array<number>(this.size).fill(0);
    replies.forEach((r, t) => {
      this.threads[t].sockets.forEach((s, i) => {
        perSocketMessages[s.id] = r.perSocketMessages[i];
      });
    });
    return {
      windowMessages: replies.reduce((n, r) => n + r.windowMessages, 0),
      windowBytes: replies.reduce((n, r) => n + r.windowBytes, 0),
      perSocketMessages,
      sampledMessages: replies.reduce((n, r) => n + r.sampledMessages, 0),
      sampledEntries: replies.reduce((n, r) => n + r.sampledEntries, 0),
      records: replies.map((r) => r.records),
      maxEventLoopUtilization: Math.max(...replies.map((r) => r.eventLoopUtilization)),
      closed: replies.reduce((n, r) => n + r.closed, 0),
      sampled: this.threads.flatMap((t) => t.sockets.filter((s) => s.sampled)),
    };
  }

  /** Closes every socket (the threads stay, ready to connect again). */
  async close(): Promise<void> {
    await this.all({ type: "close" });
  }

  /** Closes the sockets and stops the threads. */
  async dispose(): Promise<void> {
    await this.close();
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }
}
