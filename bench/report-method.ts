/** The "Method" section of bench/RESULTS.md: how `npm run bench` measures what its tables show. */
import type { Report } from "./report";

export function methodMarkdown(report: Report): string {
  const m = report.machine;
  return `## Method

- **Systems.** *Ours*: the real Worker (gateway, MarketBoard, fan-out shards, MarketSymbol) under
  \`wrangler dev\` (local workerd, local SQLite-backed Durable Objects) started by
  test/support/worker-process.ts. \`wrangler dev\` watches every file it bundled (node_modules included)
  and restarts the Worker, closing every socket, when one changes. Others edit and test in this
  checkout, so the run uses a copy of the committed tree (\`git archive\`), bundled once with
  \`wrangler deploy --dry-run\` and served with \`no_bundle\`. \`wrangler dev\` puts a proxy workerd in
  front of the Worker's; both are in the path and both count as server CPU. Locally every object runs
  in the Worker's one workerd process.
  *Baseline*: bench/baseline-server.ts, a Node \`ws\` server in its own process that validates the same
  ingest batch with the same zod schema and forwards every ticker event, as it comes, to every
  subscriber (no conflation, no backpressure).
  *Peer*: bench/conflated-peer-server.ts, the best a single Node process does with our design: the
  same ingest, each coin rendered like the board (same premium code), the same 50 ms conflation, the
  same patches (\`diffPatch\`) against one published state per coin, a snapshot and \`seq\`, and one
  message per flush encoded once and written to every all-coin socket. It speaks our protocol, so the
  subscribers read it exactly as they read ours.
- **Load.** Ticks spread uniformly over 200 coins and the four venues, posted to \`/internal/ingest\`
  like the collectors flush: a batch every 100 ms, or every 500 ticks when faster (so 20k ticks/s is
  40 batches/s of 500). Batches are scheduled on a fixed clock, at most 8 outstanding. A tick's
  \`timestamp\` is the moment it is created: \`Date.now()\` just before its batch body is written and
  posted (BENCH_STAMP=scheduled stamps the batch's scheduled time instead, the method before issue 17).
  The batch acknowledgement is timed from the scheduled time, so a batch held back by a slow server
  counts there in full. Before a run, each coin gets names, a price on every venue, USD/KRW and
  USDT/KRW (not ticked again, so only the load's ticks move the timestamps).
- **Subscribers.** 1,000 (or 5,000) WebSockets on \`/ws/market\` in worker threads of the benchmark
  process (2 threads for 1,000, 4 for 5,000), speaking raw RFC 6455 (bench/frame-reader.ts): every
  socket counts messages and bytes; 20 sockets spread over connection order (every 50th of 1,000, every
  250th of 5,000; BENCH_SAMPLE_EVERY) also read each message for the coins it carries and their newest
  \`"timestamp"\` (bench/update-scanner.ts, no JSON.parse; BENCH_PARSE=1 parses). A message counts as read
  when its last byte has arrived in the client (with BENCH_PARSE, once parsed). Like the dashboard,
  each socket sends a text \`ping\` every 20 s; the \`pong\` replies are not counted. After connecting,
  the run waits until every socket has its snapshot and traffic has stopped. Dashboard case: every
  subscriber receives all coins. Watchlist case: each subscribes to 5 coins (\`?symbols=\`, honoured by all).
- **End-to-end latency** (the headline): for each acknowledged tick in the window and each sampled
  subscriber of its coin, from the tick's creation until that subscriber had read a message carrying a
  state of the coin at least as new. Includes the wait for the next conflated flush; a tick never made
  visible counts as (end of recording − its timestamp), so an overloaded system cannot look fast by
  dropping work.
- **Update latency**: for each coin update a sampled subscriber read, read time minus the newest tick
  timestamp it reflects (ours and the peer: one coin entry of an \`update\`; baseline: one tick message).
- **Delivered updates/s**: coin updates received by all subscribers during the window, per second =
  messages received (counted on every socket) × mean coin entries per message (read on the sampled
  sockets). Baseline: one message is one tick, so it is simply messages/s.
- **Windows.** Per point: ${report.settings.find((s) => s.startsWith("timing"))?.replace("timing: ", "") ?? ""}.
  Points run in sequence on one running system; after a point the run waits for the subscribers'
  traffic and the ingest path to go quiet, and restarts the system if they do not.
- **Connect storm** (bench/connect-storm.ts, also \`npm run bench:storm\`): 2,000 sockets of the same
  subscriber threads, opened at even intervals over one second; per socket the time from opening to its
  complete snapshot. One fresh Worker per commit (the commit before the shard tier, and HEAD).
- **Shard cost** (bench/shard-cost.ts): the Worker's workerd CPU at 2,000 ticks/s in three windows of
  the run (ingest alone, 1,000 and 5,000 subscribers) and, on a second Worker, 1,000 subscribers with a
  low FANOUT_SHARD_CEILING (more shards for the same sockets), fitted by least squares.
- **REST.** \`GET /api/coins/latest\` with 300 coins on the board, requests due every 2 ms for 10 s
  (5,000 requests), asking for gzip, each condition twice: on the public port, through the proxy workerd
  that \`wrangler dev\` puts in front of the Worker (as \`npm start\` serves it), and directly on the
  Worker's own workerd socket (found by the benchmark; a deployed Worker has no dev proxy; the goal is
  judged there); latency from each request's due time to its last byte on the
  wire, up to 64 connections; one response in 50 is also decoded and parsed as JSON to check it; once
  with no other load, once while ticks are ingested at 2,000/s (no subscribers connected).
- **CPU** is read from /proc for each process during the window (% of one core; this machine has
  ${m.cpus}). "other work CPU" is what the rest of the machine used meanwhile (other sessions' builds and
  tests); "CPU wait" is Linux PSI: the share of the window in which some runnable task waited for a CPU.`;
}
