import type { SimContext, SimHttpRequest, SimHttpResponse } from "../sim-venue";

const DAY_MS = 86_400_000;
/** The ECB publishes around 16:00 CET: a day's rate exists from 15:00 UTC. */
const PUBLISHED_AT_MS = 15 * 3_600_000;

function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/**
 * Frankfurter's time series, `GET /v1/{start}..{end}` (end optional: up to today) with `base=USD`
 * (or `from`) and `symbols=KRW` (or `to`): `{amount, base, start_date, end_date, rates: {date: {KRW}}}`,
 * one entry per working day (no weekends), from the simulated USD/KRW history (the live rate from the
 * start on), each day's rate once it is published.
 */
export function frankfurterSeries(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined {
  const match = /^\/v1\/(\d{4}-\d{2}-\d{2})\.\.(\d{4}-\d{2}-\d{2})?$/.exec(req.path);
  if (req.endpoint !== "frankfurter" || !match) return undefined;
  const base = req.query.get("base") ?? req.query.get("from") ?? "EUR";
  const symbols = (req.query.get("symbols") ?? req.query.get("to") ?? "KRW").split(",");
  if (base !== "USD" || !symbols.includes("KRW"))
    return { status: 422, body: { message: "only USD to KRW is simulated" } };
  const now = Date.now();
  const start = Date.parse(`${match[1]}T00:00:00Z`);
  const end = Math.min(match[2] ? Date.parse(`${match[2]}T00:00:00Z`) : now, now - PUBLISHED_AT_MS);
  const book = ctx.market.candles;
  const rates: Record<string, { KRW: number }> = {};
  for (let day = start; day <= end; day += DAY_MS) {
    const weekday = new Date(day).getUTCDay();
    if (weekday === 0 || weekday === 6) continue;
    const at = day + PUBLISHED_AT_MS;
    const rate = at >= book.startedAt ? ctx.market.usdKrw : book.usdKrwAt(at);
    rates[isoDate(day)] = { KRW: Math.round(rate * 100) / 100 };
  }
  const dates = Object.keys(rates);
  return {
    body: {
      amount: 1.0,
      base: "USD",
      start_date: dates[0] ?? isoDate(start),
      end_date: dates[dates.length - 1] ?? isoDate(start),
      rates,
    },
  };
}
