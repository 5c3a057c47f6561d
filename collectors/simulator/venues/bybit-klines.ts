import type { SimContext, SimHttpRequest, SimHttpResponse } from "../sim-venue";
import { binanceSymbols } from "./binance";
import { decimalString, gridCeil, gridFloor } from "./candle-grid";

const INTERVALS: Record<string, number> = { "1": 60_000, "60": 3_600_000, D: 86_400_000 };
const DEFAULT_LIMIT = 200;
const MAX_LIMIT = 1000;

function bybitError(retCode: number, retMsg: string): SimHttpResponse {
  return { body: { retCode, retMsg, result: {}, retExtInfo: {}, time: Date.now() } };
}

/**
 * Bybit's `GET /v5/market/kline?category=spot` (`symbol`, `interval` 1/60/D, `start`, `end`, `limit` 200
 * by default, at most 1000): the newest `limit` klines with a start in [start, end], newest first, as
 * `[startTime, open, high, low, close, volume, turnover]` strings; the open kline included when `end`
 * reaches it. Errors come as a non-zero `retCode` with HTTP 200, as Bybit sends them.
 */
export function bybitKlines(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
  if (req.path !== "/v5/market/kline") return undefined;
  if (req.query.get("category") !== "spot") return undefined; // other categories: another module, or 404
  const symbol = req.query.get("symbol") ?? "";
  const entry = binanceSymbols(ctx.market, "bybit").get(symbol);
  if (!entry) return bybitError(10001, "Not supported symbols");
  const size = INTERVALS[req.query.get("interval") ?? ""];
  if (!size) return bybitError(10001, "Invalid period!");
  const limit = Number(req.query.get("limit") ?? DEFAULT_LIMIT);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) return bybitError(10001, "Invalid limit");
  const now = Date.now();
  const end = req.query.get("end");
  const last = gridFloor(Math.min(end ? Number(end) : now, now), size);
  const startParam = req.query.get("start");
  const first = Math.max(startParam ? gridCeil(Number(startParam), size) : 0, last - (limit - 1) * size);
  const list = ctx.market.candles
    .range("bybit", entry.coin, size, first, last + size, now)
    .reverse()
    .map((c) => [
      String(c.openTime),
      decimalString(c.open),
      decimalString(c.high),
      decimalString(c.low),
      decimalString(c.close),
      decimalString(c.volume),
      decimalString(c.quoteVolume),
    ]);
  return {
    body: { retCode: 0, retMsg: "OK", result: { symbol, category: "spot", list }, retExtInfo: {}, time: now },
  };
}
