/**
 * Runs the real Worker (wrangler dev: workerd with local D1, Durable Objects and Queues) as a child
 * process for Node-side tests: the collectors' pusher, the browser tests, the benchmarks.
 * Each instance gets its own port and its own state directory, so tests never share state.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

export const DEV_COLLECTOR_TOKEN = "dev-collector-token-change-me";

export interface WorkerProcess {
  url: string;
  port: number;
  token: string;
  /** Stops the Worker; its state directory is kept so `restart()` can bring the same state back. */
  stop(): Promise<void>;
  /** Kills the Worker at once (SIGKILL, no shutdown), as a crash would; `restart()` brings its state back. */
  kill(): Promise<void>;
  /** Starts it again on the same port with the same state (a Worker that was unreachable comes back). */
  restart(): Promise<void>;
  /** Stops it and deletes its state. */
  dispose(): Promise<void>;
  /** What the Worker (wrangler dev and workerd) has written to stdout and stderr so far. */
  logs(): string;
}

/** A free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

async function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`the Worker did not become healthy at ${url} within ${timeoutMs} ms`);
}

/**
 * Starts the Worker from the repository root. `vars` override wrangler.toml vars (e.g. a shorter
 * FANOUT_INTERVAL_MS; rate limits are off, `RATE_LIMITS: "on"` turns them on). Resolves once `/health` answers.
 */
export async function startWorker(
  options: { vars?: Record<string, string>; port?: number } = {},
): Promise<WorkerProcess> {
  const root = new URL("../..", import.meta.url).pathname;
  const port = options.port ?? (await freePort());
  // Its own DevTools inspector port too: the default (9229) is taken by whichever Worker started first.
  const inspectorPort = await freePort();
  const persistTo = mkdtempSync(join(tmpdir(), "kimchi-worker-"));
  // wrangler refuses to start when the static assets folder is missing (a fresh clone before any build).
  mkdirSync(join(root, "web/dist"), { recursive: true });
  const url = `http://127.0.0.1:${port}`;
  // Rate limits off unless asked for: every client here is this machine (one address), and benchmarks
  // and the soak send far more than one client's share.
  const defaults = { COLLECTOR_TOKEN: DEV_COLLECTOR_TOKEN, RATE_LIMITS: "off" };
  const varArgs = Object.entries({ ...defaults, ...options.vars }).flatMap(([k, v]) => ["--var", `${k}:${v}`]);
  execFileSync("npx", ["wrangler", "d1", "migrations", "apply", "kimchi-edge", "--local", "--persist-to", persistTo], {
    cwd: root,
    stdio: "ignore",
  });
  let child: ChildProcess | undefined;
  let logs = "";

  const launch = async () => {
    child = spawn(
      "npx",
      [
        "wrangler",
        "dev",
        "--port",
        String(port),
        "--inspector-port",
        String(inspectorPort),
        "--ip",
        "127.0.0.1",
        "--persist-to",
        persistTo,
        "--show-interactive-dev-session=false",
        "--log-level",
        "warn",
        ...varArgs,
      ],
      { cwd: root, stdio: ["ignore", "pipe", "pipe"], detached: true },
    );
    child.stdout?.setEncoding("utf8").on("data", (d: string) => {
      logs += d;
    });
    child.stderr?.setEncoding("utf8").on("data", (d: string) => {
      logs += d;
      process.stderr.write(d);
    });
    await waitForHealth(url, 90_000);
  };

  const stop = async () => {
    const c = child;
    if (!c || c.exitCode !== null || c.pid === undefined) return;
    const exited = new Promise<void>((r) => c.once("exit", () => r()));
    try {
      process.kill(-c.pid, "SIGTERM"); // the whole group: npx, wrangler and workerd
    } catch {
      // already gone
    }
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))]);
    try {
      process.kill(-c.pid, "SIGKILL");
    } catch {
      // already gone
    }
    child = undefined;
  };

  await launch();
  return {
    url,
    port,
    token: DEV_COLLECTOR_TOKEN,
    stop,
    restart: launch,
    kill: async () => {
      const c = child;
      if (!c || c.exitCode !== null || c.pid === undefined) return;
      const exited = new Promise<void>((r) => c.once("exit", () => r()));
      try {
        process.kill(-c.pid, "SIGKILL"); // the whole group: npx, wrangler and both workerd
      } catch {
        // already gone
      }
      await exited;
      child = undefined;
    },
    dispose: async () => {
      await stop();
      rmSync(persistTo, { recursive: true, force: true });
    },
    logs: () => logs,
  };
}
