// Password-hash cost inside workerd: PBKDF2-SHA256 at workerd's 100,000-iteration cap against Argon2id
// (hash-wasm's WebAssembly core, driven by workers/auth/argon2id.ts) at OWASP's configurations.
// CPU time is read from the workerd process (/proc, Linux), so it does not depend on workerd's timers.
// Usage: node bench/password-hash.mjs [hashes per setting, default 10]. Figures, not a test.
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { cpus, loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { unstable_startWorker } from "wrangler";

const N = Number(process.argv[2] ?? "10");
const TICKS_PER_SECOND = 100; // USER_HZ on Linux

const SETTINGS = [
  { label: "PBKDF2-SHA256, 100,000 iterations (workerd's cap)", query: "kind=pbkdf2&i=100000" },
  { label: "Argon2id m=19456 KiB, t=2, p=1 (OWASP; our policy)", query: "m=19456&t=2&p=1" },
  { label: "Argon2id m=12288 KiB, t=3, p=1 (OWASP, same strength)", query: "m=12288&t=3&p=1" },
  { label: "Argon2id m=47104 KiB, t=1, p=1 (OWASP, same strength)", query: "m=47104&t=1&p=1" },
  { label: "Argon2id m=65536 KiB, t=3, p=1 (RFC 9106 second choice, 1 lane)", query: "m=65536&t=3&p=1" },
];

/** Total CPU seconds (user + system) of every workerd process that descends from this one. */
function workerdCpuSeconds() {
  const stat = new Map();
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    try {
      const text = readFileSync(`/proc/${pid}/stat`, "utf8");
      const close = text.lastIndexOf(")");
      const comm = text.slice(text.indexOf("(") + 1, close);
      const fields = text.slice(close + 2).split(" ");
      stat.set(Number(pid), { comm, ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // the process ended while we looked
    }
  }
  const descends = (pid) => {
    for (let p = pid; p > 1; p = stat.get(p)?.ppid ?? 0) if (p === process.pid) return true;
    return false;
  };
  let ticks = 0;
  for (const [pid, s] of stat) if (s.comm.startsWith("workerd") && descends(pid)) ticks += s.cpu;
  return ticks / TICKS_PER_SECOND;
}

// A config of its own, so wrangler does not pick up the gateway's wrangler.toml (and its Durable Objects).
const scratch = mkdtempSync(join(tmpdir(), "password-hash-bench-"));
const config = join(scratch, "wrangler.toml");
writeFileSync(
  config,
  [
    'name = "password-hash-bench"',
    `main = "${new URL("./password-hash-worker.js", import.meta.url).pathname}"`,
    'compatibility_date = "2026-04-20"',
    'compatibility_flags = ["nodejs_compat"]',
  ].join("\n"),
);
const worker = await unstable_startWorker({
  config,
  dev: { server: { port: 0 }, inspector: false, persist: false, watch: false, logLevel: "error" },
});
await worker.ready;
const base = "http://bench";

const compile = await (await worker.fetch(`${base}/compile-from-bytes`)).json();
console.log(`WebAssembly.compile(bytes) in workerd: ${compile.allowed ? "allowed" : `refused: ${compile.error}`}`);
console.log(
  `machine: ${cpus()[0]?.model ?? "?"} x${cpus().length}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(" ")}`,
);
console.log(`${N} hashes per setting, after one warm-up hash\n`);
console.log("| setting | CPU ms per hash | wall ms per hash |\n|---|---:|---:|");
for (const s of SETTINGS) {
  await (await worker.fetch(`${base}/?n=1&${s.query}`)).json(); // warm-up (wasm instantiation, JIT)
  const before = workerdCpuSeconds();
  const result = await (await worker.fetch(`${base}/?n=${N}&${s.query}`)).json();
  const cpuMs = ((workerdCpuSeconds() - before) * 1000) / N;
  if (!result.ok) throw new Error(`${s.label}: the hash did not verify`);
  console.log(`| ${s.label} | ${cpuMs.toFixed(0)} | ${result.wallMs.toFixed(0)} |`);
}
await worker.dispose();
