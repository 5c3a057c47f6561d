/**
 * The venues' published REST limits that the candle and history feeds pace themselves by, in one place,
 * with where each is published. The feeds use a share of each (80 % by default, `--candle-rate-share`)
 * through a token bucket per venue, never burst above it, and also stop on the venue's own signals:
 * 429 (and 418, an IP ban) with `Retry-After`, Bybit's 403 ban, Upbit's `Remaining-Req`, Binance's
 * `X-MBX-USED-WEIGHT-1M`.
 */

/** A venue's published limit: `amount` requests (or units of request weight) per `perMs`. */
export interface PublishedRateLimit {
  amount: number;
  perMs: number;
  unit: "requests" | "weight";
  /** What the limit is counted over. */
  scope: string;
  /** Where the venue publishes it. */
  source: string;
}

/** A status besides 429/418 that means "too many requests" at a venue, and the least wait after it. */
export interface BanStatus {
  status: number;
  waitMs: number;
}

export const UPBIT_CANDLE_LIMIT: PublishedRateLimit = {
  amount: 10,
  perMs: 1000,
  unit: "requests",
  scope:
    "per IP, shared by the candle group (/v1/candles/*); the market, ticker, trade and orderbook groups have their own",
  source: "https://docs.upbit.com/kr/reference/rate-limits (and each candle endpoint's Rate Limit box)",
};

export const BITHUMB_CANDLE_LIMIT: PublishedRateLimit = {
  amount: 150,
  perMs: 1000,
  unit: "requests",
  scope: "per IP, per Public API category (candle; ticker, orderbook, trade and other are separate)",
  source: "https://apidocs.bithumb.com/docs/api-요청-수-제한-안내 (updated 2026-10-27)",
};

export const BINANCE_REQUEST_WEIGHT_LIMIT: PublishedRateLimit = {
  amount: 6000,
  perMs: 60_000,
  unit: "weight",
  scope: "per IP, REQUEST_WEIGHT of every REST request (the ticker snapshot's weight 80 draws from it too)",
  source:
    "https://developers.binance.com/docs/binance-spot-api-docs/rest-api/limits (GET /api/v3/exchangeInfo rateLimits)",
};

/** `GET /api/v3/klines` weighs 2 whatever its `limit`. */
export const BINANCE_KLINES_WEIGHT = 2;
export const BINANCE_KLINES_WEIGHT_SOURCE =
  "https://developers.binance.com/docs/binance-spot-api-docs/rest-api/market-data-endpoints#klinecandlestick-data";

export const BYBIT_HTTP_LIMIT: PublishedRateLimit = {
  amount: 600,
  perMs: 5000,
  unit: "requests",
  scope: "per IP, every HTTP request to api.bybit.com",
  source: "https://bybit-exchange.github.io/docs/v5/rate-limit",
};

/** Bybit answers a breach of the HTTP IP limit with 403 "access too frequent": stop for at least 10 minutes. */
export const BYBIT_BAN: BanStatus = { status: 403, waitMs: 10 * 60_000 };

export const FRANKFURTER_LIMIT: PublishedRateLimit = {
  amount: 1,
  perMs: 1000,
  unit: "requests",
  scope: "none published; the forex history asks once a day, and at most once a second",
  source: "https://frankfurter.dev/v1/",
};
