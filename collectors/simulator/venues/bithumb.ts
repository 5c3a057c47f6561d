import type { SimContext, SimHttpRequest, SimHttpResponse, SimVenue } from "../sim-venue";
import { upbitStyleCandles } from "./upbit-style-candles";
import { krwMarkets, upbitStyleTicker } from "./upbit-style-frames";

/** Bithumb's cap on `markets` per `/v1/ticker` request. */
const MAX_MARKETS = 200;

/**
 * Bithumb's public REST API: v1 (Upbit-compatible) `/v1/market/all` (with the `market_warning` Bithumb
 * still sends) and `/v1/ticker?markets=` (400 above 200 markets, with the string error name Bithumb
 * uses; `trade_timestamp` shifted +9 h like the real one), the candles (`/v1/candles/...`, `to` read in
 * KST, days from 00:00 KST; see ./upbit-style-candles.ts), and the legacy `/public/ticker/ALL_KRW`.
 */
export const bithumbSim: SimVenue = {
  venue: "bithumb",
  http(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
    const candles = upbitStyleCandles("bithumb", req, ctx);
    if (candles) return candles;
    const markets = krwMarkets(ctx.market, "bithumb");
    if (req.path === "/v1/market/all") {
      let i = 0;
      return {
        body: [...markets].map(([code, coin]) => ({
          market: code,
          korean_name: coin.koreanName,
          english_name: coin.englishName,
          market_warning: ++i % 41 === 0 ? "CAUTION" : "NONE",
        })),
      };
    }
    if (req.path === "/v1/ticker") {
      const codes = (req.query.get("markets") ?? "").split(",").filter(Boolean);
      if (codes.length > MAX_MARKETS) {
        return {
          status: 400,
          body: { error: { name: "400", message: "Parameter 'markets' must be less than or equal to 200 items." } },
        };
      }
      const rows: Record<string, unknown>[] = [];
      for (const code of codes) {
        const coin = markets.get(code);
        const q = coin && ctx.market.quote(coin, "bithumb");
        if (!q) continue;
        const row = upbitStyleTicker(code, q, { ws: false });
        row.trade_timestamp = q.timestamp + 9 * 3_600_000; // Bithumb's KST-as-UTC quirk
        rows.push(row);
      }
      if (rows.length === 0) return { status: 404, body: { error: { name: "404", message: "Code not found" } } };
      return { body: rows };
    }
    if (req.path === "/public/ticker/ALL_KRW") {
      const data: Record<string, unknown> = {};
      for (const [code, coin] of markets) {
        const q = ctx.market.quote(coin, "bithumb");
        if (!q) continue;
        data[code.slice(4)] = {
          opening_price: String(q.open),
          closing_price: String(q.price),
          min_price: String(q.low),
          max_price: String(q.high),
          units_traded: String(q.volume / 2),
          acc_trade_value: String(q.quoteVolume / 2),
          prev_closing_price: String(q.open),
          units_traded_24H: String(q.volume),
          acc_trade_value_24H: String(q.quoteVolume),
          fluctate_24H: String(q.price - q.open),
          fluctate_rate_24H: q.changePercent.toFixed(2),
        };
      }
      data.date = String(Date.now());
      return { body: { status: "0000", data } };
    }
    return undefined;
  },
};
