/**
 * Open-loop HTTP GET load: request i is due at start + i / rate, whether or not earlier ones have
 * answered, and its latency runs from that due time to the last byte of the response. A server
 * that stalls is charged for every request that had to wait (no coordinated omission).
 */
import { Agent, request } from "node:http";
import { createGunzip } from "node:zlib";
import { LatencyRecorder, type LatencySummary } from "./stats";

/** One response in this many is decoded and parsed as JSON, to check the bodies are real. */
const VERIFY_EVERY = 50;

export interface RestLoadOptions {
  url: string;
  ratePerSecond: number;
  durationMs: number;
  /** Connections the client may open; requests beyond wait in the client's queue (and that wait counts). */
  maxSockets: number;
  /** How long to wait for the last responses after the schedule ends. */
  graceMs: number;
}

export interface RestLoadResult {
  scheduled: number;
  ok: number;
  /** Non-200 answers, connection errors, and requests unanswered at the end of the grace period. */
  failed: number;
  firstError: string | null;
  latency: LatencySummary | null;
  /** Mean response size on the wire (gzipped when the server compressed it). */
  bytesPerResponse: number;
  /** Mean response size after decoding (of the responses decoded to verify them). */
  decodedBytesPerResponse: number;
  /** Responses that came gzipped. */
  gzippedResponses: number;
  /** Requests answered per second over the scheduled duration. */
  achievedPerSecond: number;
}

export async function runRestLoad(o: RestLoadOptions): Promise<RestLoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: o.maxSockets });
  const url = new URL(o.url);
  const latency = new LatencyRecorder();
  const total = Math.round((o.ratePerSecond * o.durationMs) / 1000);
  const interval = 1000 / o.ratePerSecond;
  const start = Date.now() + 200;
  let issued = 0;
  let ok = 0;
  let failed = 0;
  let outstanding = 0;
  let bytes = 0;
  let decodedBytes = 0;
  let verified = 0;
  let gzippedResponses = 0;
  let firstError: string | null = null;
  let allDone: () => void = () => {};
  const done = new Promise<void>((r) => {
    allDone = r;
  });

  const pending = new Set<number>();
  const fire = (due: number) => {
    outstanding++;
    pending.add(due);
    let settled = false;
    const finish = (success: boolean, error?: string) => {
      if (settled) return;
      settled = true;
      outstanding--;
      pending.delete(due);
      if (success) {
        ok++;
        latency.add(Date.now() - due);
      } else {
        failed++;
        firstError ??= error ?? "failed";
      }
      if (issued === total && outstanding === 0) allDone();
    };
    // As a browser does, ask for gzip. A response is done at its last byte on the wire; decoding
    // every body here would load this 2-core machine's client with ~180 MB/s of gunzip and
    // JSON.parse and charge that to the server, so one response in `VERIFY_EVERY` is decoded and
    // parsed to check that the bodies are real (a bad one counts as failed).
    const headers = { "Accept-Encoding": "gzip" };
    const verify = issued % VERIFY_EVERY === 0;
    const req = request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, agent, headers },
      (res) => {
        res.on("data", (c: Buffer) => {
          bytes += c.length;
        });
        res.on("error", (e) => finish(false, e.message));
        const gzipped = res.headers["content-encoding"] === "gzip";
        if (gzipped) gzippedResponses++;
        if (!verify) {
          res.on("end", () => finish(res.statusCode === 200, `HTTP ${res.statusCode}`));
          res.resume();
          return;
        }
        const body = gzipped ? res.pipe(createGunzip()) : res;
        const chunks: Buffer[] = [];
        body.on("data", (c: Buffer) => chunks.push(c));
        body.on("end", () => {
          const text = Buffer.concat(chunks);
          verified++;
          decodedBytes += text.length;
          try {
            JSON.parse(text.toString("utf8"));
          } catch {
            finish(false, "a body that is not JSON");
            return;
          }
          finish(res.statusCode === 200, `HTTP ${res.statusCode}`);
        });
        body.on("error", (e) => finish(false, e.message));
      },
    );
    req.on("error", (e) => finish(false, e.message));
    req.end();
  };

  await new Promise<void>((resolve) => {
    const loop = () => {
      const now = Date.now();
      while (issued < total && start + issued * interval <= now) {
        fire(start + issued * interval);
        issued++;
      }
      if (issued === total) return resolve();
      setTimeout(loop, Math.max(0, start + issued * interval - Date.now()));
    };
    setTimeout(loop, Math.max(0, start - Date.now()));
  });
  if (outstanding > 0) await Promise.race([done, new Promise((r) => setTimeout(r, o.graceMs))]);
  const unanswered = outstanding;
  // Unanswered requests count with what they have waited so far (a lower bound), not as if absent.
  const end = Date.now();
  for (const due of pending) latency.add(end - due);
  agent.destroy();
  return {
    scheduled: total,
    ok,
    failed: failed + unanswered,
    firstError: firstError ?? (unanswered > 0 ? `${unanswered} unanswered` : null),
    latency: latency.summary(),
    bytesPerResponse: ok > 0 ? bytes / ok : 0,
    decodedBytesPerResponse: verified > 0 ? decodedBytes / verified : 0,
    gzippedResponses,
    achievedPerSecond: ok / (o.durationMs / 1000),
  };
}
