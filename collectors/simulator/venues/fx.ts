import type { SimContext, SimHttpRequest, SimHttpResponse, SimVenue } from "../sim-venue";
import { frankfurterSeries } from "./frankfurter-series";

/**
 * Dunamu's forex quote and Frankfurter's ECB rate, both from the simulated USD/KRW, and Frankfurter's
 * time series (see ./frankfurter-series.ts).
 */
export const fxSim: SimVenue = {
  venue: "fx",
  http(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
    const series = frankfurterSeries(req, ctx);
    if (series) return series;
    const rate = Math.round(ctx.market.usdKrw * 100) / 100;
    const now = Date.now();
    if (req.endpoint === "dunamu" && req.path === "/v1/forex/recent") {
      const kst = new Date(now + 9 * 3_600_000).toISOString();
      return {
        body: [
          {
            code: "FRX.KRWUSD",
            currencyCode: "USD",
            currencyName: "달러",
            country: "미국",
            name: "미국 (USD/KRW)",
            date: kst.slice(0, 10),
            time: kst.slice(11, 19),
            recurrenceCount: 194,
            basePrice: rate,
            openingPrice: rate,
            highPrice: rate,
            lowPrice: rate,
            change: "EVEN",
            changePrice: 0,
            cashBuyingPrice: Math.round(rate * 1.0175 * 100) / 100,
            cashSellingPrice: Math.round(rate * 0.9825 * 100) / 100,
            ttBuyingPrice: Math.round(rate * 0.99 * 100) / 100,
            ttSellingPrice: Math.round(rate * 1.01 * 100) / 100,
            tcBuyingPrice: null,
            fcSellingPrice: null,
            exchangeCommission: 7.1659,
            usDollarRate: 1.0,
            currencyUnit: 1,
            provider: "하나은행",
            timestamp: now,
            id: 79,
            modifiedAt: new Date(now).toISOString(),
            createdAt: "2016-10-21T06:13:34.000+00:00",
            signedChangePrice: 0,
            signedChangeRate: 0,
            changeRate: 0,
          },
        ],
      };
    }
    if (req.endpoint === "frankfurter" && req.path === "/v1/latest") {
      return {
        body: { amount: 1.0, base: "USD", date: new Date(now).toISOString().slice(0, 10), rates: { KRW: rate } },
      };
    }
    return undefined;
  },
};
