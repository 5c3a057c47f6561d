/**
 * The Worker's entry: the Hono gateway (fetch), the queue consumer (the notifications queue and its
 * dead-letter queue), the daily cron (the notification tables' retention), and every Durable Object
 * class (wrangler.toml binds them by these export names).
 */

import { createApp } from "./app";
import { handleQueue } from "./notifications/consumer";
import { trimNotifications } from "./notifications/retention";

export { LiquidationFeed } from "../durable-objects/liquidation-feed";
export { MarketBoard } from "../durable-objects/market-board";
export { MarketSymbol } from "../durable-objects/market-symbol";
export { UserLedger } from "../durable-objects/user-ledger";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleQueue,
  async scheduled(_controller, env) {
    console.log(JSON.stringify({ msg: "notification tables trimmed", removed: await trimNotifications(env.DB) }));
  },
} satisfies ExportedHandler<Env, unknown>;
