/**
 * A property of ingest as a whole: whatever mix of event times (past, present, slightly and far in
 * the future, far in the past) and batch ids (new, re-sent with the same body, reused with another
 * body) collectors send, the board, the coin and the liquidation feed end up holding exactly what
 * the accepted batches say, count nothing from a refused batch, and a later valid, newer event
 * always moves the market.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { FUTURE_ALLOWANCE_MS, type IngestBatch, type IngestEvent, MAX_EVENT_AGE_MS } from "../../protocol/ingest";
import type { RecentLiquidations } from "../../protocol/liquidations";
import type { Coin } from "../../protocol/market";
import { batchOf, getJson, postIngest } from "./support/ingest";
import { liquidation, uniqueBase } from "./support/liquidations";
import { ticker } from "./support/market";

/** Where an event's time falls, relative to the clock when the batch is posted. */
const TIME_KINDS = ["past", "now", "near-future", "far-future", "too-old"] as const;
type TimeKind = (typeof TIME_KINDS)[number];
const VENUES = ["upbit", "binance"] as const;

function timeOf(kind: TimeKind, now: number, jitter: number): number {
  switch (kind) {
    case "past":
      return now - 60_000 - jitter;
    case "now":
      return now - jitter;
    case "near-future":
      return now + FUTURE_ALLOWANCE_MS / 2 - jitter;
    case "far-future":
      return now + 10 * 365 * 24 * 3_600_000;
    case "too-old":
      return now - MAX_EVENT_AGE_MS.ticker - 3_600_000;
  }
}

const eventSpec = fc.record({
  kind: fc.constantFrom("ticker", "liquidation"),
  venue: fc.constantFrom(...VENUES),
  time: fc.constantFrom(...TIME_KINDS),
  price: fc.integer({ min: 1, max: 1_000_000 }),
  jitter: fc.integer({ min: 0, max: 30_000 }),
});
const action = fc.record({
  events: fc.array(eventSpec, { minLength: 1, maxLength: 4 }),
  /** Which earlier batch's id to reuse, if any, and whether with the same body. */
  reuse: fc.option(fc.record({ index: fc.nat(), sameBody: fc.boolean() }), { nil: undefined }),
});

describe("ingest under random event times and batch ids", () => {
  it("holds what the accepted batches say, counts nothing refused, and a newer valid event always wins", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(action, { minLength: 2, maxLength: 6 }), async (actions) => {
        const base = uniqueBase();
        const applied = new Map<string, string>(); // batch id -> body of the batch applied under it
        const sent: IngestBatch[] = [];
        const latest = new Map<string, { price: number; timestamp: number }>();
        const counted = new Set<string>();

        for (const a of actions) {
          const now = Date.now();
          const events: IngestEvent[] = a.events.map((e) =>
            e.kind === "ticker"
              ? ticker(e.venue, base, e.price, timeOf(e.time, now, e.jitter))
              : liquidation(e.venue === "upbit" ? "okx" : "binance", base, "long", e.price, 1, {
                  timestamp: timeOf(e.time, now, e.jitter),
                }),
          );
          let batch = batchOf(events);
          const earlier = a.reuse && sent.length > 0 ? sent[a.reuse.index % sent.length] : undefined;
          if (earlier) batch = a.reuse?.sameBody ? earlier : { ...batch, batch_id: earlier.batch_id };
          sent.push(batch);

          const t = Date.now();
          const outOfBounds = batch.events.some(
            (e) =>
              e.kind !== "coin" &&
              (e.timestamp > t + FUTURE_ALLOWANCE_MS || e.timestamp < t - MAX_EVENT_AGE_MS[e.kind]),
          );
          const body = JSON.stringify(batch);
          const known = applied.get(batch.batch_id);
          const expected = outOfBounds ? 400 : known !== undefined && known !== body ? 409 : 200;
          const res = await postIngest(batch);
          expect(res.status).toBe(expected);
          if (expected !== 200) continue;
          applied.set(batch.batch_id, body);
          for (const e of batch.events) {
            if (e.kind === "ticker") {
              const held = latest.get(e.venue);
              if (!held || e.timestamp >= held.timestamp)
                latest.set(e.venue, { price: e.price, timestamp: e.timestamp });
            } else if (e.kind === "liquidation") {
              counted.add(e.id);
            }
          }
        }

        const { status, body: coin } = await getJson<Coin>(`/api/prices/${base}`);
        if (latest.size === 0) {
          expect(status).toBe(404);
        } else {
          for (const [venue, held] of latest)
            expect(coin.prices[venue as keyof Coin["prices"]]?.price).toBe(held.price);
        }
        const { body: recent } = await getJson<RecentLiquidations>(
          `/api/liquidations/recent?symbol=${base}&limit=1000`,
        );
        expect(new Set(recent.liquidations.map((l) => l.id))).toEqual(counted);

        // A later, valid event, newer than anything held, moves every market.
        const newest = Math.max(Date.now(), ...[...latest.values()].map((h) => h.timestamp + 1));
        const final = VENUES.map((venue) => ticker(venue, base, 4_242, newest));
        expect((await postIngest(batchOf(final))).status).toBe(200);
        const { body: after } = await getJson<Coin>(`/api/prices/${base}`);
        for (const venue of VENUES) expect(after.prices[venue]?.price).toBe(4_242);
      }),
      { numRuns: 60 },
    );
  });
});
