// Adds the lock entries of other platforms' optional binaries (Biome, workerd) that npm leaves out
// when the registry it resolved against does not serve them, so `npm ci` accepts the lock on any
// machine. The entries carry os/cpu/libc, so npm skips them on other platforms without a download.
// Run after `npm install` when package-lock.json changes: `node scripts/complete-lockfile.mjs`.
import { readFileSync, writeFileSync } from "node:fs";

const lock = JSON.parse(readFileSync("package-lock.json", "utf8"));
const packages = lock.packages;

function platformOf(name) {
  const n = name.split("/").pop();
  const os = /darwin/.test(n)
    ? "darwin"
    : /win32|windows/.test(n)
      ? "win32"
      : /android/.test(n)
        ? "android"
        : /linux/.test(n)
          ? "linux"
          : null;
  const cpu = /arm64/.test(n) ? "arm64" : /x64|-64$/.test(n) ? "x64" : null;
  if (!os || !cpu) return null;
  return { os: [os], cpu: [cpu], ...(/musl/.test(n) ? { libc: ["musl"] } : {}) };
}

/** Where Node would find `dep` from the package at `path` (its node_modules, then each parent's). */
function resolve(path, dep) {
  let dir = path;
  for (;;) {
    const candidate = `${dir ? `${dir}/` : ""}node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!dir) return null;
    const i = dir.lastIndexOf("/node_modules/");
    dir = i === -1 ? "" : dir.slice(0, i);
  }
}

let added = 0;
for (const [path, entry] of Object.entries(packages)) {
  for (const [dep, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const found = resolve(path, dep);
    if (found && packages[found].version === version) continue;
    const platform = platformOf(dep);
    if (!platform) continue;
    const at = found ? `${path ? `${path}/` : ""}node_modules/${dep}` : `node_modules/${dep}`;
    if (packages[at]) continue;
    packages[at] = { version, ...(entry.dev ? { dev: true } : {}), optional: true, ...platform };
    added++;
  }
}
lock.packages = Object.fromEntries(
  Object.entries(packages).sort(([a], [b]) => (a === "" ? -1 : b === "" ? 1 : a.localeCompare(b))),
);
writeFileSync("package-lock.json", `${JSON.stringify(lock, null, 2)}\n`);
console.log(`complete-lockfile: added ${added} entries`);
