// The Worker that bench/password-hash.mjs runs in workerd: it hashes with the production code
// (workers/lib/passwords.ts) and reports wall time per hash. Not deployed; not part of the gateway.
import { hashPassword, hashPasswordPbkdf2, verifyPassword } from "../workers/lib/passwords";

export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/compile-from-bytes") {
      // The smallest valid module: the 8-byte header. workerd refuses to compile any bytes at run time.
      try {
        await WebAssembly.compile(new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0]));
        return Response.json({ allowed: true });
      } catch (err) {
        return Response.json({ allowed: false, error: String(err) });
      }
    }
    const n = Number(url.searchParams.get("n") ?? "5");
    const kind = url.searchParams.get("kind");
    const started = performance.now();
    let stored = "";
    for (let i = 0; i < n; i++) {
      if (kind === "pbkdf2") {
        stored = await hashPasswordPbkdf2(`bench password ${i}`, Number(url.searchParams.get("i")));
      } else {
        const params = {
          memoryKiB: Number(url.searchParams.get("m")),
          iterations: Number(url.searchParams.get("t")),
          parallelism: Number(url.searchParams.get("p") ?? "1"),
        };
        stored = await hashPassword(`bench password ${i}`, params);
      }
    }
    const wallMs = (performance.now() - started) / n;
    const check = await verifyPassword(`bench password ${n - 1}`, stored);
    return Response.json({ wallMs, ok: check.ok, stored: stored.split("$").slice(0, 4).join("$") });
  },
};
