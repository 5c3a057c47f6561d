import type { Feed } from "../core/feed";
import { restGet } from "../core/rest-client";
import { runWebSocket } from "../core/ws-connection";
import { BitmexLiquidationNormalizer } from "./bitmex-liquidations";
import { answersAreLiveness, gate, refreshLoop } from "./liquidation-stream";

/** Subscribes the whole liquidation table (every symbol). */
export const BITMEX_SUBSCRIBE = JSON.stringify({ op: "subscribe", args: ["liquidation"] });

/**
 * BitMEX liquidations: the `liquidation` table on wss://ws.bitmex.com/realtime. Contract sizes
 * (inverse, linear, quanto multipliers) and the XBTUSD mark price that values quanto contracts come
 * from `GET /api/v1/instrument/active`, fetched before connecting and every 10 minutes; XBTUSD
 * itself is known without it (1 USD per contract), so the stream starts even if that fetch fails.
 * Heartbeat as BitMEX documents it: a text `ping` when 5 s passed, `pong` expected back, else
 * reconnect (https://www.bitmex.com/app/wsAPI#Heartbeats). The table carries every liquidation
 * order: complete.
 */
export const bitmexFeed: Feed = {
  venue: "bitmex",
  description:
    "BitMEX liquidations: the liquidation table on wss://ws.bitmex.com/realtime, contract sizes from /api/v1/instrument/active (complete; no venue timestamp, receive time used)",
  endpoints: { ws: "wss://ws.bitmex.com/realtime", rest: "https://www.bitmex.com" },
  probe: { endpoint: "rest", path: "/api/v1/instrument?symbol=XBTUSD&count=1" },
  createNormalizer: () => new BitmexLiquidationNormalizer(),
  async run(ctx) {
    const tried = gate();
    const instruments = refreshLoop(ctx, {
      name: "instruments",
      intervalMs: ctx.tuning.refreshMs ?? 600_000,
      refresh: async () => {
        const response = await restGet(ctx, "rest", "/api/v1/instrument/active");
        if (response.result.kind === "error") throw new Error(response.result.error);
      },
      onFirstAttempt: () => tried.open(),
    });
    const stream = (async () => {
      await Promise.race([
        tried.opened,
        new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true })),
      ]);
      if (ctx.signal.aborted) return;
      await runWebSocket(ctx, {
        url: () => ctx.endpoints.ws,
        onOpen: (conn) => conn.send(BITMEX_SUBSCRIBE),
        onText: answersAreLiveness(ctx),
        keepAlive: { kind: "text", intervalMs: ctx.tuning.keepAliveMs ?? 5_000, message: "ping" },
        silenceMs: ctx.tuning.silenceMs ?? 15_000,
      });
    })();
    await Promise.all([instruments, stream]);
  },
};
