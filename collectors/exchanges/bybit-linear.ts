import type { Feed, FeedContext } from "../core/feed";
import { isRecord, parseJson } from "../core/parse";
import { restGet } from "../core/rest-client";
import { runWebSocket, type WsConnection } from "../core/ws-connection";
import { BybitLinearLiquidationNormalizer } from "./bybit-linear-liquidations";
import { answersAreLiveness, refreshLoop } from "./liquidation-stream";

/**
 * Topics per connection. Bybit caps the `args` of one connection at 21,000 characters
 * (docs/v5/websocket/wss-authentication.mdx); 200 topics of at most ~30 characters stay far below.
 */
export const BYBIT_TOPICS_PER_CONNECTION = 200;
/** Topics per subscribe request (the spot limit; linear has none documented, 10 is the safe size). */
export const BYBIT_TOPICS_PER_REQUEST = 10;

/** One connection's share of the symbols. */
interface Shard {
  symbols: Set<string>;
  conn?: WsConnection;
}

/** The subscribe requests for some symbols, in chunks. */
export function bybitSubscribeRequests(symbols: Iterable<string>, reqId: () => string): string[] {
  const topics = [...symbols].map((s) => `allLiquidation.${s}`);
  const requests: string[] = [];
  for (let i = 0; i < topics.length; i += BYBIT_TOPICS_PER_REQUEST) {
    requests.push(
      JSON.stringify({ req_id: reqId(), op: "subscribe", args: topics.slice(i, i + BYBIT_TOPICS_PER_REQUEST) }),
    );
  }
  return requests;
}

/**
 * Every trading linear USDT contract (perpetual and dated), from `GET /v5/market/instruments-info`
 * (all pages). Each page is handed to the pipeline too, so a recording replays with the same symbols.
 * Throws when any page fails, so a failed refresh never looks like an empty list.
 */
export async function fetchBybitLinearUsdtSymbols(ctx: FeedContext): Promise<string[]> {
  const symbols: string[] = [];
  let cursor = "";
  for (let page = 0; page < 20; page++) {
    const query = `category=linear&limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    const response = await restGet(ctx, "rest", `/v5/market/instruments-info?${query}`);
    const body = parseJson(response.text);
    if (!isRecord(body) || body.retCode !== 0 || !isRecord(body.result) || !Array.isArray(body.result.list)) {
      throw new Error(`instruments-info answered ${response.text.slice(0, 200)}`);
    }
    for (const row of body.result.list) {
      if (!isRecord(row) || typeof row.symbol !== "string") continue;
      if (row.quoteCoin === "USDT" && row.status === "Trading") symbols.push(row.symbol);
    }
    cursor = typeof body.result.nextPageCursor === "string" ? body.result.nextPageCursor : "";
    if (!cursor) break;
  }
  return symbols;
}

/**
 * Bybit v5 linear liquidations: `allLiquidation.{symbol}` for every trading linear USDT symbol, over
 * as many connections to the public linear WebSocket as 200 topics each need, subscribed in chunks of
 * 10. The symbol list is refreshed hourly: new listings are subscribed on a live connection (or a new
 * one), delisted ones are dropped from the next (re)subscription. Keep-alive: `{"op":"ping"}` every
 * 20 s, as Bybit recommends (the connection is cut after 10 minutes without one).
 * allLiquidation pushes every liquidation: complete.
 */
export const bybitLinearFeed: Feed = {
  venue: "bybit-linear",
  description:
    "Bybit linear liquidations: allLiquidation.{symbol} for every USDT contract on wss://stream.bybit.com/v5/public/linear (complete)",
  endpoints: { ws: "wss://stream.bybit.com/v5/public/linear", rest: "https://api.bybit.com" },
  probe: { endpoint: "rest", path: "/v5/market/time" },
  createNormalizer: () => new BybitLinearLiquidationNormalizer(),
  async run(ctx) {
    const shards: Shard[] = [];
    const connections: Promise<void>[] = [];
    let requestId = 0;
    const reqId = () => `liq-${++requestId}`;

    const startShard = (shard: Shard) => {
      connections.push(
        runWebSocket(ctx, {
          url: () => ctx.endpoints.ws,
          onOpen: (conn) => {
            shard.conn = conn;
            for (const request of bybitSubscribeRequests(shard.symbols, reqId)) conn.send(request);
          },
          onText: answersAreLiveness(ctx),
          keepAlive: {
            kind: "text",
            intervalMs: ctx.tuning.keepAliveMs ?? 20_000,
            message: () => JSON.stringify({ req_id: reqId(), op: "ping" }),
          },
          silenceMs: ctx.tuning.silenceMs ?? 60_000,
        }),
      );
    };

    const apply = (symbols: string[]) => {
      if (symbols.length === 0) return; // an empty list is a venue hiccup, not a mass delisting
      const current = new Set(symbols);
      for (const shard of shards) for (const s of shard.symbols) if (!current.has(s)) shard.symbols.delete(s);
      const known = new Set(shards.flatMap((shard) => [...shard.symbols]));
      const added = symbols.filter((s) => !known.has(s));
      const fresh: Shard[] = [];
      for (const symbol of added) {
        let shard = shards.find((x) => x.symbols.size < BYBIT_TOPICS_PER_CONNECTION);
        if (!shard) {
          shard = { symbols: new Set() };
          shards.push(shard);
          fresh.push(shard);
        }
        shard.symbols.add(symbol);
        if (!fresh.includes(shard)) {
          for (const request of bybitSubscribeRequests([symbol], reqId)) shard.conn?.send(request);
        }
      }
      for (const shard of fresh) startShard(shard);
      if (added.length > 0)
        ctx.log.info("symbols subscribed", { added: added.length, total: current.size, connections: shards.length });
    };

    await refreshLoop(ctx, {
      name: "instruments-info",
      intervalMs: ctx.tuning.refreshMs ?? 3_600_000,
      refresh: async () => apply(await fetchBybitLinearUsdtSymbols(ctx)),
    });
    await Promise.all(connections);
  },
};
