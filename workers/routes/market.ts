import { createRoute, z } from "@hono/zod-openapi";
import { fanoutShard, marketBoard, marketSymbol } from "../../durable-objects/addresses";
import type { StreamPublisher } from "../../durable-objects/sockets/shard-protocol";
import type { EncodedJson, JsonEncoding } from "../../durable-objects/support/compressed-json";
import { SnapshotCache } from "../../durable-objects/support/snapshot-cache";
import { CoinSymbolParam, integerParam, MarketVenue, Source } from "../../protocol/common";
import {
  CandleInterval,
  CandleRow,
  Coin,
  CoinName,
  CoinsLatest,
  ExchangeRate,
  FearGreed,
  Premium,
  PremiumHistoryPoint,
  PremiumStats,
  VenuePrice,
} from "../../protocol/market";
import { coinSymbolList } from "../../protocol/venues";
import { preferredEncoding, respondEncodedJson } from "../http/compressed-response";
import { json, problems } from "../http/openapi";
import { Problem } from "../http/problem";
import { router } from "../http/router";
import { forwardUpgrade, requireUpgrade, upgradeResponses } from "../http/websocket-upgrade";
import { boardReads, symbolReads } from "../resilience/guarded-objects";
import { DEFAULT_LAST_GOOD_OPTIONS } from "../resilience/last-good-cache";
import { guardedReads, ObjectUnavailable, objectGuards } from "../resilience/object-guard";
import { StaleRendering } from "../resilience/stale-compressed-json";
import { staleHeaders } from "../resilience/stale-marker";

/**
 * Market data: the board's snapshot of every coin, one coin's history, rates and names, and the live
 * streams of them. Mounted at the root, since it serves both `/api/...` and `/ws/...`.
 */
export const marketRoutes = router();

/**
 * `/api/coins/latest` is fetched from the board (which renders and gzips it) at most every 500 ms per
 * isolate and encoding, only in the encoding asked for (gzip for every browser), and served stale (up
 * to 5 s) while the next fetch runs. On the guards' clock (tests move it). When the board fails beyond
 * that, its last rendering is served marked `stale: true`.
 */
const latestCaches: Record<JsonEncoding, SnapshotCache<EncodedJson>> = {
  gzip: new SnapshotCache<EncodedJson>(500, 5000, () => objectGuards.now()),
  identity: new SnapshotCache<EncodedJson>(500, 5000, () => objectGuards.now()),
};
const staleLatest = new StaleRendering();

const SymbolParam = z.object({
  symbol: CoinSymbolParam.openapi({ param: { name: "symbol", in: "path" }, example: "BTC" }),
});

const HistoryQuery = z.object({
  interval: CandleInterval.default("1m"),
  limit: integerParam(1, 1000).default(200),
});

const Envelope = { timestamp: z.number().int(), source: Source };

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/coins/latest",
    tags: ["Market"],
    summary: "Every coin with its prices per venue and both premiums",
    responses: { 200: json(CoinsLatest, "All coins") },
  }),
  async (c) => {
    // Through the board's breaker, but with no last good result of the guards': this cache keeps its own.
    const board = guardedReads(c, "market-board", marketBoard(c.env), { lastGood: false });
    const encoding = preferredEncoding(c);
    const cache = latestCaches[encoding];
    try {
      const body = await cache.get(
        () => board.latestBody(encoding),
        (work) => c.executionCtx.waitUntil(work),
      );
      // The body is JSON already rendered (and gzipped) by the board, not an object for `c.json`.
      return respondEncodedJson(c, body, { "Cache-Control": "public, max-age=1" }) as never;
    } catch (error) {
      const last = cache.last();
      const servable = last && objectGuards.now() - last.at <= DEFAULT_LAST_GOOD_OPTIONS.maxAgeMs;
      if (!(error instanceof ObjectUnavailable) || !last || !servable) throw error;
      return respondEncodedJson(c, await staleLatest.of(last.body), staleHeaders(last.at)) as never;
    }
  },
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/market/prices",
    tags: ["Market"],
    summary: "Prices per coin and venue",
    responses: {
      200: json(
        z.object({
          prices: z.record(z.string(), z.partialRecord(MarketVenue, VenuePrice)),
          /** The seed's field: every coin, as in `/api/coins/latest`. */
          coins: z.array(Coin),
          ...Envelope,
        }),
        "Prices keyed by symbol, then venue; and `coins`, the list as in /api/coins/latest",
      ),
    },
  }),
  async (c) => {
    const board = boardReads(c);
    const [coins, source] = await Promise.all([board.allCoins(), board.source()]);
    const prices = Object.fromEntries(coins.map((coin) => [coin.symbol, coin.prices]));
    return c.json({ prices, coins, timestamp: Date.now(), source }, 200);
  },
);

const VenueVolume = z.object({
  volume: z.number(),
  quote_volume: z.number(),
  currency: z.string(),
  /** 24 h traded value in KRW (USDT venues converted at USD/KRW); null without a rate. */
  quote_volume_krw: z.number().nullable(),
});

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/market/volumes",
    tags: ["Market"],
    summary: "24 h traded volume and value per coin and venue (value also in KRW)",
    responses: {
      200: json(
        z.object({ volumes: z.record(z.string(), z.partialRecord(MarketVenue, VenueVolume)), ...Envelope }),
        "Volumes keyed by symbol, then venue",
      ),
    },
  }),
  async (c) => {
    const board = boardReads(c);
    const [coins, rate, source] = await Promise.all([board.allCoins(), board.exchangeRate(), board.source()]);
    const volumes = Object.fromEntries(
      coins.map((coin) => [
        coin.symbol,
        Object.fromEntries(
          Object.entries(coin.prices).map(([venue, p]) => [
            venue,
            {
              volume: p.volume,
              quote_volume: p.quote_volume,
              currency: p.currency,
              quote_volume_krw:
                p.currency === "KRW"
                  ? p.quote_volume
                  : rate.exchange_rate === null
                    ? null
                    : p.quote_volume * rate.exchange_rate,
            },
          ]),
        ),
      ]),
    );
    return c.json({ volumes, timestamp: Date.now(), source }, 200);
  },
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/market/premiums",
    tags: ["Market"],
    summary: "The kimchi premium of every coin, on the USD/KRW and the USDT/KRW basis",
    responses: {
      200: json(
        z.object({
          premiums: z.record(z.string(), Premium),
          exchange_rate: z.number().nullable(),
          usdt_krw_rate: z.number().nullable(),
          ...Envelope,
        }),
        "Premiums keyed by symbol (coins without both a KRW and a USDT price are left out)",
      ),
    },
  }),
  async (c) => {
    const board = boardReads(c);
    const [coins, rate, source] = await Promise.all([board.allCoins(), board.exchangeRate(), board.source()]);
    const premiums = Object.fromEntries(
      coins.filter((coin) => coin.premium !== null).map((coin) => [coin.symbol, coin.premium as Premium]),
    );
    return c.json(
      { premiums, exchange_rate: rate.exchange_rate, usdt_krw_rate: rate.usdt_krw_rate, timestamp: Date.now(), source },
      200,
    );
  },
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/market/exchange-rate",
    tags: ["Market"],
    summary: "USD/KRW, USDT/KRW and the tether premium",
    responses: { 200: json(ExchangeRate, "The current rates") },
  }),
  async (c) => c.json(await boardReads(c).exchangeRate(), 200),
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/prices/{symbol}",
    tags: ["Market"],
    summary: "One coin",
    request: { params: SymbolParam },
    responses: { 200: json(Coin, "The coin"), ...problems(400, 404) },
  }),
  async (c) => {
    const { symbol } = c.req.valid("param");
    const coin = await boardReads(c).coin(symbol);
    if (!coin) throw new Problem(404, "unknown-coin", `No venue quotes ${symbol}`);
    return c.json(coin, 200);
  },
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/prices",
    tags: ["Market"],
    summary: "Several coins by symbol",
    request: {
      query: z.object({
        symbols: z
          .string()
          .regex(coinSymbolList(100), "comma-separated symbols, e.g. BTC,ETH")
          .openapi({ example: "BTC,ETH" }),
      }),
    },
    responses: {
      200: json(z.record(z.string(), Coin), "Coins keyed by symbol; unknown symbols are left out"),
      ...problems(400),
    },
  }),
  async (c) => {
    const symbols = [...new Set(c.req.valid("query").symbols.toUpperCase().split(","))];
    const coins = await boardReads(c).coins(symbols);
    return c.json(Object.fromEntries(coins.map((coin) => [coin.symbol, coin])), 200);
  },
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/market/candles/{symbol}",
    tags: ["Market"],
    summary: "Candles of one coin on one venue, oldest first",
    description:
      "Rows are `[timestamp, open, high, low, close, volume]`, `volume` being what traded in the period " +
      "(base asset). Closed periods are the venue's own candles (from its candle API: 1-minute rows kept 7 " +
      "days, 1-hour rows a year, 1-day rows for good, backfilled at least a year); 5m, 15m and 4h are rolled " +
      "up from them. The still-open period is built from finer candles and, for the open minute, from the " +
      "ticks (its volume an estimate from the venue's rolling 24 h volume), and is replaced by the venue's " +
      "candle once that closes.",
    request: { params: SymbolParam, query: HistoryQuery.extend({ venue: MarketVenue.default("upbit") }) },
    responses: { 200: json(z.array(CandleRow), "Candles"), ...problems(400) },
  }),
  async (c) => {
    const { symbol } = c.req.valid("param");
    const { venue, interval, limit } = c.req.valid("query");
    const rows = (await symbolReads(c, symbol).candles(venue, interval, limit)) as CandleRow[];
    return c.json(rows, 200);
  },
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/market/premiums/{symbol}/history",
    tags: ["Market"],
    summary: "The premium history of one coin, oldest first (the premium at the close of each period)",
    description:
      "Computed from the venues' closed candles (Upbit, else Bithumb; Binance, else Bybit) and the rates " +
      "of the time: USD/KRW from forex (per minute while the system ran; the ECB's daily reference rate " +
      "before), USDT/KRW from the Korean venue's KRW-USDT candles. Kept per minute 7 days, per hour a year, " +
      "per day for good. The still-open period carries the last live premium.",
    request: { params: SymbolParam, query: HistoryQuery },
    responses: { 200: json(z.array(PremiumHistoryPoint), "Premium history"), ...problems(400) },
  }),
  async (c) => {
    const { symbol } = c.req.valid("param");
    const { interval, limit } = c.req.valid("query");
    return c.json(await symbolReads(c, symbol).premiumHistory(interval, limit), 200);
  },
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/market/premiums/{symbol}/stats",
    tags: ["Market"],
    summary: "Is this premium high for this coin? Today's premium against its own last 30 and 90 days",
    description:
      "The distribution of the coin's hourly premiums over the last 30 and 90 days on both bases (USD/KRW " +
      "and USDT/KRW), and the current premium with its `context`: percentile and z-score in each window, " +
      "and the 30-day min, median and max. A window is null until it holds a day of hourly premiums.",
    request: { params: SymbolParam },
    responses: { 200: json(PremiumStats, "The premium's statistics"), ...problems(400, 404) },
  }),
  async (c) => {
    const { symbol } = c.req.valid("param");
    const board = boardReads(c);
    const [coin, windows, source] = await Promise.all([
      board.coin(symbol),
      symbolReads(c, symbol).premiumWindows(),
      board.source(),
    ]);
    if (!coin) throw new Problem(404, "unknown-coin", `No venue quotes ${symbol}`);
    return c.json(
      {
        symbol,
        premium: coin.premium,
        windows: windows as PremiumStats["windows"],
        timestamp: Date.now(),
        source,
      },
      200,
    );
  },
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/coin-names",
    tags: ["Market"],
    summary: "Korean and English names of every coin, with the venue's caution flags",
    responses: { 200: json(z.object({ coins: z.array(CoinName), timestamp: z.number().int() }), "Names") },
  }),
  async (c) => c.json({ coins: await boardReads(c).coinNames(), timestamp: Date.now() }, 200),
);

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/api/fear_greed_index",
    tags: ["Market"],
    summary: "The crypto Fear & Greed index (alternative.me)",
    responses: { 200: json(FearGreed, "The latest index"), ...problems(404) },
  }),
  async (c) => {
    const index = await boardReads(c).fearGreedIndex();
    if (!index) throw new Problem(404, "not-collected", "The Fear & Greed index has not been collected yet");
    return c.json(index, 200);
  },
);

// --- live streams ------------------------------------------------------------------------------

const streamDescription =
  "Optional `?symbols=BTC,ETH` narrows the initial subscription. Client messages: " +
  '`{"op":"subscribe","symbols":["BTC"]}`, `{"op":"unsubscribe","symbols":["BTC"]}`, `{"op":"snapshot"}`; ' +
  "the text `ping` is answered with `pong`. A client that sees a gap in `seq` asks for a snapshot.";
const streamMessages = "Server messages: `snapshot` first, then `update`s with increasing `seq`.";

for (const [path, summary] of [
  ["/ws/market", "All coins: a snapshot, then conflated updates (at most one per 50 ms, `FANOUT_INTERVAL_MS`)"],
  ["/ws/prices", "The integrated stream: the same as /ws/market, plus liquidations"],
] as const) {
  marketRoutes.openapi(
    createRoute({
      method: "get",
      path,
      tags: ["WebSockets"],
      summary,
      description: streamDescription,
      responses: upgradeResponses(streamMessages, 400),
    }),
    (c) => forwardToShard(c.req.raw, marketBoard(c.env), path === "/ws/market" ? "market" : "prices", c.env),
  );
}

marketRoutes.openapi(
  createRoute({
    method: "get",
    path: "/ws/prices/{symbol}",
    tags: ["WebSockets"],
    summary: "One coin: a snapshot, then conflated updates",
    request: { params: SymbolParam },
    responses: upgradeResponses(streamMessages, 400),
  }),
  async (c) => {
    const { symbol } = c.req.valid("param");
    const response = await forwardToShard(c.req.raw, marketSymbol(c.env, symbol), `coin:${symbol}`, c.env);
    // From now on the board delivers this coin's updates every fan-out interval, not once a second.
    await marketBoard(c.env).watch(symbol);
    return response;
  },
);

/**
 * Hands a WebSocket upgrade to the shard its stream's publisher places it on (the board for every
 * coin, a coin's MarketSymbol for one): the shard holds the socket, the publisher sends it each flush.
 */
async function forwardToShard(request: Request, publisher: StreamPublisher, stream: string, env: Env) {
  requireUpgrade(request);
  const shard = await publisher.placeSubscriber(stream);
  return forwardUpgrade(request, fanoutShard(env, shard));
}
