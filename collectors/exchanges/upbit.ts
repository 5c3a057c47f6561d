import { randomUUID } from "node:crypto";
import { sleep } from "../core/abortable-sleep";
import type { Feed, FeedContext } from "../core/feed";
import { errorMessage } from "../core/log";
import { parseJson } from "../core/parse";
import { restGet } from "../core/rest-client";
import { runWebSocket, type WsConnection } from "../core/ws-connection";
import { krwMarketCodes, UpbitNormalizer } from "./upbit-normalizer";

/** The Upbit ticker subscription for some market codes (DEFAULT format, snapshot then real-time). */
export function upbitTickerRequest(codes: readonly string[]): string {
  return JSON.stringify([{ ticket: randomUUID() }, { type: "ticker", codes }, { format: "DEFAULT" }]);
}

/**
 * Upbit (KRW). The market list `GET /v1/market/all?is_details=true` gives every KRW market (KRW-USDT
 * included) with Korean names and `market_event` caution flags (emitted as `coin` events), refreshed
 * every 10 min; a changed list re-subscribes. Tickers come over `wss://api.upbit.com/websocket/v1`
 * (binary frames), one subscription for every KRW code, kept alive with a text `PING` every 30 s
 * (the idle cut is ~120 s). Limits: REST 10 req/s per group, WS connect 5/s, 5 requests/s and 100/min
 * per connection; no `Origin` header (that drops the limits to 1 request per 10 s).
 */
export const upbitFeed: Feed = {
  venue: "upbit",
  description:
    "Upbit: WS ticker (every KRW market incl. KRW-USDT, binary frames, PING); REST /v1/market/all names + caution flags every 10 min",
  endpoints: { rest: "https://api.upbit.com", ws: "wss://api.upbit.com" },
  probe: { endpoint: "rest", path: "/v1/market/all" },
  createNormalizer: () => new UpbitNormalizer(),
  async run(ctx: FeedContext) {
    let codes: string[] | undefined;
    let conn: WsConnection | undefined;
    const refresh = async () => {
      const res = await restGet(ctx, "rest", "/v1/market/all?is_details=true");
      const list = krwMarketCodes(parseJson(res.text));
      // A failed or empty answer is never taken as "every market was delisted".
      if (list.length === 0) throw new Error("the market list had no KRW markets");
      const changed = codes !== undefined && (codes.length !== list.length || codes.some((c, i) => c !== list[i]));
      codes = list;
      if (changed) {
        ctx.log.info("market list changed; re-subscribing", { markets: list.length });
        conn?.reconnect("market list changed");
      }
    };
    const refreshMs = ctx.tuning.refreshMs ?? 10 * 60_000;
    const refresher = (async () => {
      while (!ctx.signal.aborted) {
        await sleep(refreshMs, ctx.signal);
        if (ctx.signal.aborted) break;
        await refresh().catch((error: unknown) =>
          ctx.log.warn("market list refresh failed; keeping the previous list", { error: errorMessage(error) }),
        );
      }
    })();
    await runWebSocket(ctx, {
      url: async () => {
        if (!codes) await refresh();
        return `${ctx.endpoints.ws}/websocket/v1`;
      },
      onOpen: (c) => {
        conn = c;
        c.send(upbitTickerRequest(codes ?? []));
        ctx.log.info("subscribed", { markets: codes?.length ?? 0 });
      },
      keepAlive: { kind: "text", message: "PING", intervalMs: ctx.tuning.keepAliveMs ?? 30_000 },
      silenceMs: ctx.tuning.silenceMs ?? 30_000,
    });
    await refresher;
  },
};
