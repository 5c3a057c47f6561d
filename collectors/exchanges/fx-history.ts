import type { FxHistoryEvent } from "../../protocol/ingest";
import { resolveCandleTuning } from "../candles/candle-tuning";
import { sleep } from "../core/abortable-sleep";
import type { Feed, FeedContext } from "../core/feed";
import { restGet } from "../core/rest-client";
import { runPolling } from "../core/rest-poller";
import { FxHistoryNormalizer } from "./fx-history-normalizer";

const DAY_MS = 86_400_000;
/** Days asked for again after the newest acknowledged one (a late publication, a corrected rate). */
const OVERLAP_DAYS = 7;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * USD/KRW daily history for the premium history: Frankfurter's time series of the ECB reference rate
 * (`GET /v1/{start}..?base=USD&symbols=KRW`), the whole 1-day candle span once, then every hour from a
 * week before the newest day acknowledged; one request each time, through the history lane.
 */
export const fxHistoryFeed: Feed = {
  venue: "fx-history",
  description: "USD/KRW history: Frankfurter /v1/{start}.. (ECB, daily) for the 1-day span, then hourly",
  endpoints: { frankfurter: "https://api.frankfurter.dev" },
  simulatedBy: "fx",
  createNormalizer: () => new FxHistoryNormalizer(),
  async run(ctx: FeedContext) {
    const lane = ctx.history;
    if (!lane) {
      ctx.log.info("no history lane in this process: forex history is not collected");
      await sleep(Number.MAX_SAFE_INTEGER / 2, ctx.signal);
      return;
    }
    const metrics = ctx.registry.history(ctx.venue, "fx_history", "frankfurter");
    const spanMs = resolveCandleTuning(ctx.tuning.candles).spansMs["1d"];
    let newest: number | undefined;
    await runPolling(ctx, {
      name: "USD/KRW history",
      intervalMs: ctx.tuning.pollIntervalMs ?? 3_600_000,
      poll: async () => {
        const from = newest === undefined ? Date.now() - spanMs : newest - OVERLAP_DAYS * DAY_MS;
        const path = `/v1/${isoDate(from)}..?base=USD&symbols=KRW`;
        metrics.requests++;
        const { text } = await restGet(ctx, "frankfurter", path, { emit: false });
        const { result, events } = ctx.collect({
          venue: ctx.venue,
          stream: `rest ${path.split("?")[0]}`,
          received_at: Date.now(),
          frame: text,
        });
        if (result.kind !== "data") throw new Error(result.kind === "error" ? result.error : "not a time series");
        const days = events.filter((e): e is FxHistoryEvent => e.kind === "fx_history");
        metrics.fetched += days.length;
        // Priority 0, with the daily candles: every premium before the live feed needs these days.
        const { acknowledged } = await lane.admit(days, ctx.signal, 0);
        await acknowledged;
        metrics.acknowledged += days.length;
        if (days.length > 0) newest = Math.max(newest ?? 0, ...days.map((d) => d.day));
      },
    });
  },
};
