// `npm start`: the whole system on one machine. Applies the local D1 migrations, runs the Worker
// with local Durable Objects, D1 and Queues (wrangler dev) on PORT (default 8787), then the
// collectors pointed at it (unless COLLECTORS=off): live venues when reachable, else the local venue
// simulator. Ctrl-C stops everything.
import { execFileSync, spawn } from "node:child_process";
import { existsSync } from "node:fs";

const port = process.env.PORT ?? "8787";
const workerUrl = `http://127.0.0.1:${port}`;
const children = [];

function run(cmd, args) {
  execFileSync(cmd, args, { stdio: "inherit" });
}

function start(name, cmd, args, env = {}) {
  // Each child leads its own process group, so stopping it reaches what it started (npx's wrangler
  // and workerd, tsx's node), which a signal to npx alone did not.
  const child = spawn(cmd, args, { stdio: "inherit", env: { ...process.env, ...env }, detached: true });
  child.on("exit", (code, signal) => {
    console.log(`[start] ${name} exited (${signal ?? code}); stopping`);
    stopAll(code ?? 1);
  });
  children.push(child);
  return child;
}

function stopAll(code) {
  for (const child of children) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {
      // already gone
    }
  }
  setTimeout(() => process.exit(code), 500).unref();
}

process.on("SIGINT", () => stopAll(0));
process.on("SIGTERM", () => stopAll(0));

async function waitForWorker() {
  for (let i = 0; i < 120; i++) {
    try {
      const res = await fetch(`${workerUrl}/health`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`the Worker did not answer on ${workerUrl}/health within 60 s`);
}

run("node", ["scripts/ensure-dev-vars.mjs"]);
run("node", ["scripts/build-web.mjs"]);
run("npx", ["wrangler", "d1", "migrations", "apply", "kimchi-edge", "--local"]);
start("worker", "npx", [
  "wrangler",
  "dev",
  "--port",
  port,
  "--ip",
  "127.0.0.1",
  "--show-interactive-dev-session=false",
]);
await waitForWorker();
console.log(`[start] the Worker is up: ${workerUrl} (dashboard /, API docs /docs)`);

if (process.env.COLLECTORS === "off") {
  console.log("[start] COLLECTORS=off: running the Worker alone");
} else if (existsSync("collectors/main.ts")) {
  // Live venues when they are reachable, else the local venue simulator (the collectors log which,
  // and every event then says "source":"simulated"). COLLECTORS_SIMULATE=on|off forces one.
  const token = process.env.COLLECTOR_TOKEN ?? "dev-collector-token-change-me";
  const simulate = process.env.COLLECTORS_SIMULATE ?? "auto";
  start("collectors", "npx", [
    "tsx",
    "collectors/main.ts",
    "--worker-url",
    workerUrl,
    "--token",
    token,
    "--simulate",
    simulate,
  ]);
  console.log(`[start] collectors: health and metrics on http://127.0.0.1:${process.env.COLLECTORS_PORT ?? 8790}`);
} else {
  console.log("[start] no collectors yet: running the Worker alone");
}
