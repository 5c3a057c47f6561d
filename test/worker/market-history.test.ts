import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marketSymbol } from "../../durable-objects/addresses";
import type { CandleRow, PremiumHistoryPoint } from "../../protocol/market";
import { CANDLE_RETENTION_MS } from "../../protocol/venues";
import { batchOf, deliverCoinUpdates, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";

const MINUTE = 60_000;

describe("candles and premium history", () => {
  it("keeps one provisional 1-minute candle per venue and minute from ticks, with correct OHLC even out of order", async () => {
    const minute = Math.floor(Date.now() / MINUTE) * MINUTE - 2 * MINUTE;
    await postIngest(
      batchOf([ticker("upbit", "TRX", 500, minute + 1_000), ticker("upbit", "TRX", 520, minute + 20_000)]),
    );
    // Later batch carrying an earlier tick (the open) and a later one (the close).
    await postIngest(
      batchOf([ticker("upbit", "TRX", 490, minute + 500), ticker("upbit", "TRX", 505, minute + 50_000)]),
    );
    await postIngest(batchOf([ticker("upbit", "TRX", 510, minute + MINUTE + 1)]));
    await deliverCoinUpdates();

    const { body } = await getJson<CandleRow[]>("/api/market/candles/TRX?venue=upbit&interval=1m&limit=10");
    const first = body.find((r) => r[0] === minute);
    expect(first?.slice(1, 5)).toEqual([490, 520, 490, 505]);
    expect(body.find((r) => r[0] === minute + MINUTE)?.[4]).toBe(510);
    const rows = await runInDurableObject(marketSymbol(env, "TRX"), (_i, state) =>
      state.storage.sql.exec("SELECT COUNT(*) AS n FROM draft_candles").one(),
    );
    expect(rows.n).toBe(2);
  });

  it("records the last premium of each minute and rolls it up for longer intervals", async () => {
    const now = Date.now();
    await postIngest(
      batchOf([
        ticker("upbit", "DOT", 6_000, now),
        ticker("binance", "DOT", 4, now),
        { kind: "fx", pair: "USD/KRW", rate: 1_450, provider: "test", timestamp: now },
      ]),
    );
    await postIngest(batchOf([ticker("upbit", "DOT", 6_100, now + 1)]));
    await deliverCoinUpdates();
    const { body } = await getJson<PremiumHistoryPoint[]>("/api/market/premiums/DOT/history?interval=1m&limit=5");
    expect(body).toHaveLength(1);
    expect(body[0].krw_price).toBe(6_100);
    expect(body[0].premium_percent).toBeCloseTo((6_100 / (4 * 1_450) - 1) * 100, 9);
    const hourly = await getJson<PremiumHistoryPoint[]>("/api/market/premiums/DOT/history?interval=1h&limit=2");
    expect(hourly.body.at(-1)?.krw_price).toBe(6_100);
  });

  it("drops provisional candles and live premiums past the 7-day retention", async () => {
    await postIngest(batchOf([ticker("upbit", "ATOM", 9_000), ticker("binance", "ATOM", 6)]));
    await deliverCoinUpdates();
    const left = await runInDurableObject(marketSymbol(env, "ATOM"), (instance, state) => {
      instance.prune(Date.now() + CANDLE_RETENTION_MS["1m"] + 2 * MINUTE);
      return state.storage.sql
        .exec("SELECT (SELECT COUNT(*) FROM draft_candles) + (SELECT COUNT(*) FROM live_premiums) AS n")
        .one();
    });
    expect(left.n).toBe(0);
  });

  it("rejects a bad interval or limit with 400 naming the field", async () => {
    const bad = await getJson<{ errors: { path: string }[] }>("/api/market/candles/BTC?interval=7m");
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe("interval");
    const limit = await getJson<{ errors: { path: string }[] }>("/api/market/premiums/BTC/history?limit=0");
    expect(limit.status).toBe(400);
    expect(limit.body.errors[0].path).toBe("limit");
  });
});
