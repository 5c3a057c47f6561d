import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marketSymbol } from "../../durable-objects/addresses";
import type { FxHistoryEvent, IngestEvent } from "../../protocol/ingest";
import type { Coin, PremiumHistoryPoint, PremiumStats } from "../../protocol/market";
import { batchOf, deliverCoinUpdates, getJson, postIngest } from "./support/ingest";
import { candle, ticker } from "./support/market";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const floor = (t: number, step: number) => Math.floor(t / step) * step;
const USD_KRW = 1_400;
const USDT_KRW = 1_420;

function fxDay(day: number, rate = USD_KRW): FxHistoryEvent {
  return { kind: "fx_history", pair: "USD/KRW", day, rate, provider: "ECB", timestamp: Date.now() };
}

async function ingestOk(events: IngestEvent[]): Promise<void> {
  const res = await postIngest(batchOf(events));
  expect(res.status, await res.clone().text()).toBe(200);
}

/**
 * Runs a coin's alarm (the premium history, the windows) until `done` holds: the runtime may be
 * running the same alarm on its own, so one call that finds none scheduled proves nothing.
 */
async function settle(base: string, done: () => Promise<boolean> = async () => true): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await runDurableObjectAlarm(marketSymbol(env, base));
    if (await done()) return;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("premium history from the venues' candles", () => {
  it("computes each day's premium on both bases from closed candles and the rates of that day", async () => {
    const today = floor(Date.now(), DAY);
    const days = [5, 4, 3, 2, 1].map((k) => today - k * DAY);
    await ingestOk([
      ...days.map((d, i) => fxDay(d, 1_350 + i * 10)),
      ...days.map((d) => candle("upbit", "USDT", "1d", d, [1_400, 1_440, 1_390, USDT_KRW])),
    ]);
    await ingestOk([
      ...days.map((d, i) => candle("upbit", "PRH", "1d", d, [1, 200_000, 1, 150_000 + i * 1_000])),
      ...days.map((d) => candle("binance", "PRH", "1d", d, [1, 200, 1, 100])),
    ]);
    const history = async () =>
      (await getJson<PremiumHistoryPoint[]>("/api/market/premiums/PRH/history?interval=1d&limit=10")).body;
    await settle("PRH", async () => (await history()).filter((p) => p.timestamp < today).length === days.length);
    const body = await history();
    const closed = body.filter((p) => p.timestamp < today);
    expect(closed.map((p) => p.timestamp)).toEqual(days);
    closed.forEach((p, i) => {
      const krw = 150_000 + i * 1_000;
      const fx = 1_350 + i * 10;
      expect(p).toMatchObject({ krw_price: krw, global_price: 100, exchange_rate: fx, usdt_krw_rate: USDT_KRW });
      expect(p.premium_percent).toBeCloseTo((krw / (100 * fx) - 1) * 100, 9);
      expect(p.usdt_premium_percent).toBeCloseTo((krw / (100 * USDT_KRW) - 1) * 100, 9);
    });
  });

  it("fills in a premium once the rate it lacked arrives", async () => {
    const day = floor(Date.now(), DAY) - 20 * DAY;
    await ingestOk([
      candle("upbit", "PRL", "1d", day, [1, 3_000, 1, 2_900]),
      candle("binance", "PRL", "1d", day, [1, 3, 1, 2]),
    ]);
    await settle("PRL");
    const before = await getJson<PremiumHistoryPoint[]>("/api/market/premiums/PRL/history?interval=1d&limit=30");
    expect(before.body.find((p) => p.timestamp === day)?.premium_percent).toBeNull();
    await ingestOk([fxDay(day, 1_000)]);
    // A run retries rows that lacked a rate at most every 10 minutes; a fresh instance has not tried yet.
    await evictDurableObject(marketSymbol(env, "PRL"));
    await runInDurableObject(marketSymbol(env, "PRL"), (_o, state) => state.storage.setAlarm(Date.now()));
    const premiumOfDay = async () =>
      (await getJson<PremiumHistoryPoint[]>("/api/market/premiums/PRL/history?interval=1d&limit=30")).body.find(
        (p) => p.timestamp === day,
      )?.premium_percent;
    await settle("PRL", async () => (await premiumOfDay()) != null);
    expect(await premiumOfDay()).toBeCloseTo((2_900 / 2_000 - 1) * 100, 9);
  });
});

describe("premium context: is today's premium high for this coin?", () => {
  it("rates today's premium against the coin's own last 30 and 90 days on both bases", async () => {
    const now = Date.now();
    const firstHour = floor(now, HOUR) - 40 * DAY;
    const hours = Array.from({ length: 40 * 24 }, (_, i) => firstHour + i * HOUR).filter((t) => t + HOUR <= now);
    // Hourly premiums cycle through 0, 0.5, ..., 4.5 % on the USD/KRW basis (USDT/KRW is 1,420).
    const premiumOf = (i: number) => (i % 10) * 0.5;
    const krwClose = (i: number) => 100 * USD_KRW * (1 + premiumOf(i) / 100);
    const days = [...new Set(hours.map((t) => floor(t, DAY)))];
    await ingestOk([
      ...days.map((d) => fxDay(d)),
      ...hours.map((t) => candle("upbit", "USDT", "1h", t, [USDT_KRW, USDT_KRW, USDT_KRW, USDT_KRW])),
    ]);
    await ingestOk([
      ...hours.map((t, i) => candle("upbit", "PCX", "1h", t, [krwClose(i), krwClose(i), krwClose(i), krwClose(i)])),
      ...hours.map((t) => candle("binance", "PCX", "1h", t, [100, 100, 100, 100])),
    ]);
    // Today's live prices: a 2.25 % premium, the middle of the last 30 days.
    await ingestOk([
      { kind: "fx", pair: "USD/KRW", rate: USD_KRW, provider: "test", timestamp: now },
      ticker("upbit", "USDT", USDT_KRW, now),
      ticker("upbit", "PCX", 100 * USD_KRW * 1.0225, now),
      ticker("binance", "PCX", 100, now),
    ]);
    await deliverCoinUpdates();
    const coinNow = async () => (await getJson<Coin>("/api/prices/PCX")).body;
    await settle("PCX", async () => (await coinNow()).premium?.context != null);

    const coin = await coinNow();
    const context = coin.premium?.context;
    expect(context?.samples_30d).toBeGreaterThanOrEqual(30 * 24 - 1);
    expect(context?.samples_90d).toBeGreaterThanOrEqual(hours.length);
    expect(context?.premium_percent?.min_30d).toBeCloseTo(0, 6);
    expect(context?.premium_percent?.max_30d).toBeCloseTo(4.5, 6);
    // 72 hours of each value, give or take the window's edges and today's live premium.
    expect(context?.premium_percent?.median_30d).toBeGreaterThanOrEqual(2);
    expect(context?.premium_percent?.median_30d).toBeLessThanOrEqual(2.5);
    expect(context?.premium_percent?.percentile_30d).toBeGreaterThan(45);
    expect(context?.premium_percent?.percentile_30d).toBeLessThan(55);
    expect(Math.abs(context?.premium_percent?.z_score_30d ?? 9)).toBeLessThan(0.1);
    // On the USDT/KRW basis the same prices give a lower premium, at the same place in its history.
    const usdtBasis = context?.usdt_premium_percent;
    expect(usdtBasis?.max_30d).toBeCloseTo(((100 * USD_KRW * 1.045) / (100 * USDT_KRW)) * 100 - 100, 6);
    expect(usdtBasis?.percentile_30d).toBeGreaterThan(45);
    expect(usdtBasis?.percentile_30d).toBeLessThan(55);

    const { status, body: stats } = await getJson<PremiumStats>("/api/market/premiums/PCX/stats");
    expect(status).toBe(200);
    expect(stats.premium?.context).toEqual(context);
    expect(stats.windows["30d"].premium_percent?.median).toBeCloseTo(context?.premium_percent?.median_30d ?? -1, 9);
    expect(stats.windows["30d"].premium_percent?.samples).toBe(context?.samples_30d);
    expect(stats.windows["90d"].premium_percent?.samples).toBeGreaterThanOrEqual(hours.length);
    expect((await getJson("/api/market/premiums/NOPE0/stats")).status).toBe(404);
  });
});
