/**
 * The history lane's order: what waits is sent by priority (days before hours before minutes), in
 * order within a priority, and a backlog of a lower priority never takes the room of a higher one.
 * Against the candle receiver (the Worker's ingest contract), held down while the lane fills.
 */
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../../collectors/core/log";
import { HistoryLane } from "../../collectors/pusher/history-lane";
import type { FxHistoryEvent } from "../../protocol/ingest";
import { type CandleReceiver, startCandleReceiver } from "./support/candle-receiver";
import { waitUntil } from "./support/feed-harness";

const DAY = 86_400_000;
const TODAY = Math.floor(Date.now() / DAY) * DAY;

/** A forex day `n` days ago, tagged by its rate so the test can tell events apart. */
function day(n: number, rate: number): FxHistoryEvent {
  return { kind: "fx_history", pair: "USD/KRW", day: TODAY - n * DAY, rate, provider: "test", timestamp: Date.now() };
}

let receiver: CandleReceiver;
let lane: HistoryLane;
beforeEach(async () => {
  receiver = await startCandleReceiver();
});
afterEach(async () => {
  await lane?.stop();
  await receiver.close();
});

describe("the history lane", () => {
  it("sends what waits by priority, in order within one, and keeps room for the higher ones", async () => {
    lane = new HistoryLane({
      workerUrl: receiver.url,
      token: receiver.token,
      source: "simulated",
      log: silentLogger,
      maxBatchEvents: 2,
      maxQueuedEvents: 6,
      backoff: { initialMs: 20, maxMs: 50 },
    });
    receiver.setDown(true);
    lane.start();
    // Minutes (2) fill the lane's room: 6 events, 3 batches of 2; the first goes in flight and waits.
    const minutes = await lane.admit(
      [1, 2, 3, 4, 5, 6].map((n) => day(n, 1000 + n)),
      undefined,
      2,
    );
    await waitUntil(() => lane.stats().failedAttempts > 0, "the first batch in flight");
    // More minutes wait for room; hours (1) and days (0) do not.
    let moreMinutesAdmitted = false;
    const moreMinutes = lane.admit([day(7, 1007)], undefined, 2).then((r) => {
      moreMinutesAdmitted = true;
      return r;
    });
    const hours = await lane.admit([day(11, 2011), day(12, 2012)], undefined, 1);
    const days = await lane.admit([day(21, 3021), day(22, 3022), day(23, 3023)], undefined, 0);
    await new Promise((r) => setTimeout(r, 50));
    expect(moreMinutesAdmitted).toBe(false);

    receiver.setDown(false);
    await Promise.all([minutes.acknowledged, hours.acknowledged, days.acknowledged, (await moreMinutes).acknowledged]);
    const sent = receiver.batches.flatMap((b) => b.events.map((e) => (e as FxHistoryEvent).rate));
    expect(sent).toEqual([1001, 1002, 3021, 3022, 3023, 2011, 2012, 1003, 1004, 1005, 1006, 1007]);
    expect(lane.stats().queuedEvents).toBe(0);
  });
});
