/**
 * The Worker's entry: the Hono gateway (fetch), the notifications queue consumer, and every
 * Durable Object class (wrangler.toml binds them by these export names).
 */

import type { NotificationEvent } from "../protocol/events";
import { createApp } from "./app";
import { handleNotifications } from "./queue/notifications";

export { LiquidationFeed } from "../durable-objects/liquidation-feed";
export { MarketBoard } from "../durable-objects/market-board";
export { MarketSymbol } from "../durable-objects/market-symbol";
export { UserLedger } from "../durable-objects/user-ledger";

const app = createApp();

export default {
  fetch: app.fetch,
  queue: handleNotifications,
} satisfies ExportedHandler<Env, NotificationEvent>;
