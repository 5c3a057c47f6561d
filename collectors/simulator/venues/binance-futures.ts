import type { SimCoin } from "../market-model";
import type { SimContext, SimSocket, SimVenue } from "../sim-venue";
import { futuresCoins, randomLiquidation, significant } from "./liquidation-sizes";

/** Coins whose Binance USD-M perpetual is quoted per 1000 (as the real `1000PEPEUSDT`). */
function binanceFuturesSymbol(coin: SimCoin): { symbol: string; multiplier: number } {
  return coin.usdPrice < 0.01
    ? { symbol: `1000${coin.base}USDT`, multiplier: 1000 }
    : { symbol: `${coin.base}USDT`, multiplier: 1 };
}

/**
 * A Binance USD-M `forceOrder` event as the venue sends it (fixtures/venues/binance-futures-ws-forceorder.json):
 * the ORDER's side (`SELL` closes a long), strings for quantities and prices, in the symbol's units.
 */
export function binanceForceOrder(ctx: SimContext, coins: readonly SimCoin[], now: number): Record<string, unknown> {
  const liquidation = randomLiquidation(coins, ctx.random);
  const { symbol, multiplier } = binanceFuturesSymbol(liquidation.coin);
  const quantity = String(significant(liquidation.quantity / multiplier, 5));
  const price = String(significant(liquidation.price * multiplier));
  return {
    e: "forceOrder",
    E: now,
    o: {
      s: symbol,
      S: liquidation.side === "long" ? "SELL" : "BUY",
      o: "LIMIT",
      f: "IOC",
      q: quantity,
      p: String(significant(liquidation.price * multiplier * (liquidation.side === "long" ? 0.999 : 1.001))),
      ap: price,
      X: "FILLED",
      l: quantity,
      z: quantity,
      T: now - 1,
    },
  };
}

/**
 * Binance USD-M futures market streams, simulated: `/stream?streams=!forceOrder@arr` (combined,
 * wrapped in `{stream, data}`) or `/ws/!forceOrder@arr` (raw); `SUBSCRIBE` and `LIST_SUBSCRIPTIONS`
 * requests answered as Binance does; a ping frame every 3 minutes. At most one liquidation per symbol
 * per second, like the real stream.
 */
export const binanceFuturesSim: SimVenue = {
  venue: "binance-futures",
  http(req) {
    if (req.path === "/fapi/v1/ping") return { body: {} };
    if (req.path === "/fapi/v1/time") return { body: { serverTime: Date.now() } };
    return undefined;
  },
  connect(socket: SimSocket, ctx: SimContext) {
    const combined = socket.path === "/stream";
    const streams = new Set(
      (combined ? (socket.query.get("streams") ?? "") : socket.path.replace(/^\/ws\/?/, "")).split("/").filter(Boolean),
    );
    socket.onMessage((text) => {
      let request: { method?: unknown; params?: unknown; id?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        socket.send(JSON.stringify({ error: { code: 3, msg: "Invalid JSON" } }), { control: true });
        return;
      }
      const params = Array.isArray(request.params) ? request.params.map(String) : [];
      if (request.method === "SUBSCRIBE") for (const p of params) streams.add(p);
      if (request.method === "UNSUBSCRIBE") for (const p of params) streams.delete(p);
      const result = request.method === "LIST_SUBSCRIPTIONS" ? [...streams] : null;
      socket.send(JSON.stringify({ result, id: request.id ?? null }), { control: true });
    });
    const coins = futuresCoins(ctx.market.coins);
    const lastBySymbol = new Map<string, number>();
    const stopLiquidations = ctx.every(700, () => {
      if (!streams.has("!forceOrder@arr") || ctx.random() < 0.3) return;
      const now = Date.now();
      const event = binanceForceOrder(ctx, coins, now);
      const symbol = String((event.o as { s: string }).s);
      if (now - (lastBySymbol.get(symbol) ?? 0) < 1000) return;
      lastBySymbol.set(symbol, now);
      socket.send(JSON.stringify(combined ? { stream: "!forceOrder@arr", data: event } : event));
    });
    const stopPings = ctx.every(180_000, () => socket.ping());
    socket.onClose(() => {
      stopLiquidations();
      stopPings();
    });
  },
};
