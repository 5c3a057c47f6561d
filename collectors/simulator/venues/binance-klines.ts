import type { SimContext, SimHttpRequest, SimHttpResponse } from "../sim-venue";
import { binanceSymbols } from "./binance";
import { decimalString, gridCeil, gridFloor } from "./candle-grid";

const INTERVALS: Record<string, number> = { "1m": 60_000, "1h": 3_600_000, "1d": 86_400_000 };
const DEFAULT_LIMIT = 500;
const MAX_LIMIT = 1000;

function binanceError(code: number, msg: string): SimHttpResponse {
  return { status: 400, body: { code, msg } };
}

/**
 * Binance's `GET /api/v3/klines` (`symbol`, `interval`, `startTime`, `endTime`, `limit` 500 by default,
 * at most 1000): with `startTime`, the klines from it, oldest first; with `endTime` only, the newest up
 * to it; with neither, the newest (the open kline included). Rows are `[openTime, open, high, low,
 * close, volume, closeTime, quoteVolume, trades, takerBuyBase, takerBuyQuote, "0"]`, values as strings.
 * The simulated market's USDT symbols only (1m, 1h, 1d).
 */
export function binanceKlines(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
  if (req.path !== "/api/v3/klines") return undefined;
  const entry = binanceSymbols(ctx.market, "binance").get(req.query.get("symbol") ?? "");
  if (!entry || entry.btc) return binanceError(-1121, "Invalid symbol.");
  const size = INTERVALS[req.query.get("interval") ?? ""];
  if (!size) return binanceError(-1120, "Invalid interval.");
  const limit = Number(req.query.get("limit") ?? DEFAULT_LIMIT);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIMIT) {
    return binanceError(-1100, "Illegal characters found in parameter 'limit'; legal range is '1 - 1000'.");
  }
  const now = Date.now();
  const start = req.query.get("startTime");
  const end = req.query.get("endTime");
  const last = gridFloor(Math.min(end ? Number(end) : now, now), size);
  const first = start ? gridCeil(Number(start), size) : last - (limit - 1) * size;
  const candles = ctx.market.candles
    .range("binance", entry.coin, size, first, Math.min(last + size, first + limit * size), now)
    .slice(0, limit);
  return {
    body: candles.map((c) => [
      c.openTime,
      decimalString(c.open),
      decimalString(c.high),
      decimalString(c.low),
      decimalString(c.close),
      decimalString(c.volume),
      c.openTime + size - 1,
      decimalString(c.quoteVolume),
      Math.max(1, Math.round(c.volume * 10) % 5000),
      decimalString(c.volume / 2),
      decimalString(c.quoteVolume / 2),
      "0",
    ]),
  };
}
