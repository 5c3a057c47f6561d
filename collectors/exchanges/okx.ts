import type { Feed } from "../core/feed";
import { restGet } from "../core/rest-client";
import { runWebSocket } from "../core/ws-connection";
import { answersAreLiveness, gate, refreshLoop } from "./liquidation-stream";
import { OkxLiquidationNormalizer } from "./okx-liquidations";

/** The subscribe request of the liquidation channel (no per-instrument filter exists). */
export const OKX_SUBSCRIBE = JSON.stringify({
  id: "liq",
  op: "subscribe",
  args: [{ channel: "liquidation-orders", instType: "SWAP" }],
});

/**
 * OKX v5 liquidations: the `liquidation-orders` channel for every SWAP instrument on the public
 * WebSocket. Sizes are contracts, so the contract values (`ctVal`, `ctMult`, `ctType`) of
 * `GET /api/v5/public/instruments?instType=SWAP` are fetched first (the normaliser learns them from
 * that frame, recorded like any other) and refreshed hourly for new listings. Keep-alive: the text
 * `ping` every 20 s (OKX cuts a connection silent for 30 s; the answer is the text `pong`).
 * OKX shows at most one liquidation per contract per second: a sample.
 */
export const okxFeed: Feed = {
  venue: "okx",
  description:
    "OKX liquidations: liquidation-orders (SWAP) on wss://ws.okx.com:8443/ws/v5/public, contract values from /api/v5/public/instruments (sampled: at most 1 per contract per second)",
  endpoints: { ws: "wss://ws.okx.com:8443/ws/v5/public", rest: "https://www.okx.com" },
  probe: { endpoint: "rest", path: "/api/v5/public/time" },
  createNormalizer: () => new OkxLiquidationNormalizer(),
  async run(ctx) {
    const loaded = gate();
    const instruments = refreshLoop(ctx, {
      name: "instruments",
      intervalMs: ctx.tuning.refreshMs ?? 3_600_000,
      refresh: async () => {
        const response = await restGet(ctx, "rest", "/api/v5/public/instruments?instType=SWAP");
        if (response.result.kind === "error") throw new Error(response.result.error);
        loaded.open();
      },
    });
    const stream = (async () => {
      // Without contract values every liquidation would be refused: connect once they are known.
      await Promise.race([
        loaded.opened,
        new Promise((resolve) => ctx.signal.addEventListener("abort", resolve, { once: true })),
      ]);
      if (ctx.signal.aborted) return;
      await runWebSocket(ctx, {
        url: () => ctx.endpoints.ws,
        onOpen: (conn) => conn.send(OKX_SUBSCRIBE),
        onText: answersAreLiveness(ctx),
        keepAlive: { kind: "text", intervalMs: ctx.tuning.keepAliveMs ?? 20_000, message: "ping" },
        silenceMs: ctx.tuning.silenceMs ?? 60_000,
      });
    })();
    await Promise.all([instruments, stream]);
  },
};
