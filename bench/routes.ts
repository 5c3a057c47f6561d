/**
 * `npm run bench:routes`: latency of the public API per route family (market, liquidations, auth,
 * orders, analytics) on local workerd, at a steady request rate per family, measured both directly at
 * the Worker's workerd and through `wrangler dev`'s proxy (which a deployed Worker does not have).
 * The baseline in the same run is `GET /health` (no object, no D1) at the same rate, so each family's
 * figure reads as "this much over answering at all". Prints a table with p50/p95/p99 per family and
 * writes bench/ROUTES.md. Figures, not tests. BENCH_QUICK=1 sends fewer requests.
 *
 * Rates (requests per second per family) are this platform's expected load for one user-facing
 * region on the 2-core machine: reads at 50/s, order placement at 10/s, sign-in at 2/s (Argon2id costs
 * ~130 ms of CPU each, by design).
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { performance } from "node:perf_hooks";
import { columns, markdownTable } from "./format";
import { machineInfo, reportPreamble, waitForIdleMachine } from "./machine";
import { batchBody, coinSymbols, setupBatch, TickWriter } from "./market-fixture";
import { LatencyRecorder } from "./stats";
import { snapshotSource, startOurs } from "./systems";

const quick = process.env.BENCH_QUICK === "1";
const SECONDS = quick ? 4 : 10;
/** Unmeasured requests per family and path before the measured ones. */
const WARM_UP_REQUESTS = 5;
const PASSWORD = "route bench passphrase 77";

interface Family {
  name: string;
  rate: number;
  /** One request of the family, against `base`; resolves to its HTTP status. */
  request: (base: string) => Promise<number>;
}

const log = (line: string) => console.log(`[routes] ${line}`);

async function json<T>(res: Response): Promise<T> {
  if (!res.ok) throw new Error(`${res.url}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

/** Sends `rate` requests a second for `seconds`, open loop (a slow answer does not slow the sender). */
async function drive(
  family: Family,
  base: string,
  seconds: number,
): Promise<{ latency: LatencyRecorder; failed: number }> {
  const latency = new LatencyRecorder();
  let failed = 0;
  const inFlight: Promise<void>[] = [];
  const total = family.rate * seconds;
  const start = performance.now();
  for (let i = 0; i < total; i++) {
    const due = start + (i * 1000) / family.rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const sent = performance.now();
    inFlight.push(
      family.request(base).then(
        (status) => {
          if (status >= 400) failed++;
          latency.add(performance.now() - sent);
        },
        () => {
          failed++;
        },
      ),
    );
  }
  await Promise.all(inFlight);
  return { latency, failed };
}

async function main(): Promise<void> {
  const busy = await waitForIdleMachine(log);
  const source = snapshotSource("HEAD");
  // Sign-in needs the secrets wrangler dev reads from .dev.vars (untracked: the committed example).
  writeFileSync(join(source.dir, ".dev.vars"), readFileSync(join(source.dir, ".dev.vars.example")));
  const system = await startOurs(source, { vars: { RATE_LIMITS: "off" } });
  const machine = machineInfo(source.commit.slice(0, 7));
  const rows: string[][] = [];
  try {
    const direct = (await system.directUrl?.()) ?? null;
    const writer = new TickWriter(coinSymbols(100));
    const ingest = (body: string) =>
      fetch(`${system.url}/internal/ingest`, {
        method: "POST",
        headers: { authorization: `Bearer ${system.token}`, "content-type": "application/json" },
        body,
      });
    await ingest(setupBatch(writer, Date.now()));
    // Keep prices fresh (orders refuse prices older than 30 s) while the families run.
    const keeper = setInterval(() => {
      const now = Date.now();
      void ingest(
        batchBody(
          writer.coins.map((_, c) => writer.tick(c, 0, now)),
          now,
        ),
      );
    }, 1000);

    const email = `routes-${Date.now()}@example.com`;
    await json(
      await fetch(`${system.url}/api/auth/register`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ email, username: "routebench", password: PASSWORD }),
      }),
    );
    const signIn = (base: string) =>
      fetch(`${base}/api/auth/token`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ username: email, password: PASSWORD }),
      });
    const { access_token } = await json<{ access_token: string }>(await signIn(system.url));
    const auth = { authorization: `Bearer ${access_token}` };
    /** The status once the whole body has arrived. */
    const statusOf = async (res: Promise<Response>) => {
      const r = await res;
      await r.arrayBuffer();
      return r.status;
    };
    const get =
      (path: string, headers: Record<string, string> = {}) =>
      (base: string) =>
        statusOf(fetch(`${base}${path}`, { headers }));
    const coin = writer.coins[0] as string;
    const families: Family[] = [
      { name: "baseline: GET /health", rate: 50, request: get("/health") },
      { name: "market: GET /api/coins/latest", rate: 50, request: get("/api/coins/latest") },
      { name: `market: GET /api/prices/${coin}`, rate: 50, request: get(`/api/prices/${coin}`) },
      { name: "liquidations: GET /api/liquidations/summary", rate: 50, request: get("/api/liquidations/summary") },
      { name: "auth: GET /api/auth/me", rate: 50, request: get("/api/auth/me", auth) },
      {
        name: "auth: POST /api/auth/token (Argon2id)",
        rate: 2,
        request: (b) => statusOf(signIn(b)),
      },
      {
        name: "orders: POST /api/orders (market)",
        rate: 10,
        request: (b) =>
          statusOf(
            fetch(`${b}/api/orders`, {
              method: "POST",
              headers: { ...auth, "content-type": "application/json" },
              body: JSON.stringify({
                symbol: `${coin}/KRW`,
                side: "BUY",
                order_type: "MARKET",
                quantity: (6000 / writer.price(0, 0)).toFixed(8),
              }),
            }),
          ),
      },
      { name: "orders: GET /api/orders", rate: 50, request: get("/api/orders?limit=50", auth) },
      { name: "analytics: GET /api/analytics/performance", rate: 20, request: get("/api/analytics/performance", auth) },
      { name: "analytics: GET /api/analytics/risk", rate: 20, request: get("/api/analytics/risk", auth) },
    ];
    const paths = [
      ["direct", direct],
      ["dev proxy", system.url],
    ] as const;
    // Every family a few times on each path first, unmeasured: a fresh Worker's first requests compile
    // code and start objects, which the first family measured would otherwise absorb.
    for (const family of families) {
      for (const [, base] of paths) {
        for (let i = 0; base && i < WARM_UP_REQUESTS; i++) await family.request(base).catch(() => 0);
      }
    }
    for (const family of families) {
      for (const [via, base] of paths) {
        if (!base) continue;
        const { latency, failed } = await drive(family, base, SECONDS);
        const s = latency.summary();
        rows.push([
          family.name,
          via,
          `${family.rate}/s`,
          s ? s.p50.toFixed(1) : "-",
          s ? s.p95.toFixed(1) : "-",
          s ? s.p99.toFixed(1) : "-",
          String(failed),
          s && s.p95 <= 100 ? "yes" : "no",
        ]);
        log(rows[rows.length - 1]?.join("  ") ?? "");
      }
    }
    clearInterval(keeper);
  } finally {
    await system.stop();
    source.dispose();
  }
  const header = ["route", "via", "rate", "p50 ms", "p95 ms", "p99 ms", "failed", "p95 ≤ 100 ms"];
  console.log(columns([header, ...rows]).join("\n"));
  const lines = [
    ...reportPreamble(
      "the API per route family",
      "bench:routes",
      machine,
      [
        `${SECONDS} s per family and path, open loop at the rate shown; 100 coins ticking once a second`,
        "rate limits off (one client address); a fresh Worker with local D1 and objects, warmed up first " +
          `(${WARM_UP_REQUESTS} unmeasured requests per family and path)`,
        busy,
      ],
      "the machine's load before the run, below",
    ),
    "## Results",
    "",
    markdownTable(header, rows),
    "",
    "`direct` is the Worker's own workerd; `dev proxy` goes through the workerd `wrangler dev` puts in front",
    "of it, which a deployed Worker does not have. Sign-in is bounded by Argon2id's ~130 ms of CPU per hash.",
    "",
  ];
  writeFileSync(new URL("./ROUTES.md", import.meta.url), lines.join("\n"));
  log("wrote bench/ROUTES.md");
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
