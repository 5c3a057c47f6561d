import type { SimContext, SimHttpRequest, SimHttpResponse, SimVenue } from "../sim-venue";

const LABELS: [number, string][] = [
  [25, "Extreme Fear"],
  [46, "Fear"],
  [55, "Neutral"],
  [75, "Greed"],
  [101, "Extreme Greed"],
];

/** alternative.me's `/fng/`: today's index derived from the simulated BTC's 24 h change. */
export const fearGreedSim: SimVenue = {
  venue: "fear-greed",
  http(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
    if (req.path !== "/fng/" && req.path !== "/fng") return undefined;
    const btc = ctx.market.coin("BTC");
    const q = btc && ctx.market.quote(btc, "binance");
    const value = Math.max(0, Math.min(100, Math.round(50 + (q?.changePercent ?? 0) * 5)));
    const label = LABELS.find(([max]) => value < max)?.[1] ?? "Neutral";
    const day = Math.floor(Date.now() / 86_400_000) * 86_400;
    return {
      body: {
        name: "Fear and Greed Index",
        data: [
          { value: String(value), value_classification: label, timestamp: String(day), time_until_update: "3600" },
        ],
        metadata: { error: null },
      },
    };
  },
};
