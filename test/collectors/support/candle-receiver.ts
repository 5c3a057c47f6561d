/**
 * A stand-in for the Worker's history side, speaking its wire contract: `POST /internal/ingest`
 * (bearer token, batches validated with the ingest schema, applied once per `batch_id`) and
 * `GET /internal/candles/coverage?venue=&base=&quote=` answering the merged coverage statements it was
 * sent. It counts every candle per key (venue, market, interval, open time), so a test can say each
 * arrived exactly once, and it can be taken down, made to fail, or made to lose its answers.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { type TimeRange, withRange } from "../../../collectors/core/time-ranges";
import { type CandleEvent, type FxHistoryEvent, IngestBatch, type IngestEvent } from "../../../protocol/ingest";
import { CANDLE_RESOLUTIONS, type CandleResolution } from "../../../protocol/venues";

/** A candle as stored, and how many times it arrived. */
export interface ReceivedCandle {
  event: CandleEvent;
  times: number;
}

export interface CandleReceiver {
  url: string;
  token: string;
  /** Candles by `venue:BASE-QUOTE|interval|open_time`. */
  readonly candles: Map<string, ReceivedCandle>;
  /** Forex history by day. */
  readonly fxDays: Map<number, FxHistoryEvent>;
  /** Batches applied (not duplicates), in order, with when they were applied. */
  readonly batches: { batchId: string; events: IngestEvent[]; at: number }[];
  /** Batches refused with 400, and their first problem. */
  readonly refused: string[];
  /** The merged coverage of a market and resolution. */
  coverage(venue: string, base: string, quote: string, interval: CandleResolution): TimeRange[];
  /** Says a range is covered, as if an earlier run had sent it. */
  seedCoverage(venue: string, base: string, quote: string, interval: CandleResolution, range: TimeRange): void;
  /** 503 to every request until set back (the Worker is down). */
  setDown(down: boolean): void;
  /** The answers of the next `n` ingest posts are lost (the batch is applied). */
  loseAnswers(n: number): void;
  /** Answers 404 on the coverage route (an older Worker). */
  setCoverageRoute(present: boolean): void;
  /** Candles that arrived more than once. */
  duplicates(): ReceivedCandle[];
  close(): Promise<void>;
}

/** The key a candle is stored by. */
export function candleKey(c: Pick<CandleEvent, "venue" | "base" | "quote" | "interval" | "open_time">): string {
  return `${c.venue}:${c.base}-${c.quote}|${c.interval}|${c.open_time}`;
}

export async function startCandleReceiver(token = "test-collector-token"): Promise<CandleReceiver> {
  const candles = new Map<string, ReceivedCandle>();
  const fxDays = new Map<number, FxHistoryEvent>();
  const coverage = new Map<string, TimeRange[]>();
  const applied = new Set<string>();
  const batches: CandleReceiver["batches"] = [];
  const refused: string[] = [];
  let down = false;
  let toLose = 0;
  let coverageRoute = true;
  const coverageKey = (venue: string, base: string, quote: string, interval: string) =>
    `${venue}:${base}-${quote}|${interval}`;
  const cover = (key: string, range: TimeRange) => coverage.set(key, withRange(coverage.get(key) ?? [], range));

  const server: Server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const json = (status: number, body: unknown) => {
      res.writeHead(status, { "Content-Type": "application/json" });
      res.end(JSON.stringify(body));
    };
    if (down) return json(503, { title: "Service Unavailable" });
    if (req.headers.authorization !== `Bearer ${token}`) return json(401, { title: "Unauthorized" });
    const url = new URL(req.url ?? "/", "http://receiver");
    if (req.method === "GET" && url.pathname === "/internal/candles/coverage") {
      if (!coverageRoute) return json(404, { title: "Not Found" });
      const [venue, base, quote] = ["venue", "base", "quote"].map((k) => url.searchParams.get(k) ?? "");
      const intervals = Object.fromEntries(
        CANDLE_RESOLUTIONS.map((r) => [
          r,
          coverage.get(coverageKey(venue as string, base as string, quote as string, r)) ?? [],
        ]),
      );
      return json(200, { venue, base, quote, intervals });
    }
    if (req.method !== "POST" || url.pathname !== "/internal/ingest") return json(404, { title: "Not Found" });
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString("utf8"));
    } catch {
      refused.push("not JSON");
      return json(400, { title: "Bad Request" });
    }
    const parsed = IngestBatch.safeParse(body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      refused.push(`${issue?.path.join(".")}: ${issue?.message}`);
      return json(400, { title: "Bad Request", errors: parsed.error.issues.slice(0, 5) });
    }
    const batch = parsed.data;
    const duplicate = applied.has(batch.batch_id);
    if (!duplicate) {
      applied.add(batch.batch_id);
      batches.push({ batchId: batch.batch_id, events: batch.events, at: Date.now() });
      for (const e of batch.events) {
        if (e.kind === "candle") {
          const key = candleKey(e);
          const seen = candles.get(key);
          candles.set(key, { event: e, times: (seen?.times ?? 0) + 1 });
        } else if (e.kind === "candle_coverage") {
          cover(coverageKey(e.venue, e.base, e.quote, e.interval), [e.from, e.to]);
        } else if (e.kind === "fx_history") {
          fxDays.set(e.day, e);
        }
      }
    }
    if (toLose > 0) {
      toLose--;
      req.socket.destroy();
      return;
    }
    return json(200, { batch_id: batch.batch_id, accepted: batch.events.length, duplicate });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    token,
    candles,
    fxDays,
    batches,
    refused,
    coverage: (venue, base, quote, interval) => [...(coverage.get(coverageKey(venue, base, quote, interval)) ?? [])],
    seedCoverage: (venue, base, quote, interval, range) => cover(coverageKey(venue, base, quote, interval), range),
    setDown: (value) => {
      down = value;
    },
    loseAnswers: (n) => {
      toLose += n;
    },
    setCoverageRoute: (present) => {
      coverageRoute = present;
    },
    duplicates: () => [...candles.values()].filter((c) => c.times > 1),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
