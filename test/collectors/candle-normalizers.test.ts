/**
 * The candle normalisers on the venues' own candle answers (test/collectors/fixtures/candles, sources in
 * its README): a closed interval becomes a candle event whose start and OHLCV are the venue's for that
 * interval, the still-open interval is never emitted, and a bad value drops its candle alone and is
 * counted. Frames go through `processFrame`, the path every feed and replay shares.
 */
import { describe, expect, it } from "vitest";
import { processFrame } from "../../collectors/core/frame-processor";
import type { Normalizer } from "../../collectors/core/frames";
import { BinanceKlineNormalizer } from "../../collectors/exchanges/binance-klines";
import { BybitKlineNormalizer } from "../../collectors/exchanges/bybit-klines";
import { FxHistoryNormalizer } from "../../collectors/exchanges/fx-history-normalizer";
import { UpbitStyleCandleNormalizer } from "../../collectors/exchanges/upbit-style-candles";
import type { CandleEvent } from "../../protocol/ingest";
import { candleFixture, fixtureFrame } from "./support/fixtures";

const SECOND = 1000;
const MINUTE = 60_000;
const HOUR = 3_600_000;
const DAY = 86_400_000;

/** A candle answer through the normaliser and the ingest schema, as the collector receives it at `receivedAt`. */
function receive(normalizer: Normalizer, request: string, body: string, receivedAt: number) {
  return processFrame(normalizer, {
    venue: "candles",
    stream: `rest ${request}`,
    received_at: receivedAt,
    frame: body,
  });
}

/** The OHLCV of a candle event, to compare with the venue's row. */
function ohlcv(e: CandleEvent) {
  return { open: e.open, high: e.high, low: e.low, close: e.close, volume: e.volume, quote_volume: e.quote_volume };
}

function candles(out: ReturnType<typeof receive>): CandleEvent[] {
  expect(out.result.kind).toBe("data");
  return out.events.filter((e): e is CandleEvent => e.kind === "candle");
}

/** Every candle of the answer was still open: left out, and not counted as a bad value either. */
function expectNoneClosed(out: ReturnType<typeof receive>): void {
  expect(candles(out)).toEqual([]);
  expect(out.invalid).toEqual([]);
}

describe("Upbit's candle answers", () => {
  const upbit = new UpbitStyleCandleNormalizer("upbit");
  const minuteStart = Date.parse("2018-04-18T10:16:00Z");
  /** The sample's `timestamp`: the minute's last trade (10:16:34.584), not its start. */
  const lastTrade = 1524046594584;

  it("takes a closed minute's start from candle_date_time_utc and its OHLCV as the venue sent them", () => {
    const out = receive(
      upbit,
      "/v1/candles/minutes/1?market=KRW-BTC&count=1",
      candleFixture("upbit-rest-candles-minutes-1.json"),
      minuteStart + MINUTE + 3 * SECOND,
    );
    expect(out.invalid).toEqual([]);
    expect(candles(out)).toEqual([
      {
        kind: "candle",
        venue: "upbit",
        base: "BTC",
        quote: "KRW",
        venue_symbol: "KRW-BTC",
        interval: "1m",
        open_time: minuteStart,
        open: 8615000,
        high: 8618000,
        low: 8611000,
        close: 8616000,
        volume: 6.96780929,
        quote_volume: 60018891.90054,
        timestamp: minuteStart + MINUTE + 3 * SECOND,
      },
    ]);
  });

  it("never emits the minute still open when answered, and emits it from the moment it ends", () => {
    const body = candleFixture("upbit-rest-candles-minutes-1.json");
    const request = "/v1/candles/minutes/1?market=KRW-BTC&count=1";
    const open = receive(upbit, request, body, lastTrade);
    expect(open.result).toEqual({ kind: "data", events: [] });
    expect(open.invalid).toEqual([]);
    expectNoneClosed(receive(upbit, request, body, minuteStart + MINUTE - 1));
    expect(candles(receive(upbit, request, body, minuteStart + MINUTE)).map((c) => c.open_time)).toEqual([minuteStart]);
  });

  it("reads a UTC day, and leaves out the day the sample was answered in (its last trade at 10:17 UTC)", () => {
    const body = candleFixture("upbit-rest-candles-days.json");
    const day = Date.parse("2018-04-18T00:00:00Z");
    expectNoneClosed(receive(upbit, "/v1/candles/days?market=KRW-BTC&count=1", body, 1524046650532));
    const [candle] = candles(receive(upbit, "/v1/candles/days?market=KRW-BTC&count=1", body, day + DAY + MINUTE));
    expect(candle).toMatchObject({ interval: "1d", open_time: day, base: "BTC", quote: "KRW" });
    expect(ohlcv(candle as CandleEvent)).toEqual({
      open: 8450000,
      high: 8679000,
      low: 8445000,
      close: 8626000,
      volume: 12505.93101659,
      quote_volume: 107184005903.68721,
    });
  });

  it("reads a recorded hour given as strings, the still-open one only once it has closed", () => {
    const body = candleFixture("upbit-rest-candles-minutes-60-usdt-btc-ccxt.json");
    const request = "/v1/candles/minutes/60?market=USDT-BTC&count=1";
    const hour = Date.parse("2024-03-13T11:00:00Z");
    // Recorded at 11:10:37 (its `timestamp`), the hour had 49 minutes to go.
    expectNoneClosed(receive(upbit, request, body, 1710328237828));
    const [candle] = candles(receive(upbit, request, body, hour + HOUR + 2 * SECOND));
    expect(candle).toMatchObject({
      interval: "1h",
      open_time: hour,
      base: "BTC",
      quote: "USDT",
      venue_symbol: "USDT-BTC",
    });
    expect(ohlcv(candle as CandleEvent)).toEqual({
      open: 72738.58583492,
      high: 73578.657,
      low: 72738.58583492,
      close: 73578.655,
      volume: 0.02284923,
      quote_volume: 1669.08358949,
    });
  });

  it("drops each candle with a bad value alone and counts it, keeping the good one", () => {
    const out = receive(
      upbit,
      "/v1/candles/minutes/1?market=KRW-BTC&count=6",
      candleFixture("upbit-rest-candles-minutes-1-bad-rows-edited.json"),
      minuteStart + MINUTE + 3 * SECOND,
    );
    expect(candles(out).map((c) => c.open_time)).toEqual([minuteStart]);
    expect(out.invalid).toHaveLength(5);
    expect(out.invalid).toEqual(
      expect.arrayContaining([
        expect.stringContaining("a price is missing"), // trade_price null
        expect.stringContaining("no traded volume"), // a negative volume
        expect.stringMatching(/^high: /), // high below low
        expect.stringMatching(/^open: Too big/), // a price of 2e12
        expect.stringMatching(/^quote_volume: Too big/), // a traded value of 2e16
      ]),
    );
  });

  it("reports the venue's error body as an error, never as candles", () => {
    const out = receive(
      upbit,
      "/v1/candles/minutes/1?market=KRW-BTC",
      fixtureFrame("upbit-rest-error-400.json"),
      lastTrade,
    );
    expect(out.result).toEqual({ kind: "error", error: expect.stringContaining("venue error 400") });
  });
});

describe("Bithumb's candle answers", () => {
  it("reads the documented minute like Upbit's, the start from candle_date_time_utc", () => {
    const minuteStart = Date.parse("2018-04-18T10:16:00Z");
    const out = receive(
      new UpbitStyleCandleNormalizer("bithumb"),
      "/v1/candles/minutes/1?market=KRW-BTC&to=2018-04-18%2019%3A17%3A00&count=1",
      candleFixture("bithumb-rest-candles-minutes-1.json"),
      minuteStart + MINUTE + SECOND,
    );
    const [candle] = candles(out);
    expect(candle).toMatchObject({ venue: "bithumb", venue_symbol: "KRW-BTC", interval: "1m", open_time: minuteStart });
    expect(ohlcv(candle as CandleEvent)).toEqual({
      open: 8615000,
      high: 8618000,
      low: 8611000,
      close: 8616000,
      volume: 6.96780929,
      quote_volume: 60018891.90054,
    });
    // Answered within the minute, it is still open.
    expectNoneClosed(
      receive(
        new UpbitStyleCandleNormalizer("bithumb"),
        "/v1/candles/minutes/1?market=KRW-BTC&count=1",
        candleFixture("bithumb-rest-candles-minutes-1.json"),
        1524046594584,
      ),
    );
  });
});

describe("Binance's klines", () => {
  const binance = new BinanceKlineNormalizer();
  const request = "/api/v3/klines?symbol=BTCUSDT&interval=1d&startTime=1499040000000&endTime=1499126399999&limit=1";
  const start = 1499040000000;

  it("reads the documented row: strings to numbers, the quote volume from column 7, market and interval from the query", () => {
    const out = receive(binance, request, candleFixture("binance-rest-klines.json"), start + DAY + 5 * SECOND);
    expect(out.invalid).toEqual([]);
    const [candle] = candles(out);
    expect(candle).toMatchObject({
      venue: "binance",
      base: "BTC",
      quote: "USDT",
      venue_symbol: "BTCUSDT",
      interval: "1d",
      open_time: start,
    });
    expect(ohlcv(candle as CandleEvent)).toEqual({
      open: 0.0163479,
      high: 0.8,
      low: 0.015758,
      close: 0.015771,
      volume: 148976.11427815,
      quote_volume: 2434.19055334,
    });
  });

  it("never emits the kline still open when answered", () => {
    expectNoneClosed(receive(binance, request, candleFixture("binance-rest-klines.json"), start + 12 * HOUR));
  });

  it("drops each kline with a bad value alone and counts it", () => {
    const out = receive(
      binance,
      "/api/v3/klines?symbol=BTCUSDT&interval=1d&limit=4",
      candleFixture("binance-rest-klines-bad-rows-edited.json"),
      start + 4 * DAY,
    );
    expect(candles(out).map((c) => c.open_time)).toEqual([start]);
    expect(out.invalid).toEqual([
      expect.stringContaining("a price is missing"), // the empty open
      "unreadable kline", // not an array
      expect.stringMatching(/^high: /), // high below low
    ]);
  });

  it("refuses an error body and an interval we do not collect", () => {
    const error = JSON.stringify({ code: -1121, msg: "Invalid symbol." });
    expect(receive(binance, request, error, start + DAY).result).toEqual({
      kind: "error",
      error: "venue error -1121: Invalid symbol.",
    });
    const weekly = request.replace("interval=1d", "interval=1w");
    expect(receive(binance, weekly, candleFixture("binance-rest-klines.json"), start + 8 * DAY).result.kind).toBe(
      "error",
    );
  });
});

describe("Bybit's spot klines", () => {
  const bybit = new BybitKlineNormalizer();
  const request = "/v5/market/kline?category=spot&symbol=BTCUSDT&interval=60&start=1670601600000&end=1670608800000";
  const newest = 1670608800000;

  it("reads the newest-first list: every closed hour with the venue's values", () => {
    const out = receive(bybit, request, candleFixture("bybit-rest-kline-spot-edited.json"), newest + HOUR + SECOND);
    expect(out.invalid).toEqual([]);
    const byStart = new Map(candles(out).map((c) => [c.open_time, c]));
    expect([...byStart.keys()].sort()).toEqual([newest - 2 * HOUR, newest - HOUR, newest]);
    for (const c of byStart.values())
      expect(c).toMatchObject({ venue: "bybit", base: "BTC", quote: "USDT", interval: "1h" });
    expect(ohlcv(byStart.get(newest) as CandleEvent)).toEqual({
      open: 17071,
      high: 17073,
      low: 17027,
      close: 17055.5,
      volume: 268611,
      quote_volume: 15.74462667,
    });
    expect(ohlcv(byStart.get(newest - 2 * HOUR) as CandleEvent)).toEqual({
      open: 17086.5,
      high: 17088,
      low: 16978,
      close: 17071.5,
      volume: 6356,
      quote_volume: 0.37288112,
    });
  });

  it("leaves out the newest hour while it is still open", () => {
    const out = receive(bybit, request, candleFixture("bybit-rest-kline-spot-edited.json"), newest + 30 * MINUTE);
    expect(
      candles(out)
        .map((c) => c.open_time)
        .sort(),
    ).toEqual([newest - 2 * HOUR, newest - HOUR]);
    expect(out.invalid).toEqual([]);
  });

  it("refuses the documented inverse answer (not spot) and a non-zero retCode", () => {
    const inverse = receive(
      bybit,
      request.replace("category=spot&symbol=BTCUSDT", "category=inverse&symbol=BTCUSD"),
      candleFixture("bybit-rest-kline-inverse.json"),
      newest + HOUR,
    );
    expect(inverse.result).toEqual({ kind: "error", error: "category inverse is not spot" });
    const refused = JSON.stringify({ retCode: 10001, retMsg: "Not supported symbols", result: {}, time: newest });
    expect(receive(bybit, request, refused, newest + HOUR).result).toEqual({
      kind: "error",
      error: "venue error 10001: Not supported symbols",
    });
  });
});

describe("Frankfurter's USD/KRW time series", () => {
  it("gives one rate per ECB working day, dated 00:00 UTC, none for the weekend", () => {
    const out = processFrame(new FxHistoryNormalizer(), {
      venue: "fx-history",
      stream: "rest /v1/2024-01-05..2024-01-09",
      received_at: Date.parse("2024-01-09T16:00:00Z"),
      frame: candleFixture("frankfurter-v1-timeseries-usd-krw.json"),
    });
    expect(out.invalid).toEqual([]);
    expect(out.events.map((e) => (e.kind === "fx_history" ? [new Date(e.day).toISOString(), e.rate] : e.kind))).toEqual(
      [
        ["2024-01-05T00:00:00.000Z", 1314.52],
        ["2024-01-08T00:00:00.000Z", 1313.09],
        ["2024-01-09T00:00:00.000Z", 1316.96],
      ],
    );
    expect(out.events[0]).toMatchObject({
      kind: "fx_history",
      pair: "USD/KRW",
      provider: expect.stringContaining("ECB"),
    });
  });
});
