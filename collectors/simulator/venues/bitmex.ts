import { randomUUID } from "node:crypto";
import type { SimCoin } from "../market-model";
import type { SimContext, SimSocket, SimVenue } from "../sim-venue";
import { randomLiquidation, significant } from "./liquidation-sizes";

/** A simulated BitMEX contract: inverse (XBTUSD), quanto (ETHUSD) or linear USDT. */
interface BitmexInstrument {
  symbol: string;
  coin: SimCoin;
  kind: "inverse" | "quanto" | "linear";
  /** linear: contracts per coin (`underlyingToPositionMultiplier`). */
  perCoin: number;
  lotSize: number;
}

/** A resting liquidation order. */
interface LiveOrder {
  orderID: string;
  symbol: string;
  side: "Buy" | "Sell";
  price: number;
  leavesQty: number;
  insertedAt: number;
}

interface BitmexState {
  instruments: BitmexInstrument[];
  orders: Map<string, LiveOrder>;
  /** Subscribed sockets and their symbol filter (empty = every symbol). */
  subscribers: Map<SimSocket, Set<string>>;
}

const states = new WeakMap<SimContext, BitmexState>();

const LINEAR = ["ETH", "SOL", "XRP", "DOGE", "LINK", "LTC", "ADA", "AVAX", "BCH", "DOT"];

function buildInstruments(ctx: SimContext): BitmexInstrument[] {
  const list: BitmexInstrument[] = [];
  const btc = ctx.market.coin("BTC");
  const eth = ctx.market.coin("ETH");
  if (btc) list.push({ symbol: "XBTUSD", coin: btc, kind: "inverse", perCoin: 0, lotSize: 100 });
  if (eth) list.push({ symbol: "ETHUSD", coin: eth, kind: "quanto", perCoin: 0, lotSize: 1 });
  if (btc) list.push({ symbol: "XBTUSDT", coin: btc, kind: "linear", perCoin: 1_000_000, lotSize: 100 });
  for (const base of LINEAR) {
    const coin = ctx.market.coin(base);
    if (coin)
      list.push({
        symbol: `${base}USDT`,
        coin,
        kind: "linear",
        perCoin: 10 ** Math.round(Math.log10(coin.usdPrice * 10)),
        lotSize: 1000,
      });
  }
  return list;
}

/** A row of `GET /api/v1/instrument/active` with the fields that size a contract (BitMEX sends many more). */
function instrumentRow(i: BitmexInstrument): Record<string, unknown> {
  const underlying = i.coin.base === "BTC" ? "XBT" : i.coin.base;
  const common = {
    symbol: i.symbol,
    rootSymbol: underlying,
    state: "Open",
    typ: "FFWCSX",
    underlying,
    lotSize: i.lotSize,
  };
  const markPrice = significant(i.coin.usdPrice);
  if (i.kind === "inverse") {
    return {
      ...common,
      quoteCurrency: "USD",
      settlCurrency: "XBt",
      positionCurrency: "USD",
      multiplier: -100000000,
      underlyingToPositionMultiplier: null,
      underlyingToSettleMultiplier: -100000000,
      quoteToSettleMultiplier: null,
      isQuanto: false,
      isInverse: true,
      markPrice,
    };
  }
  if (i.kind === "quanto") {
    return {
      ...common,
      quoteCurrency: "USD",
      settlCurrency: "XBt",
      positionCurrency: "USD",
      multiplier: 100,
      underlyingToPositionMultiplier: null,
      underlyingToSettleMultiplier: null,
      quoteToSettleMultiplier: null,
      isQuanto: true,
      isInverse: false,
      markPrice,
    };
  }
  return {
    ...common,
    quoteCurrency: "USDT",
    settlCurrency: "USDt",
    positionCurrency: underlying,
    multiplier: 1,
    underlyingToPositionMultiplier: i.perCoin,
    underlyingToSettleMultiplier: null,
    quoteToSettleMultiplier: 1000000,
    isQuanto: false,
    isInverse: false,
    markPrice,
  };
}

function state(ctx: SimContext): BitmexState {
  let s = states.get(ctx);
  if (!s) {
    s = { instruments: buildInstruments(ctx), orders: new Map(), subscribers: new Map() };
    states.set(ctx, s);
  }
  return s;
}

/** Contracts for a liquidation of `notionalUsd` (inverse: dollars; quanto: 100 sat x price each; linear: coins x perCoin). */
function contractsFor(i: BitmexInstrument, notionalUsd: number, quantity: number, btcUsd: number): number {
  const raw =
    i.kind === "inverse"
      ? notionalUsd
      : i.kind === "quanto"
        ? notionalUsd / (i.coin.usdPrice * 1e-6 * btcUsd)
        : quantity * i.perCoin;
  return Math.max(i.lotSize, Math.round(raw / i.lotSize) * i.lotSize);
}

function publish(s: BitmexState, action: string, rows: Record<string, unknown>[]): void {
  for (const [socket, filter] of s.subscribers) {
    const data = filter.size === 0 ? rows : rows.filter((r) => filter.has(String(r.symbol)));
    if (data.length > 0) socket.send(JSON.stringify({ table: "liquidation", action, data }));
  }
}

/** One second of the liquidation engine: maybe a new order, partial fills of resting ones, filled ones removed. */
function tick(ctx: SimContext, s: BitmexState): void {
  const now = Date.now();
  for (const order of [...s.orders.values()]) {
    const instrument = s.instruments.find((i) => i.symbol === order.symbol);
    const lot = instrument?.lotSize ?? 1;
    if (now - order.insertedAt > 6000 || ctx.random() < 0.25) {
      s.orders.delete(order.orderID);
      publish(s, "delete", [{ orderID: order.orderID, symbol: order.symbol }]);
    } else if (ctx.random() < 0.5) {
      const filled = Math.max(lot, Math.round((order.leavesQty * ctx.random() * 0.6) / lot) * lot);
      if (filled >= order.leavesQty) continue;
      order.leavesQty -= filled;
      publish(s, "update", [{ orderID: order.orderID, symbol: order.symbol, leavesQty: order.leavesQty }]);
    }
  }
  if (s.subscribers.size === 0 || ctx.random() < 0.6) return;
  const liquidation = randomLiquidation(
    s.instruments.map((i) => i.coin),
    ctx.random,
  );
  const candidates = s.instruments.filter((i) => i.coin === liquidation.coin);
  const instrument = candidates[Math.floor(ctx.random() * candidates.length)];
  if (!instrument) return;
  const btcUsd = ctx.market.coin("BTC")?.usdPrice ?? 90000;
  const order: LiveOrder = {
    orderID: randomUUID(),
    symbol: instrument.symbol,
    side: liquidation.side === "long" ? "Sell" : "Buy",
    price: significant(liquidation.price),
    leavesQty: contractsFor(instrument, liquidation.notionalUsd, liquidation.quantity, btcUsd),
    insertedAt: now,
  };
  s.orders.set(order.orderID, order);
  const { insertedAt: _, ...row } = order;
  publish(s, "insert", [row]);
}

/**
 * BitMEX's realtime WebSocket, simulated for the `liquidation` table: the welcome frame, subscribe
 * acks, a `partial` with the orders resting at subscription, then each liquidation order's life as
 * BitMEX sends it: `insert` (the ORDER's side, `Buy` closes a short; `leavesQty` in contracts) ->
 * `update` rows with only the changed keys -> `delete` with only orderID and symbol. Text `ping` ->
 * `pong`. Instruments at `/api/v1/instrument/active`: inverse XBTUSD, quanto ETHUSD, linear USDT.
 */
export const bitmexSim: SimVenue = {
  venue: "bitmex",
  start(ctx) {
    const s = state(ctx);
    ctx.every(1000, () => tick(ctx, s));
  },
  http(req, ctx) {
    const s = state(ctx);
    if (req.path === "/api/v1/instrument/active") return { body: s.instruments.map(instrumentRow) };
    if (req.path === "/api/v1/instrument") {
      const symbol = req.query.get("symbol");
      return { body: s.instruments.filter((i) => !symbol || i.symbol === symbol).map(instrumentRow) };
    }
    return undefined;
  },
  connect(socket, ctx) {
    const s = state(ctx);
    socket.send(
      JSON.stringify({
        info: "Welcome to the BitMEX Realtime API.",
        version: "2.0.0",
        timestamp: new Date().toISOString(),
        docs: "https://www.bitmex.com/app/wsAPI",
        heartbeatEnabled: false,
        limit: { remaining: 719 },
      }),
      { control: true },
    );
    socket.onMessage((text) => {
      if (text === "ping") {
        socket.send("pong", { control: true });
        return;
      }
      let request: { op?: unknown; args?: unknown };
      try {
        request = JSON.parse(text);
      } catch {
        socket.send(JSON.stringify({ status: 400, error: "Unable to parse request.", meta: {}, request: text }), {
          control: true,
        });
        return;
      }
      const args = Array.isArray(request.args) ? request.args.map(String) : [];
      if (request.op !== "subscribe" || args.length === 0) {
        socket.send(JSON.stringify({ status: 400, error: "Unknown or empty operation", meta: {}, request }), {
          control: true,
        });
        return;
      }
      for (const arg of args) {
        const [table, symbol] = arg.split(":");
        if (table !== "liquidation") {
          socket.send(JSON.stringify({ status: 400, error: `Unknown table: ${table}`, meta: {}, request }), {
            control: true,
          });
          continue;
        }
        const filter = s.subscribers.get(socket) ?? new Set<string>();
        if (symbol) filter.add(symbol);
        else filter.clear();
        s.subscribers.set(socket, filter);
        socket.send(JSON.stringify({ success: true, subscribe: arg, request }), { control: true });
        const resting = [...s.orders.values()]
          .filter((o) => !symbol || o.symbol === symbol)
          .map(({ insertedAt: _, ...row }) => row);
        socket.send(
          JSON.stringify({
            table: "liquidation",
            action: "partial",
            keys: ["orderID"],
            types: { orderID: "guid", symbol: "symbol", side: "symbol", price: "float", leavesQty: "long" },
            filter: symbol ? { symbol } : {},
            data: resting,
          }),
        );
      }
    });
    socket.onClose(() => s.subscribers.delete(socket));
  },
};
