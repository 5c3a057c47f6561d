// `npm run check:bundle` (and CI, before the tests): builds the deployable Worker exactly as `wrangler deploy`
// would (`wrangler deploy --dry-run --outdir <tmp>`: no account, no network), prints its size, raw and gzip,
// against the platform's limit, and the static assets against theirs, and fails when anything is over.
//
//   node scripts/check-bundle.mjs [--build-web]
//
// The dashboard (web/dist, the static assets) is built first when it is missing or with --build-web.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { gzipSync } from "node:zlib";

const MiB = 1024 * 1024;

/**
 * The platform's limits, with where they come from and when they were checked. Cloudflare removed the
 * compressed-size limits (3 MB Free, 10 MB Paid, after gzip) on 2026-09-04; a Worker may now be 64 MiB
 * uncompressed on every plan. Checked 2026-12-04:
 * https://developers.cloudflare.com/changelog/post/2026-09-04-increased-worker-size-limit/
 * (cloudflare/cloudflare-docs#33241, cloudflare/workers-sdk#14001), and for static assets
 * https://developers.cloudflare.com/workers/platform/limits/ (20,000 files per version on Free, 100,000
 * on Paid; 25 MiB per file).
 */
const LIMITS = {
  workerUncompressed: 64 * MiB,
  formerGzip: { free: 3 * MiB, paid: 10 * MiB },
  assetFiles: 20_000,
  assetFileBytes: 25 * MiB,
};
const CHECKED = "2026-12-04";

const root = new URL("..", import.meta.url).pathname;
const buildWeb = process.argv.includes("--build-web");

const fmt = (bytes) => (bytes >= MiB ? `${(bytes / MiB).toFixed(2)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`);
const pct = (part, whole) => `${((part / whole) * 100).toFixed(1)} %`;

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)],
  );
}

// 1. The static assets wrangler uploads with the Worker (wrangler refuses to run without the folder).
const assetsDir = join(root, "web/dist");
if (buildWeb || !existsSync(join(assetsDir, "index.html"))) {
  const t = Date.now();
  execFileSync(process.execPath, ["scripts/build-web.mjs"], { cwd: root, stdio: "inherit" });
  console.log(`[check:bundle] built web/dist in ${((Date.now() - t) / 1000).toFixed(1)} s`);
}

// 2. The Worker, bundled as `wrangler deploy` bundles it, without deploying.
const outdir = mkdtempSync(join(tmpdir(), "kimchi-bundle-"));
const started = Date.now();
const dryRun = spawnSync(
  "npx",
  ["wrangler", "deploy", "--dry-run", "--outdir", outdir, "--metafile", join(outdir, "meta.json")],
  {
    cwd: root,
    encoding: "utf8",
    // No account is needed; keep wrangler from trying the network for telemetry.
    env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
  },
);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
if (dryRun.status !== 0) {
  process.stdout.write(dryRun.stdout ?? "");
  process.stderr.write(dryRun.stderr ?? "");
  console.error(`[check:bundle] wrangler deploy --dry-run failed (exit ${dryRun.status})`);
  rmSync(outdir, { recursive: true, force: true });
  process.exit(1);
}

// What is uploaded: every module in the output (the entry and, e.g., the .wasm files), not the source map
// (not uploaded without --upload-source-maps), wrangler's README or the metafile. wrangler measures gzip over
// the modules concatenated, so this does too.
const modules = walk(outdir).filter((f) => !/\.map$|README\.md$|meta\.json$/.test(f));
const contents = modules.map((f) => readFileSync(f));
const raw = contents.reduce((n, b) => n + b.length, 0);
const gzip = gzipSync(Buffer.concat(contents)).length;
const wranglerLine = /Total Upload: ([^\n]+)/.exec(dryRun.stdout ?? "")?.[1]?.trim();

// The largest inputs by the bytes they put in the bundle, per package (or per file of our own).
const meta = JSON.parse(readFileSync(join(outdir, "meta.json"), "utf8"));
const byInput = new Map();
for (const output of Object.values(meta.outputs)) {
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
    const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input)?.[1] ?? input.split("/").slice(0, 1).join("/");
    byInput.set(pkg, (byInput.get(pkg) ?? 0) + bytesInOutput);
  }
}
const top = [...byInput.entries()].sort((a, b) => b[1] - a[1]).slice(0, 8);

const assets = walk(assetsDir).map((f) => ({ path: relative(assetsDir, f), size: statSync(f).size }));
const largestAsset = assets.reduce((a, b) => (b.size > a.size ? b : a), { path: "-", size: 0 });
const assetBytes = assets.reduce((n, a) => n + a.size, 0);

const failures = [];
if (raw > LIMITS.workerUncompressed)
  failures.push(`the Worker is ${fmt(raw)}, over the ${fmt(LIMITS.workerUncompressed)} limit`);
if (assets.length > LIMITS.assetFiles)
  failures.push(`${assets.length} asset files, over the ${LIMITS.assetFiles} per version (Free plan)`);
for (const a of assets)
  if (a.size > LIMITS.assetFileBytes)
    failures.push(`asset ${a.path} is ${fmt(a.size)}, over ${fmt(LIMITS.assetFileBytes)}`);

console.log(`
Worker bundle (wrangler deploy --dry-run, ${seconds} s): ${modules.map((f) => relative(outdir, f)).join(", ")}
  raw   ${fmt(raw).padStart(11)}  ${pct(raw, LIMITS.workerUncompressed).padStart(7)} of the ${fmt(LIMITS.workerUncompressed)} limit (uncompressed, every plan)
  gzip  ${fmt(gzip).padStart(11)}  ${pct(gzip, LIMITS.formerGzip.free).padStart(7)} of the former Free limit (3 MiB), ${pct(gzip, LIMITS.formerGzip.paid)} of the former Paid limit (10 MiB), both removed 2026-09-04
  wrangler's own figure: ${wranglerLine ?? "(not printed)"}
  largest inputs: ${top.map(([k, n]) => `${k} ${fmt(n)}`).join(", ")}
Static assets (web/dist): ${assets.length} files, ${fmt(assetBytes)}; largest ${largestAsset.path} ${fmt(largestAsset.size)} (limits: ${LIMITS.assetFiles} files, ${fmt(LIMITS.assetFileBytes)} per file)
Limits as checked on ${CHECKED}: https://developers.cloudflare.com/workers/platform/limits/`);

rmSync(outdir, { recursive: true, force: true });
if (failures.length > 0) {
  for (const f of failures) console.error(`[check:bundle] FAIL: ${f}`);
  process.exit(1);
}
console.log("[check:bundle] ok: within the limits");
