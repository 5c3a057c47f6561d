/**
 * Where the Worker's CPU goes under a given load: starts ours (as `npm run bench` does), optionally
 * connects subscribers, posts ticks at a fixed rate and records a V8 CPU profile of the Worker's
 * isolate through the inspector that `wrangler dev` exposes. Prints self time per function and the
 * inclusive time of the functions on the market-data path; writes the `.cpuprofile` (open it in
 * Chrome DevTools) to the system temp directory.
 *
 *   npx tsx bench/profile-worker.ts [ticksPerSecond=1000] [subscribers=0] [seconds=8] [coins=200] [restPerSecond=0]
 *
 * With `restPerSecond` > 0, `GET /api/coins/latest` is also requested at that rate (open loop).
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import WebSocket from "ws";
import { runIngestLoad } from "./ingest-load";
import { coinSymbols, setupBatch, TickWriter } from "./market-fixture";
import { runRestLoad } from "./rest-load";
import { SubscriberPool } from "./subscriber-pool";
import { snapshotSource, startOurs } from "./systems";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  startTime: number;
  endTime: number;
}

const [rate = 1000, subscribers = 0, seconds = 8, coinCount = 200, restRate = 0] = process.argv.slice(2).map(Number);

/** The inspector port of the proxy workerd, which relays to the Worker's isolate. */
function inspectorPorts(pid: number): number[] {
  const out = execFileSync("ss", ["-ltnpH"]).toString();
  return [...out.matchAll(new RegExp(`127\\.0\\.0\\.1:(\\d+).*pid=${pid},`, "g"))].map((m) => Number(m[1]));
}

async function findInspector(pids: number[]): Promise<string> {
  for (const pid of pids) {
    for (const port of inspectorPorts(pid)) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/json/list`, { signal: AbortSignal.timeout(1000) });
        const targets = (await res.json()) as { webSocketDebuggerUrl?: string }[];
        const url = targets.find((t) => t.webSocketDebuggerUrl)?.webSocketDebuggerUrl;
        if (url) return url;
      } catch {
        // not an inspector
      }
    }
  }
  throw new Error("no inspector found on the wrangler dev processes");
}

function connectInspector(url: string): Promise<(method: string, params?: object) => Promise<unknown>> {
  const ws = new WebSocket(url);
  let id = 0;
  const pending = new Map<number, (result: unknown) => void>();
  ws.on("message", (data: Buffer) => {
    const msg = JSON.parse(data.toString()) as { id?: number; result?: unknown };
    if (msg.id !== undefined) pending.get(msg.id)?.(msg.result);
  });
  return new Promise((resolve, reject) => {
    ws.once("error", reject);
    ws.once("open", () =>
      resolve(
        (method, params = {}) =>
          new Promise((done) => {
            const i = ++id;
            pending.set(i, done);
            ws.send(JSON.stringify({ id: i, method, params }));
          }),
      ),
    );
  });
}

function summarise(profile: CpuProfile): string {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const label = (n: ProfileNode) =>
    `${n.callFrame.functionName || "(anonymous)"} ${n.callFrame.url.split("/").pop() ?? ""}:${n.callFrame.lineNumber + 1}`;
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  for (const sample of profile.samples) {
    const node = byId.get(sample);
    if (!node) continue;
    self.set(label(node), (self.get(label(node)) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const name = (byId.get(id) as ProfileNode).callFrame.functionName || "(anonymous)";
      if (seen.has(name)) continue;
      seen.add(name);
      inclusive.set(name, (inclusive.get(name) ?? 0) + 1);
    }
  }
  const total = profile.samples.length;
  const pct = (v: number) => `${((v / total) * 100).toFixed(1).padStart(5)} %`;
  const idle = self.get("(idle) :0") ?? 0;
  const lines = [
    `${total} samples over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s; isolate busy ${(100 - (idle / total) * 100).toFixed(0)} %`,
    "",
    "self time:",
    ...[...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([k, v]) => `${pct(v)}  ${k}`),
    "",
    "inclusive time (market-data path):",
    ...[
      "applyBatch",
      "applyTicks",
      "flush",
      "send",
      "renderPatch",
      "diffPatch",
      "buildCoin",
      "latestBody",
      "allCoins",
      "fetch",
      "webSocketMessage",
      "closeStalled",
      "upsertCandle",
      "exec",
      "parse",
      "stringify",
    ].map((name) => `${pct(inclusive.get(name) ?? 0)}  ${name}`),
  ];
  return lines.join("\n");
}

async function main(): Promise<void> {
  const source = snapshotSource();
  const system = await startOurs(source);
  let pool: SubscriberPool | undefined;
  try {
    const coins = coinSymbols(coinCount);
    const writer = new TickWriter(coins);
    await fetch(`${system.url}/internal/ingest`, {
      method: "POST",
      headers: { authorization: `Bearer ${system.token}`, "content-type": "application/json" },
      body: setupBatch(writer, Date.now() - 1000),
    });
    if (subscribers > 0) {
      pool = new SubscriberPool({
        port: system.port,
        mode: "coins",
        coins,
        paths: Array.from({ length: subscribers }, () => "/ws/market"),
        sampleEvery: 50,
        threads: 2,
      });
      await pool.connect();
    }
    const pids = system
      .processes()
      .filter((p) => p.label.startsWith("workerd"))
      .map((p) => p.pid);
    const call = await connectInspector(await findInspector(pids));
    await call("Profiler.enable");
    await call("Profiler.setSamplingInterval", { interval: 500 });
    const startAt = Date.now() + 1000;
    const load = runIngestLoad({
      url: `${system.url}/internal/ingest`,
      token: system.token,
      writer,
      rate,
      startAt,
      warmupMs: 1000,
      measureMs: seconds * 1000,
      maxInFlight: 8,
      graceMs: 5000,
    });
    await new Promise((r) => setTimeout(r, startAt + 1000 - Date.now()));
    await call("Profiler.start");
    const rest =
      restRate > 0
        ? runRestLoad({
            url: `${system.url}/api/coins/latest`,
            ratePerSecond: restRate,
            durationMs: seconds * 1000,
            maxSockets: 64,
            graceMs: 5000,
          })
        : undefined;
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const { profile } = (await call("Profiler.stop")) as { profile: CpuProfile };
    const result = await load;
    const restResult = await rest;
    if (restResult) {
      console.log(
        `REST: ${restResult.ok}/${restResult.scheduled} answered, p50/p95/p99 ${restResult.latency?.p50}/${restResult.latency?.p95}/${restResult.latency?.p99} ms`,
      );
    }
    const file = join(tmpdir(), `kimchi-worker-${rate}tps-${subscribers}subs.cpuprofile`);
    writeFileSync(file, JSON.stringify(profile));
    console.log(
      `load: ${rate} ticks/s over ${coinCount} coins, ${subscribers} subscribers; acknowledged ${(result.windowAckedTicks / seconds).toFixed(0)} ticks/s, ` +
        `ack p50/p99 ${result.ack?.p50.toFixed(0)}/${result.ack?.p99.toFixed(0)} ms`,
    );
    console.log(summarise(profile));
    console.log(`\nprofile: ${file}`);
  } finally {
    await pool?.dispose();
    await system.stop();
    source.dispose();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
