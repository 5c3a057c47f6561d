/**
 * The Worker's entry: the Hono gateway (fetch), the queue consumer (the notifications queue and its
 * dead-letter queue), the daily crons (the notification tables' retention at 03:17 UTC; the traders'
 * equity snapshots at 15:00 UTC, Asia/Seoul midnight), and every Durable Object class (wrangler.toml
 * binds them by these export names).
 */

import { EQUITY_SNAPSHOT_CRON, takeDailySnapshots } from "./analytics/equity-snapshots";
import { createApp } from "./app";
import { handleQueue } from "./notifications/consumer";
import { trimNotifications } from "./notifications/retention";

export { FanoutShard } from "../durable-objects/fanout-shard";
export { LiquidationFeed } from "../durable-objects/liquidation-feed";
export { MarketBoard } from "../durable-objects/market-board";
export { MarketSymbol } from "../durable-objects/market-symbol";
export { MetricsCollector } from "../durable-objects/metrics-collector";
export { UserLedger } from "../durable-objects/user-ledger";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueue,
  async scheduled(controller, env) {
    if (controller.cron === EQUITY_SNAPSHOT_CRON) {
      // Just after midnight in Seoul: the snapshot is of the day that is starting (its opening equity).
      const taken = await takeDailySnapshots(env, controller.scheduledTime);
      console.log(JSON.stringify({ msg: "equity snapshots taken", ...taken }));
      return;
    }
    console.log(JSON.stringify({ msg: "notification tables trimmed", removed: await trimNotifications(env.DB) }));
  },
} satisfies ExportedHandler<Env, unknown>;
