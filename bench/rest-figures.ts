/**
 * `/api/coins/latest` at a fixed 500 requests/s, ours only: idle, then while ticks are ingested; each
 * both on the public port (through wrangler dev's proxy workerd, as `npm start` serves it) and
 * directly on the Worker's own workerd socket (the path a deployed Worker has, without the dev proxy).
 */
import { MAX_IN_FLIGHT, REST, REST_COINS } from "./fanout-plan";
import { runIngestLoad } from "./ingest-load";
import { coinSymbols, setupBatch, TickWriter } from "./market-fixture";
import type { RestRow } from "./report";
import { runRestLoad } from "./rest-load";
import { ingestIdle, outboxDrained, postBatch as post, type SystemUnderTest } from "./systems";

export async function restFigures(system: SystemUnderTest, log: (line: string) => void): Promise<RestRow[]> {
  const writer = new TickWriter(coinSymbols(REST_COINS));
  const setup = await post(system, setupBatch(writer, Date.now() - 1000));
  if (setup.status !== 200) throw new Error(`REST setup answered ${setup.status}`);
  await ingestIdle(system, 20_000);
  if (!(await outboxDrained(system, 30_000))) log("the board's symbol outbox did not drain before the REST point");
  const direct = (await system.directUrl?.()) ?? null;
  if (!direct) log("REST: the Worker's own workerd socket was not found; measuring through the dev proxy only");
  const paths: { label: string; base: string }[] = [
    { label: "through the wrangler dev proxy", base: system.url },
    ...(direct ? [{ label: "direct to the Worker's workerd", base: direct }] : []),
  ];
  const load = (base: string) =>
    runRestLoad({
      url: `${base}/api/coins/latest`,
      ratePerSecond: REST.rate,
      durationMs: REST.durationMs,
      maxSockets: REST.maxSockets,
      graceMs: 10_000,
    });

  const rows: RestRow[] = [];
  for (const path of paths) {
    const result = await load(path.base);
    rows.push({ condition: `no other load, ${path.label}`, coins: REST_COINS + 1, result });
    log(`REST idle, ${path.label}: ${JSON.stringify(result.latency)} ok ${result.ok}/${result.scheduled}`);
    await ingestIdle(system, 20_000);
  }

  for (const path of paths) {
    const startAt = Date.now() + 300;
    const ingest = runIngestLoad({
      url: `${system.url}/internal/ingest`,
      token: system.token,
      writer,
      rate: REST.ingestRate,
      startAt,
      warmupMs: 1000,
      measureMs: REST.durationMs + 1000,
      maxInFlight: MAX_IN_FLIGHT,
      graceMs: 10_000,
    });
    await new Promise((r) => setTimeout(r, startAt + 1000 - Date.now()));
    const result = await load(path.base);
    const ingestResult = await ingest;
    rows.push({
      condition: `while ingesting ${REST.ingestRate} ticks/s (${(ingestResult.windowAckedTicks / ((REST.durationMs + 1000) / 1000)).toFixed(0)}/s acknowledged), ${path.label}`,
      coins: REST_COINS + 1,
      result,
    });
    log(`REST with ingest, ${path.label}: ${JSON.stringify(result.latency)} ok ${result.ok}/${result.scheduled}`);
    await ingestIdle(system, 20_000);
  }
  return rows;
}
