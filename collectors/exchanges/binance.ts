import type { Feed, FeedContext } from "../core/feed";
import { errorMessage } from "../core/log";
import { restGet } from "../core/rest-client";
import { runWebSocket } from "../core/ws-connection";
import { BinanceNormalizer, isServerShutdown } from "./binance-normalizer";

/** Binance cuts a connection at 24 h; we reconnect on our own terms a little before. */
const MAX_CONNECTION_MS = 23 * 3_600_000 + 50 * 60_000;
/** The full REST snapshot weighs 80 of the 6000 per minute; take it at most this often. */
const SNAPSHOT_MIN_INTERVAL_MS = 5 * 60_000;

/**
 * Binance spot (USDT). `!ticker@arr` was retired on 2026-03-26; the current all-market stream is
 * `!miniTicker@arr` (every second, only the symbols that changed) on `wss://stream.binance.com:9443/ws/`.
 * A REST `GET /api/v3/ticker/24hr` snapshot (weight 80) fills in quiet symbols after each connect. The
 * server pings every 20 s and `ws` answers with the same payload; a `serverShutdown` event or the 24 h
 * cut triggers a reconnect (we reconnect proactively at 23 h 50 min). Limits: 5 incoming messages/s per
 * connection, 300 connection attempts per 5 min per IP, REST 6000 weight/min (429, then 418 bans).
 */
export const binanceFeed: Feed = {
  venue: "binance",
  description: "Binance spot: WS !miniTicker@arr (all symbols, 1 s); REST /api/v3/ticker/24hr snapshot on connect",
  endpoints: { rest: "https://api.binance.com", ws: "wss://stream.binance.com:9443" },
  probe: { endpoint: "rest", path: "/api/v3/ping" },
  createNormalizer: () => new BinanceNormalizer(),
  async run(ctx: FeedContext) {
    let lastSnapshot = 0;
    await runWebSocket(ctx, {
      url: () => `${ctx.endpoints.ws}/ws/!miniTicker@arr`,
      onOpen: () => {
        if (Date.now() - lastSnapshot < SNAPSHOT_MIN_INTERVAL_MS) return;
        lastSnapshot = Date.now();
        restGet(ctx, "rest", "/api/v3/ticker/24hr", { timeoutMs: 30_000 }).catch((error: unknown) =>
          ctx.log.warn("24 h ticker snapshot failed; the stream fills in", { error: errorMessage(error) }),
        );
      },
      onText: (text, conn) => {
        const result = ctx.emitText("ws", text);
        if (isServerShutdown(text)) conn.reconnect("serverShutdown: the server is going away");
        return result;
      },
      silenceMs: ctx.tuning.silenceMs ?? 30_000,
      maxConnectionMs: ctx.tuning.maxConnectionMs ?? MAX_CONNECTION_MS,
    });
  },
};
