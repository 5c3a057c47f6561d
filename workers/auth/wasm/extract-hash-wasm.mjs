// Regenerates argon2.wasm and blake2b.wasm from the hash-wasm package (MIT, github.com/Daninet/hash-wasm),
// which embeds its binaries as base64. workerd refuses `WebAssembly.compile(bytes)` ("Wasm code generation
// disallowed by embedder"), so the Worker imports these files as pre-compiled modules instead.
// Usage: node workers/auth/wasm/extract-hash-wasm.mjs
import { readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const require = createRequire(import.meta.url);
const pkgDir = dirname(require.resolve("hash-wasm/package.json"));
const { version } = JSON.parse(readFileSync(join(pkgDir, "package.json"), "utf8"));
const source = readFileSync(join(pkgDir, "dist/index.esm.js"), "utf8");
const here = dirname(fileURLToPath(import.meta.url));

for (const name of ["argon2", "blake2b"]) {
  const match = source.match(new RegExp(`var name(\\$\\w+) = "${name}";\\s*var data\\1 = "([A-Za-z0-9+/=]+)"`));
  if (!match) throw new Error(`hash-wasm ${version}: no embedded binary named ${name}`);
  const bytes = Buffer.from(match[2], "base64");
  writeFileSync(join(here, `${name}.wasm`), bytes);
  console.log(`${name}.wasm: ${bytes.length} bytes from hash-wasm ${version}`);
}
