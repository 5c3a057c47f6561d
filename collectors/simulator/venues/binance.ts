import type { MarketModel, SimCoin, VenueQuote } from "../market-model";
import type { SimContext, SimHttpRequest, SimHttpResponse, SimSocket, SimVenue } from "../sim-venue";
import { binanceKlines } from "./binance-klines";

function s(n: number): string {
  return n >= 1 ? n.toFixed(4) : n.toPrecision(6);
}

/** Binance symbols (`BTCUSDT`, `1000SATSUSDT`, `BTTCUSDT`) and their coins; a few BTC-quoted ones too. */
export function binanceSymbols(
  market: MarketModel,
  venue: "binance" | "bybit",
): Map<string, { coin: SimCoin; btc: boolean }> {
  const map = new Map<string, { coin: SimCoin; btc: boolean }>();
  for (const coin of market.listed(venue)) {
    const ticker = coin.listings[venue]?.ticker;
    if (!ticker) continue;
    map.set(`${ticker}USDT`, { coin, btc: false });
    if (venue === "binance" && coin.base !== "BTC" && map.size < 40) map.set(`${ticker}BTC`, { coin, btc: true });
  }
  return map;
}

/** A quote re-expressed in BTC (for the BTC-quoted markets). */
function inBtc(q: VenueQuote, btc: VenueQuote): VenueQuote {
  const r = btc.price;
  return {
    ...q,
    price: q.price / r,
    open: q.open / r,
    high: q.high / r,
    low: q.low / r,
    quoteVolume: q.quoteVolume / r,
  };
}

function quoteOf(market: MarketModel, entry: { coin: SimCoin; btc: boolean }): VenueQuote | undefined {
  const q = market.quote(entry.coin, "binance");
  if (!q || !entry.btc) return q;
  const btc = market.coin("BTC");
  const bq = btc && market.quote(btc, "binance");
  return bq ? inBtc(q, bq) : undefined;
}

function miniTicker(symbol: string, q: VenueQuote, now: number): Record<string, unknown> {
  return {
    e: "24hrMiniTicker",
    E: now,
    s: symbol,
    c: s(q.price),
    o: s(q.open),
    h: s(q.high),
    l: s(q.low),
    v: s(q.volume),
    q: s(q.quoteVolume),
  };
}

function fullTicker(symbol: string, q: VenueQuote, now: number): Record<string, unknown> {
  return {
    e: "24hrTicker",
    E: now,
    s: symbol,
    p: s(q.price - q.open),
    P: q.changePercent.toFixed(3),
    w: s((q.high + q.low) / 2),
    x: s(q.open),
    c: s(q.price),
    Q: "1.00000000",
    b: s(q.price * 0.9999),
    B: "10.00000000",
    a: s(q.price * 1.0001),
    A: "10.00000000",
    o: s(q.open),
    h: s(q.high),
    l: s(q.low),
    v: s(q.volume),
    q: s(q.quoteVolume),
    O: now - 86_400_000,
    C: now,
    F: 1,
    L: 1000,
    n: 1000,
  };
}

function restTicker(symbol: string, q: VenueQuote, now: number): Record<string, unknown> {
  return {
    symbol,
    priceChange: s(q.price - q.open),
    priceChangePercent: q.changePercent.toFixed(3),
    weightedAvgPrice: s((q.high + q.low) / 2),
    prevClosePrice: s(q.open),
    lastPrice: s(q.price),
    lastQty: "1.00000000",
    bidPrice: s(q.price * 0.9999),
    bidQty: "10.00000000",
    askPrice: s(q.price * 1.0001),
    askQty: "10.00000000",
    openPrice: s(q.open),
    highPrice: s(q.high),
    lowPrice: s(q.low),
    volume: s(q.volume),
    quoteVolume: s(q.quoteVolume),
    openTime: now - 86_400_000,
    closeTime: now,
    firstId: 1,
    lastId: 1000,
    count: 1000,
  };
}

/** Timings of the simulated Binance stream server. */
export interface BinanceSimOptions {
  /** Server ping interval (ms); Binance: 20 s. */
  pingMs?: number;
  /** Close a connection that has not answered a ping for this long (ms); Binance: 1 min. */
  pongTimeoutMs?: number;
  /** Close every connection after this long (ms); Binance: 24 h. */
  maxLifetimeMs?: number;
}

/**
 * Binance spot: REST `/api/v3/ping`, `/api/v3/ticker/24hr` (every symbol, or `?symbol=`), `/api/v3/klines`
 * (see ./binance-klines.ts), and the stream
 * server: raw `/ws/<stream>` and combined `/stream?streams=a/b` (`{stream, data}`), with `!miniTicker@arr`
 * (changed symbols every second) and `<symbol>@ticker`; live `SUBSCRIBE` answered `{"result":null,"id":n}`;
 * pings every 20 s and closes a connection that stops answering them, and at 24 h.
 */
export function createBinanceSim(options: BinanceSimOptions = {}): SimVenue {
  const pingMs = options.pingMs ?? 20_000;
  const pongTimeoutMs = options.pongTimeoutMs ?? 60_000;
  const maxLifetimeMs = options.maxLifetimeMs ?? 24 * 3_600_000;
  return {
    venue: "binance",
    http(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
      if (req.path === "/api/v3/ping") return { body: {} };
      const klines = binanceKlines(req, ctx);
      if (klines) return klines;
      if (req.path === "/api/v3/ticker/24hr") {
        const now = Date.now();
        const symbols = binanceSymbols(ctx.market, "binance");
        const one = req.query.get("symbol");
        if (one) {
          const entry = symbols.get(one);
          const q = entry && quoteOf(ctx.market, entry);
          return q ? { body: restTicker(one, q, now) } : { status: 400, body: { code: -1121, msg: "Invalid symbol." } };
        }
        const rows: Record<string, unknown>[] = [];
        for (const [symbol, entry] of symbols) {
          const q = quoteOf(ctx.market, entry);
          if (q) rows.push(restTicker(symbol, q, now));
        }
        return { body: rows, headers: { "X-MBX-USED-WEIGHT-1M": "80" } };
      }
      return undefined;
    },
    connect(socket: SimSocket, ctx: SimContext) {
      const combined = socket.path === "/stream";
      const streams = new Set<string>(
        combined
          ? (socket.query.get("streams") ?? "").split("/").filter(Boolean)
          : socket.path.startsWith("/ws/")
            ? [decodeURIComponent(socket.path.slice(4))]
            : [],
      );
      const opened = Date.now();
      let lastPong = Date.now();
      const lastSent = new Map<string, number>();
      const send = (stream: string, data: unknown) => socket.send(JSON.stringify(combined ? { stream, data } : data));
      const stopPush = ctx.every(1000, () => {
        if (!socket.open) return;
        const now = Date.now();
        const symbols = binanceSymbols(ctx.market, "binance");
        if (streams.has("!miniTicker@arr")) {
          const changed: Record<string, unknown>[] = [];
          for (const [symbol, entry] of symbols) {
            const q = quoteOf(ctx.market, entry);
            if (!q || lastSent.get(symbol) === q.timestamp) continue;
            lastSent.set(symbol, q.timestamp);
            changed.push(miniTicker(symbol, q, now));
          }
          if (changed.length > 0) send("!miniTicker@arr", changed);
        }
        for (const stream of streams) {
          const m = /^([a-z0-9]+)@ticker$/.exec(stream);
          const symbol = m?.[1]?.toUpperCase();
          const entry = symbol && symbols.get(symbol);
          const q = entry && quoteOf(ctx.market, entry);
          if (symbol && q) send(stream, fullTicker(symbol, q, now));
        }
      });
      const stopPing = ctx.every(pingMs, () => {
        if (!socket.open) return;
        if (Date.now() - lastPong > pongTimeoutMs) {
          socket.close(1008, "pong timeout");
          return;
        }
        socket.ping();
      });
      const stopLifetime = ctx.every(Math.min(maxLifetimeMs, 60_000), () => {
        if (socket.open && Date.now() - opened >= maxLifetimeMs) socket.close(1000, "24 hour limit");
      });
      socket.onPong(() => {
        lastPong = Date.now();
      });
      socket.onClose(() => {
        stopPush();
        stopPing();
        stopLifetime();
      });
      socket.onMessage((text) => {
        let msg: unknown;
        try {
          msg = JSON.parse(text);
        } catch {
          socket.send(JSON.stringify({ code: 2, msg: "Invalid request: request ID must be an unsigned integer" }), {
            control: true,
          });
          return;
        }
        const m = msg as { method?: string; params?: unknown; id?: unknown };
        if (m.method === "SUBSCRIBE" && Array.isArray(m.params)) {
          for (const p of m.params) if (typeof p === "string") streams.add(p);
        } else if (m.method === "UNSUBSCRIBE" && Array.isArray(m.params)) {
          for (const p of m.params) if (typeof p === "string") streams.delete(p);
        } else if (m.method === "LIST_SUBSCRIPTIONS") {
          socket.send(JSON.stringify({ result: [...streams], id: m.id ?? null }), { control: true });
          return;
        }
        socket.send(JSON.stringify({ result: null, id: m.id ?? null }), { control: true });
      });
    },
  };
}

/** Binance with its real timings. */
export const binanceSim: SimVenue = createBinanceSim();
