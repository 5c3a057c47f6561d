import { randomUUID } from "node:crypto";
import type { SimCoin } from "../market-model";
import type { SimContext, SimHttpRequest, SimHttpResponse, SimSocket, SimVenue } from "../sim-venue";
import { futuresCoins, randomLiquidation, significant } from "./liquidation-sizes";

/** A simulated Bybit linear instrument (the fields of `GET /v5/market/instruments-info` the collector reads). */
interface BybitInstrument {
  symbol: string;
  coin?: SimCoin;
  multiplier: number;
  baseCoin: string;
  quoteCoin: string;
  status: string;
  contractType: string;
}

/** Bybit writes the x1000 contracts of some coins as a suffix (`SHIB1000USDT`), of others as a prefix. */
const SUFFIX_FORM = new Set(["SHIB"]);

function instruments(ctx: SimContext): BybitInstrument[] {
  const list: BybitInstrument[] = futuresCoins(ctx.market.coins).map((coin) => {
    const multiplier = coin.usdPrice < 0.01 ? 1000 : 1;
    const baseCoin =
      multiplier === 1 ? coin.base : SUFFIX_FORM.has(coin.base) ? `${coin.base}1000` : `1000${coin.base}`;
    return {
      symbol: `${baseCoin}USDT`,
      coin,
      multiplier,
      baseCoin,
      quoteCoin: "USDT",
      status: "Trading",
      contractType: "LinearPerpetual",
    };
  });
  // Rows the collector must leave out: a USDC perpetual and a contract not trading yet.
  list.push({
    symbol: "BTCPERP",
    multiplier: 1,
    baseCoin: "BTC",
    quoteCoin: "USDC",
    status: "Trading",
    contractType: "LinearPerpetual",
  });
  list.push({
    symbol: "NEWUSDT",
    multiplier: 1,
    baseCoin: "NEW",
    quoteCoin: "USDT",
    status: "PreLaunch",
    contractType: "LinearPerpetual",
  });
  return list;
}

/** `GET /v5/market/instruments-info?category=linear`, paginated with `limit` and `cursor` as Bybit does. */
function instrumentsInfo(req: SimHttpRequest, ctx: SimContext): SimHttpResponse {
  const all = instruments(ctx);
  const limit = Math.min(1000, Math.max(1, Number(req.query.get("limit") ?? 500) || 500));
  const start = Number(req.query.get("cursor") ?? 0) || 0;
  const page = all.slice(start, start + limit);
  const next = start + limit < all.length ? String(start + limit) : "";
  return {
    body: {
      retCode: 0,
      retMsg: "OK",
      result: {
        category: "linear",
        list: page.map(({ symbol, baseCoin, quoteCoin, status, contractType }) => ({
          symbol,
          contractType,
          status,
          baseCoin,
          quoteCoin,
          settleCoin: quoteCoin,
        })),
        nextPageCursor: next,
      },
      retExtInfo: {},
      time: Date.now(),
    },
  };
}

/**
 * Bybit's public linear WebSocket, simulated: `{"op":"subscribe"}` for `allLiquidation.{symbol}`
 * topics (unknown symbols refused like Bybit does), `{"op":"ping"}` answered with the linear pong,
 * and every 500 ms a push per symbol that had liquidations, `data` a list, `S` the POSITION's side
 * (`Buy` = a long liquidated), sizes in the symbol's units (fixtures/venues/bybit-ws-all-liquidation.json).
 */
export const bybitLinearSim: SimVenue = {
  venue: "bybit-linear",
  http(req, ctx) {
    if (req.path === "/v5/market/instruments-info" && req.query.get("category") === "linear")
      return instrumentsInfo(req, ctx);
    if (req.path === "/v5/market/time") {
      const now = Date.now();
      return {
        body: {
          retCode: 0,
          retMsg: "OK",
          result: { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` },
          time: now,
        },
      };
    }
    return undefined;
  },
  connect(socket: SimSocket, ctx: SimContext) {
    const connId = randomUUID();
    const bySymbol = new Map(
      instruments(ctx)
        .filter((i) => i.coin)
        .map((i) => [i.symbol, i]),
    );
    const subscribed = new Set<string>();
    socket.onMessage((text) => {
      let request: { op?: unknown; args?: unknown; req_id?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        socket.send(JSON.stringify({ success: false, ret_msg: "error:request not json", conn_id: connId, op: "" }), {
          control: true,
        });
        return;
      }
      const reqId = typeof request.req_id === "string" ? request.req_id : "";
      if (request.op === "ping") {
        socket.send(JSON.stringify({ success: true, ret_msg: "pong", conn_id: connId, req_id: reqId, op: "ping" }), {
          control: true,
        });
        return;
      }
      if (request.op === "subscribe" && Array.isArray(request.args)) {
        const topics = request.args.map(String);
        const bad = topics.filter(
          (t) => !t.startsWith("allLiquidation.") || !bySymbol.has(t.slice("allLiquidation.".length)),
        );
        for (const t of topics) if (!bad.includes(t)) subscribed.add(t.slice("allLiquidation.".length));
        const answer = bad.length
          ? {
              success: false,
              ret_msg: `error:handler not found,topic:${bad.join(",")}`,
              conn_id: connId,
              req_id: reqId,
              op: "subscribe",
            }
          : { success: true, ret_msg: "", conn_id: connId, req_id: reqId, op: "subscribe" };
        socket.send(JSON.stringify(answer), { control: true });
      }
    });
    const coins = [...bySymbol.values()].map((i) => i.coin as SimCoin);
    const stop = ctx.every(500, () => {
      if (subscribed.size === 0) return;
      const now = Date.now();
      const bursts = new Map<string, Record<string, unknown>[]>();
      const count = Math.floor(ctx.random() * 3);
      for (let i = 0; i < count; i++) {
        const liquidation = randomLiquidation(coins, ctx.random);
        const instrument = [...bySymbol.values()].find((x) => x.coin === liquidation.coin);
        if (!instrument || !subscribed.has(instrument.symbol)) continue;
        const items = bursts.get(instrument.symbol) ?? [];
        items.push({
          T: now - Math.floor(ctx.random() * 400),
          s: instrument.symbol,
          S: liquidation.side === "long" ? "Buy" : "Sell",
          v: String(significant(liquidation.quantity / instrument.multiplier, 5)),
          p: String(significant(liquidation.price * instrument.multiplier)),
        });
        bursts.set(instrument.symbol, items);
      }
      for (const [symbol, data] of bursts) {
        socket.send(JSON.stringify({ topic: `allLiquidation.${symbol}`, type: "snapshot", ts: now, data }));
      }
    });
    socket.onClose(stop);
  },
};
