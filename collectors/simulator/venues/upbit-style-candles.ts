import type { SimCandle } from "../candle-book";
import type { SimContext, SimHttpRequest, SimHttpResponse } from "../sim-venue";
import { gridFloor, parseVenueTime, wallClockIso } from "./candle-grid";
import { krwMarkets, tickRound } from "./upbit-style-frames";

const MINUTE_MS = 60_000;
const DAY_MS = 86_400_000;
const KST = 9;
const MINUTE_UNITS = new Set([1, 3, 5, 10, 15, 30, 60, 240]);
const MAX_COUNT = 200;

function venueError(venue: "upbit" | "bithumb", status: number, message: string): SimHttpResponse {
  // Upbit writes the error name as a number, Bithumb as a string.
  return { status, body: { error: { name: venue === "upbit" ? status : String(status), message } } };
}

function row(venue: "upbit" | "bithumb", code: string, c: SimCandle, size: number): Record<string, unknown> {
  const open = tickRound(c.open);
  const out: Record<string, unknown> = {
    market: code,
    candle_date_time_utc: wallClockIso(c.openTime),
    candle_date_time_kst: wallClockIso(c.openTime, KST),
    opening_price: open,
    high_price: tickRound(c.high),
    low_price: tickRound(c.low),
    trade_price: tickRound(c.close),
    // Upbit: the candle's last trade; Bithumb: the candle's end as a KST wall clock read as epoch.
    timestamp: venue === "upbit" ? c.lastTradeAt : c.openTime + size + KST * 3_600_000,
    candle_acc_trade_price: Number(c.quoteVolume.toPrecision(15)),
    candle_acc_trade_volume: Number(c.volume.toPrecision(15)),
  };
  if (size < DAY_MS) out.unit = size / MINUTE_MS;
  else {
    const change = tickRound(c.close) - open;
    out.prev_closing_price = open;
    out.change_price = change;
    out.change_rate = change / open;
  }
  return out;
}

/**
 * Upbit's and Bithumb's candle API: `GET /v1/candles/minutes/{unit}` and `/v1/candles/days` with
 * `market`, `to` (exclusive; without a zone Upbit reads UTC and Bithumb KST; absent: now, the open
 * candle included) and `count` (1 by default, at most 200): the newest candles before `to`, newest
 * first, none for intervals without trades. Upbit's days are UTC days; Bithumb's run from 00:00 KST.
 */
export function upbitStyleCandles(
  venue: "upbit" | "bithumb",
  req: SimHttpRequest,
  ctx: SimContext,
): SimHttpResponse | undefined {
  const match = /^\/v1\/candles\/(?:minutes\/(\d+)|(days))$/.exec(req.path);
  if (!match) return undefined;
  const unit = Number(match[1]);
  if (!match[2] && !MINUTE_UNITS.has(unit)) return venueError(venue, 400, "Invalid unit");
  const size = match[2] ? DAY_MS : unit * MINUTE_MS;
  const origin = match[2] && venue === "bithumb" ? -KST * 3_600_000 : 0;
  const code = req.query.get("market") ?? "";
  const coin = krwMarkets(ctx.market, venue).get(code);
  if (!coin) return venueError(venue, 404, "Code not found");
  const count = Number(req.query.get("count") ?? "1");
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    return venueError(venue, 400, `count must be from 1 to ${MAX_COUNT}`);
  }
  const now = Date.now();
  const toText = req.query.get("to");
  const to = toText ? parseVenueTime(toText, venue === "bithumb" ? KST : 0) : now + size;
  if (Number.isNaN(to)) return venueError(venue, 400, "Invalid to");
  // Candles whose start is before `to`: the last one starts at the grid point before it.
  const lastStart = gridFloor(to - 1, size, origin);
  const candles = ctx.market.candles.newestBefore(venue, coin, size, lastStart + size, count, now);
  return { body: candles.map((c) => row(venue, code, c, size)) };
}
