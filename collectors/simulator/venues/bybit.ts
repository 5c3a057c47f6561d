import type { VenueQuote } from "../market-model";
import type { SimContext, SimHttpRequest, SimHttpResponse, SimSocket, SimVenue } from "../sim-venue";
import { binanceSymbols } from "./binance";
import { bybitKlines } from "./bybit-klines";

function s(n: number): string {
  return n >= 1 ? n.toFixed(4) : n.toPrecision(6);
}

function spotRow(symbol: string, q: VenueQuote): Record<string, string> {
  return {
    symbol,
    bid1Price: s(q.price * 0.9999),
    bid1Size: "2",
    ask1Price: s(q.price * 1.0001),
    ask1Size: "1.5",
    lastPrice: s(q.price),
    prevPrice24h: s(q.open),
    price24hPcnt: (q.changePercent / 100).toFixed(6),
    highPrice24h: s(q.high),
    lowPrice24h: s(q.low),
    turnover24h: s(q.quoteVolume),
    volume24h: s(q.volume),
    usdIndexPrice: s(q.price),
  };
}

/**
 * Bybit v5 spot: REST `/v5/market/time`, `/v5/market/kline?category=spot` (see ./bybit-klines.ts) and
 * `/v5/market/tickers?category=spot` (the retCode envelope,
 * string values, `price24hPcnt` a ratio); WebSocket `/v5/public/spot` with `tickers.<symbol>` topics
 * (snapshots every second while the price moves) and `{"op":"ping"}` answered with the spot pong shape.
 */
export const bybitSim: SimVenue = {
  venue: "bybit",
  http(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
    const now = Date.now();
    const klines = bybitKlines(req, ctx);
    if (klines) return klines;
    if (req.path === "/v5/market/time") {
      return {
        body: {
          retCode: 0,
          retMsg: "OK",
          result: { timeSecond: String(Math.floor(now / 1000)), timeNano: `${now}000000` },
          retExtInfo: {},
          time: now,
        },
      };
    }
    if (req.path === "/v5/market/tickers") {
      const category = req.query.get("category");
      if (category !== "spot") return undefined; // other categories: another module, or 404
      const list: Record<string, string>[] = [];
      for (const [symbol, { coin }] of binanceSymbols(ctx.market, "bybit")) {
        const q = ctx.market.quote(coin, "bybit");
        if (q) list.push(spotRow(symbol, q));
      }
      return { body: { retCode: 0, retMsg: "OK", result: { category: "spot", list }, retExtInfo: {}, time: now } };
    }
    return undefined;
  },
  connect(socket: SimSocket, ctx: SimContext) {
    if (socket.path !== "/v5/public/spot") {
      socket.close(1008, "unknown path");
      return;
    }
    const topics = new Set<string>();
    const lastSent = new Map<string, number>();
    const stop = ctx.every(1000, () => {
      if (!socket.open) return;
      const symbols = binanceSymbols(ctx.market, "bybit");
      for (const topic of topics) {
        const symbol = topic.slice("tickers.".length);
        const entry = symbols.get(symbol);
        const q = entry && ctx.market.quote(entry.coin, "bybit");
        if (!q || lastSent.get(symbol) === q.timestamp) continue;
        lastSent.set(symbol, q.timestamp);
        const row = spotRow(symbol, q);
        socket.send(JSON.stringify({ topic, ts: Date.now(), type: "snapshot", cs: Date.now(), data: row }));
      }
    });
    socket.onClose(stop);
    socket.onMessage((text) => {
      let msg: { op?: string; args?: unknown; req_id?: string };
      try {
        msg = JSON.parse(text) as typeof msg;
      } catch {
        return;
      }
      const connId = "0970e817-426e-429a-a679-ff7f55e0b16a";
      if (msg.op === "ping") {
        socket.send(JSON.stringify({ success: true, ret_msg: "pong", conn_id: connId, op: "ping" }), { control: true });
      } else if (msg.op === "subscribe" && Array.isArray(msg.args)) {
        for (const a of msg.args) if (typeof a === "string" && a.startsWith("tickers.")) topics.add(a);
        socket.send(
          JSON.stringify({ success: true, ret_msg: "", conn_id: connId, req_id: msg.req_id ?? "", op: "subscribe" }),
          {
            control: true,
          },
        );
      }
    });
  },
};
