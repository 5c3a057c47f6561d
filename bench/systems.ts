/**
 * The systems the benchmark compares, started and stopped the same way: ours (the real Worker under
 * `wrangler dev`, i.e. local workerd), the naive baseline (bench/baseline-server.ts) and the
 * conflated peer (bench/conflated-peer-server.ts).
 */
import { type ChildProcess, execFileSync, execSync, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type * as WorkerHarness from "../test/support/worker-process";
import { DEV_COLLECTOR_TOKEN, freePort } from "../test/support/worker-process";
import { batchBody } from "./market-fixture";
import { descendants, type WatchedProcess } from "./process-usage";
import type { ScanMode } from "./update-scanner";

export type SystemName = "ours" | "baseline" | "peer";

export interface SystemUnderTest {
  name: SystemName;
  url: string;
  port: number;
  token: string;
  /** How its `/ws/market` messages are read. */
  mode: ScanMode;
  /** The processes that serve it (and the benchmark's own), for CPU and memory figures. */
  processes(): WatchedProcess[];
  /**
   * Ours: the URL of the Worker's own workerd socket, behind the proxy workerd that `wrangler dev`
   * puts on the public port (for live reload; not part of a deployed Worker's path). Null if not found.
   */
  directUrl?(): Promise<string | null>;
  /** Stops it and deletes its state. */
  stop(): Promise<void>;
  /** Ours: stops it and keeps its state (its local D1 and objects), for `restart`. */
  stopKeepingState?(): Promise<void>;
  /** Ours: starts it again on the same port with the state it had (after `stopKeepingState`). */
  restart?(): Promise<void>;
}

const root = new URL("..", import.meta.url).pathname;
const BUNDLE_DIR = ".bench-dist";
const self: WatchedProcess = { label: "bench client (load + subscribers)", pid: process.pid };

/** A copy of the repository at one commit, with which the Worker is run. */
export interface SourceSnapshot {
  dir: string;
  commit: string;
  dispose(): void;
}

/**
 * Extracts `ref` (default HEAD) into a temporary directory and bundles the Worker there once
 * (`wrangler deploy --dry-run`), then points that copy's wrangler.toml at the bundle with
 * `no_bundle`. `wrangler dev` watches every file it bundled (node_modules included) and restarts the
 * Worker, closing every socket, when one changes; in a checkout that others edit and test in, that
 * would cut runs short. From the copy it watches one file nobody touches.
 */
export function snapshotSource(ref = "HEAD"): SourceSnapshot {
  const commit = execFileSync("git", ["rev-parse", ref], { cwd: root }).toString().trim();
  const dir = mkdtempSync(join(tmpdir(), "kimchi-bench-src-"));
  execSync(`git archive --format=tar ${commit} | tar -x -C ${JSON.stringify(dir)}`, { cwd: root });
  symlinkSync(join(root, "node_modules"), join(dir, "node_modules"));
  mkdirSync(join(dir, "web", "dist"), { recursive: true }); // static assets are not needed here
  // `wrangler d1 migrations apply` fails without migrations; D1 is not on the market-data path, so
  // while none are committed yet the working tree's are used.
  if (!existsSync(join(dir, "migrations")) && existsSync(join(root, "migrations"))) {
    cpSync(join(root, "migrations"), join(dir, "migrations"), { recursive: true });
  }
  execFileSync("npx", ["wrangler", "deploy", "--dry-run", "--outdir", BUNDLE_DIR], { cwd: dir, stdio: "ignore" });
  const tomlPath = join(dir, "wrangler.toml");
  const toml = readFileSync(tomlPath, "utf8");
  const main = /^main\s*=.*$/m;
  if (!main.test(toml)) throw new Error("wrangler.toml has no `main`");
  writeFileSync(
    tomlPath,
    toml.replace(
      main,
      `main = "${BUNDLE_DIR}/index.js"\nno_bundle = true\nfind_additional_modules = true\nbase_dir = "${BUNDLE_DIR}"`,
    ),
  );
  return { dir, commit, dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

/**
 * The real Worker under `wrangler dev` from `source`, with fresh local state. `vars` override
 * wrangler.toml's (e.g. a higher ALERTS_MAX_PER_USER).
 */
export async function startOurs(
  source: SourceSnapshot,
  options: { vars?: Record<string, string> } = {},
): Promise<SystemUnderTest> {
  const harness = (await import(join(source.dir, "test/support/worker-process.ts"))) as typeof WorkerHarness;
  // BENCH_FANOUT_INTERVAL_MS overrides wrangler.toml's FANOUT_INTERVAL_MS (to compare intervals).
  const interval = process.env.BENCH_FANOUT_INTERVAL_MS;
  const vars = { ...options.vars, ...(interval ? { FANOUT_INTERVAL_MS: interval } : {}) };
  const worker = await harness.startWorker(Object.keys(vars).length > 0 ? { vars } : {});
  return {
    name: "ours",
    url: worker.url,
    port: worker.port,
    token: worker.token,
    mode: "coins",
    processes: () => {
      const watched: WatchedProcess[] = [];
      for (const p of descendants(process.pid)) {
        if (p.comm === "workerd") {
          // wrangler dev runs two workerd: a proxy on the public port, and the Worker behind it.
          const proxy = p.cmdline.includes(`entry=127.0.0.1:${worker.port}`);
          watched.push({ label: proxy ? "workerd: wrangler dev proxy" : "workerd: our Worker + DOs", pid: p.pid });
        } else if (p.comm === "node" && p.cmdline.includes("wrangler-dist/cli.js")) {
          watched.push({ label: "wrangler (node)", pid: p.pid });
        }
      }
      return [...watched, self];
    },
    directUrl: () => findDirectUrl(worker.port),
    stop: () => worker.dispose(),
    stopKeepingState: () => worker.stop(),
    restart: () => worker.restart(),
  };
}

/**
 * Ours reached on the Worker's own workerd socket instead of the public port (the dev proxy): the
 * same system with another `url` and `port`. Others, or when the socket is not found, as they are.
 */
export async function reachDirectly(system: SystemUnderTest, log: (line: string) => void): Promise<SystemUnderTest> {
  if (!system.directUrl) return system;
  const url = await system.directUrl();
  if (!url) {
    log(`${system.name}: the Worker's own socket was not found; using the dev proxy`);
    return system;
  }
  return { ...system, url, port: Number(new URL(url).port) };
}

/** POSTs an ingest batch body with the collector token; answers its status and round trip (ms). */
export async function postBatch(system: SystemUnderTest, body: string): Promise<{ status: number; ms: number }> {
  const start = Date.now();
  const res = await fetch(`${system.url}/internal/ingest`, {
    method: "POST",
    headers: { authorization: `Bearer ${system.token}`, "content-type": "application/json" },
    body,
  });
  await res.text();
  return { status: res.status, ms: Date.now() - start };
}

/** Waits until an empty batch is acknowledged within a second: the ingest path has no backlog left. */
export async function ingestIdle(system: SystemUnderTest, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const { status, ms } = await postBatch(system, batchBody([], Date.now()));
      if (status === 200 && ms < 1000) return true;
    } catch {
      // not answering yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return false;
}

/**
 * Waits (bounded) until ours has delivered every coin's history to its MarketSymbol (the board's
 * symbol outbox is empty); answers whether it did. True at once for the baseline.
 */
export async function outboxDrained(system: SystemUnderTest, timeoutMs: number): Promise<boolean> {
  if (system.name !== "ours") return true;
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const text = await (await fetch(`${system.url}/metrics`)).text();
    if (/^kimchi_symbol_outbox 0$/m.test(text)) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}

/**
 * The loopback socket on which the Worker's workerd (not the dev proxy in front of it) answers our
 * `/health`: the proxy is the workerd whose command line names the public port as its entry.
 */
async function findDirectUrl(publicPort: number): Promise<string | null> {
  const proxies = new Set(
    descendants(process.pid)
      .filter((p) => p.comm === "workerd" && p.cmdline.includes(`entry=127.0.0.1:${publicPort}`))
      .map((p) => p.pid),
  );
  const listening = execFileSync("ss", ["-ltnpH"]).toString();
  for (const m of listening.matchAll(/127\.0\.0\.1:(\d+)\s.*"workerd",pid=(\d+)/g)) {
    const [port, pid] = [Number(m[1]), Number(m[2])];
    if (port === publicPort || proxies.has(pid)) continue;
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health`, { signal: AbortSignal.timeout(1000) });
      const body = (await res.json()) as { status?: string };
      if (res.ok && body.status === "ok") return `http://127.0.0.1:${port}`;
    } catch {
      // not the Worker's socket
    }
  }
  return null;
}

/** The baseline `ws` server in its own Node process (forwards every tick to every socket). */
export function startBaseline(): Promise<SystemUnderTest> {
  return startNodeServer("baseline", "./baseline-server.ts", "baseline server (node)", "tick");
}

/** The conflated peer `ws` server in its own Node process (ours' protocol, one Node thread). */
export function startPeer(): Promise<SystemUnderTest> {
  return startNodeServer("peer", "./conflated-peer-server.ts", "peer server (node)", "coins");
}

/** A bench Node server (`<script> <port> <token>`, prints `listening`) in its own process. */
async function startNodeServer(
  name: SystemName,
  script: string,
  label: string,
  mode: ScanMode,
): Promise<SystemUnderTest> {
  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    ["--import", "tsx", new URL(script, import.meta.url).pathname, String(port), DEV_COLLECTOR_TOKEN],
    { cwd: root, stdio: ["ignore", "pipe", "inherit"] },
  );
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the ${name} server did not start`)), 30_000);
    child.stdout?.on("data", (chunk: Buffer) => {
      if (chunk.toString().includes("listening")) {
        clearTimeout(timer);
        resolve();
      }
    });
    child.once("exit", (code) => reject(new Error(`the ${name} server exited (${code})`)));
  });
  return {
    name,
    url: `http://127.0.0.1:${port}`,
    port,
    token: DEV_COLLECTOR_TOKEN,
    mode,
    processes: () => [{ label, pid: child.pid as number }, self],
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill("SIGKILL");
      await exited;
    },
  };
}
