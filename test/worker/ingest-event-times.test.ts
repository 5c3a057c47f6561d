import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marketBoard, marketSymbol } from "../../durable-objects/addresses";
import { FUTURE_ALLOWANCE_MS, type IngestEvent } from "../../protocol/ingest";
import type { CandleRow, Coin, ExchangeRate } from "../../protocol/market";
import { boardState, expectProblem } from "./support/http";
import { batchOf, deliverCoinUpdates, getJson, postIngest } from "./support/ingest";
import { ticker } from "./support/market";

const DAY = 24 * 60 * 60 * 1000;
const TEN_YEARS = 10 * 365 * DAY;

const fx = (rate: number, timestamp: number): IngestEvent => ({
  kind: "fx",
  pair: "USD/KRW",
  rate,
  provider: "test",
  timestamp,
});

async function priceOf(symbol: string, venue: string): Promise<number | undefined> {
  const { body } = await getJson<Coin>(`/api/prices/${symbol}`);
  return body.prices?.[venue as keyof Coin["prices"]]?.price;
}

describe("event times are bounded", () => {
  it("refuses a ticker dated ten years ahead, and later real ticks still move the price", async () => {
    await postIngest(batchOf([ticker("upbit", "FTA", 1_000)]));
    const before = await boardState();
    const future = ticker("upbit", "FTA", 9_999, Date.now() + TEN_YEARS);
    const problem = await expectProblem(await postIngest(batchOf([future])), 400, "events.0.timestamp");
    expect(problem.errors?.[0].message).toContain("in the future");
    expect(await boardState()).toEqual(before);
    await postIngest(batchOf([ticker("upbit", "FTA", 1_050)]));
    expect(await priceOf("FTA", "upbit")).toBe(1_050);
  });

  it("refuses an FX rate dated ahead, so USD/KRW cannot be pinned", async () => {
    await postIngest(batchOf([fx(1_380, Date.now())]));
    await expectProblem(await postIngest(batchOf([fx(9_999, Date.now() + TEN_YEARS)])), 400, "events.0.timestamp");
    await postIngest(batchOf([fx(1_390, Date.now())]));
    const { body } = await getJson<ExchangeRate>("/api/market/exchange-rate");
    expect(body.exchange_rate).toBe(1_390);
  });

  it("allows the stated clock skew and refuses a minute past it", async () => {
    const now = Date.now();
    const within = ticker("binance", "FTB", 2, now + FUTURE_ALLOWANCE_MS - 5_000);
    expect((await postIngest(batchOf([within]))).status).toBe(200);
    const beyond = ticker("binance", "FTB", 3, now + FUTURE_ALLOWANCE_MS + 60_000);
    await expectProblem(await postIngest(batchOf([beyond])), 400, "events.0.timestamp");
  });

  it("refuses events older than their kind's bound, naming the event", async () => {
    const now = Date.now();
    const stale = ticker("bithumb", "FTC", 5, now - 2 * DAY);
    const fresh = ticker("bithumb", "FTC", 6, now);
    const problem = await expectProblem(await postIngest(batchOf([fresh, stale])), 400, "events.1.timestamp");
    expect(problem.errors?.[0].message).toContain("older than 24 h");
    // An FX rate from a long weekend ago is still a rate.
    expect((await postIngest(batchOf([fx(1_385, now - 4 * DAY)]))).status).toBe(200);
    await expectProblem(await postIngest(batchOf([fx(1_385, now - 11 * DAY)])), 400, "events.0.timestamp");
  });
});

describe("a market or rate stored with a future time heals", () => {
  it("lets the next good ticker, rate and index replace ones stored with a time beyond the allowance", async () => {
    const far = Date.now() + TEN_YEARS;
    await postIngest(batchOf([ticker("upbit", "FTD", 100)]));
    // What a board that accepted such events before they were bounded holds.
    await runInDurableObject(marketBoard(env), (_board, state) => {
      const sql = state.storage.sql;
      const row = sql.exec<{ data: string }>("SELECT data FROM tickers WHERE market = 'upbit:FTD-KRW'").one();
      const pinned = { ...JSON.parse(row.data), price: 999, timestamp: far };
      sql.exec(
        "UPDATE tickers SET data = ?, timestamp = ? WHERE market = 'upbit:FTD-KRW'",
        JSON.stringify(pinned),
        far,
      );
      const rate = JSON.stringify({ rate: 9_999, provider: "wrong", timestamp: far });
      sql.exec(
        "INSERT INTO singletons (name, data) VALUES ('usd_krw', ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
        rate,
      );
      const index = JSON.stringify({ value: 99, classification: "Extreme Greed", timestamp: far });
      sql.exec(
        "INSERT INTO singletons (name, data) VALUES ('fear_greed', ?) ON CONFLICT(name) DO UPDATE SET data = excluded.data",
        index,
      );
    });
    const { evictDurableObject } = await import("cloudflare:test");
    await evictDurableObject(marketBoard(env));
    expect(await priceOf("FTD", "upbit")).toBe(999);

    const now = Date.now();
    const index = { kind: "fear_greed", value: 40, classification: "Fear", timestamp: now } as const;
    await postIngest(batchOf([ticker("upbit", "FTD", 101, now), fx(1_400, now), index]));
    expect(await priceOf("FTD", "upbit")).toBe(101);
    expect((await getJson<ExchangeRate>("/api/market/exchange-rate")).body.exchange_rate).toBe(1_400);
    expect((await getJson<{ value: number }>("/api/fear_greed_index")).body.value).toBe(40);
  });

  it("lets a coin's own object replace a view and drop candles stored with far-future times", async () => {
    const far = Date.now() + TEN_YEARS;
    await postIngest(batchOf([ticker("upbit", "FTE", 200)]));
    await deliverCoinUpdates();
    await runInDurableObject(marketSymbol(env, "FTE"), (_symbol, state) => {
      const sql = state.storage.sql;
      const coin = JSON.parse(sql.exec<{ data: string }>("SELECT data FROM state WHERE name = 'coin'").one().data);
      coin.prices.upbit = { ...coin.prices.upbit, price: 777, timestamp: far };
      sql.exec("UPDATE state SET data = ? WHERE name = 'coin'", JSON.stringify(coin));
      const minute = Math.floor(far / 60_000) * 60_000;
      sql.exec(
        `INSERT INTO draft_candles (venue, minute, open, high, low, close, open_volume, volume, first_ts, last_ts)
         VALUES ('upbit', ?, 777, 777, 777, 777, 1, 1, ?, ?)`,
        minute,
        far,
        far,
      );
    });
    const { evictDurableObject } = await import("cloudflare:test");
    await evictDurableObject(marketSymbol(env, "FTE"));

    await postIngest(batchOf([ticker("upbit", "FTE", 201)]));
    await deliverCoinUpdates();
    const latest = await runInDurableObject(marketSymbol(env, "FTE"), (symbol) => symbol.latest());
    expect(latest?.prices.upbit?.price).toBe(201);
    const { body } = await getJson<CandleRow[]>("/api/market/candles/FTE?venue=upbit&interval=1m&limit=5");
    expect(body.every((row) => row[0] <= Date.now() + FUTURE_ALLOWANCE_MS)).toBe(true);
    expect(body.some((row) => row[4] === 777)).toBe(false);
  });
});
