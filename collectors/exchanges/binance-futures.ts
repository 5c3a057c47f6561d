import type { Feed } from "../core/feed";
import { runWebSocket } from "../core/ws-connection";
import { BinanceFuturesLiquidationNormalizer } from "./binance-futures-liquidations";
import { answersAreLiveness } from "./liquidation-stream";

/** The all-market liquidation stream. */
export const BINANCE_FORCE_ORDER_STREAM = "!forceOrder@arr";

/**
 * Binance USDⓈ-M futures liquidations: `!forceOrder@arr` (every symbol) on the `/market` base URL.
 * Binance split the futures WebSocket into `/public`, `/market` and `/private` in March 2026 and
 * retired the old URLs on 2026-04-23; `forceOrder` is "regular market data", so `/market`
 * (https://developers.binance.com/docs/derivatives/usds-margined-futures/websocket-market-streams/Important-WebSocket-Change-Notice).
 * The server pings every 3 minutes (answered by `ws`); a connection lives at most 24 h, so we
 * reconnect after 23 h. As a keep-alive that proves the stream answers, `LIST_SUBSCRIPTIONS` every
 * 30 s (well inside 10 incoming messages per second). Binance pushes at most one liquidation per
 * symbol per second: a sample.
 */
export const binanceFuturesFeed: Feed = {
  venue: "binance-futures",
  description:
    "Binance USD-M futures liquidations: !forceOrder@arr on wss://fstream.binance.com/market (sampled: at most 1 per symbol per second)",
  endpoints: { ws: "wss://fstream.binance.com/market", rest: "https://fapi.binance.com" },
  probe: { endpoint: "rest", path: "/fapi/v1/ping" },
  createNormalizer: () => new BinanceFuturesLiquidationNormalizer(),
  run(ctx) {
    let requestId = 0;
    return runWebSocket(ctx, {
      url: () => `${ctx.endpoints.ws}/stream?streams=${BINANCE_FORCE_ORDER_STREAM}`,
      onText: answersAreLiveness(ctx),
      keepAlive: {
        kind: "text",
        intervalMs: ctx.tuning.keepAliveMs ?? 30_000,
        message: () => JSON.stringify({ method: "LIST_SUBSCRIPTIONS", id: ++requestId }),
      },
      silenceMs: ctx.tuning.silenceMs ?? 90_000,
      maxConnectionMs: ctx.tuning.maxConnectionMs ?? 23 * 3_600_000,
    });
  },
};
