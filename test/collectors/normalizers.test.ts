/**
 * Every market adapter's normaliser on the venues' own samples (test/collectors/fixtures/venues) and on
 * samples made in the same shapes: units (percent vs ratio), strings vs numbers, timestamps, symbol
 * mapping, and garbage reported as an error instead of thrown. The same normalisers run over real
 * sockets in the *-feed tests.
 */
import { describe, expect, it } from "vitest";
import { processFrame } from "../../collectors/core/frame-processor";
import type { NormalizeResult } from "../../collectors/core/frames";
import { BinanceNormalizer } from "../../collectors/exchanges/binance-normalizer";
import { BithumbNormalizer } from "../../collectors/exchanges/bithumb-normalizer";
import { BybitNormalizer } from "../../collectors/exchanges/bybit-normalizer";
import { FearGreedNormalizer } from "../../collectors/exchanges/fear-greed-normalizer";
import { FxNormalizer } from "../../collectors/exchanges/fx-normalizer";
import { UpbitNormalizer } from "../../collectors/exchanges/upbit-normalizer";
import type { IngestEvent } from "../../protocol/ingest";
import { fixtureFrame, fixtureJson, frameOf } from "./support/fixtures";

function events(result: NormalizeResult): IngestEvent[] {
  if (result.kind !== "data") throw new Error(`expected data, got ${JSON.stringify(result)}`);
  return result.events;
}

describe("Upbit normaliser", () => {
  const n = new UpbitNormalizer();

  it("reads the DEFAULT ticker: signed ratio to percent, 24 h volumes, event time", () => {
    const [e] = events(n.normalize(frameOf("upbit", "ws", fixtureFrame("upbit-ws-ticker.json"))));
    expect(e).toEqual({
      kind: "ticker",
      venue: "upbit",
      base: "BTC",
      quote: "KRW",
      venue_symbol: "KRW-BTC",
      price: 32287000,
      change_percent: 1.26713295,
      volume: 7158.8028356,
      quote_volume: 228827082483.70728,
      high: 32310000,
      low: 31855000,
      timestamp: 1676965262177,
      received_at: 1_763_700_000_000,
    });
  });

  it("reads the SIMPLE ticker without tms, taking the trade time", () => {
    const [e] = events(n.normalize(frameOf("upbit", "ws", fixtureFrame("upbit-ws-ticker-simple.json"))));
    expect(e).toMatchObject({ base: "ETH", price: 1759000, change_percent: 0.60051473, timestamp: 1668304226319 });
  });

  it("gives FALL a negative change from the unsigned rate, and EVEN zero", () => {
    const ticker = fixtureJson<Record<string, unknown>>("upbit-ws-ticker.json");
    const { signed_change_rate: _, ...unsigned } = ticker;
    const fall = events(n.normalize(frameOf("upbit", "ws", JSON.stringify({ ...unsigned, change: "FALL" }))));
    const even = events(n.normalize(frameOf("upbit", "ws", JSON.stringify({ ...unsigned, change: "EVEN" }))));
    expect(fall[0]).toMatchObject({ change_percent: -1.26713295 });
    expect(even[0]).toMatchObject({ change_percent: 0 });
  });

  it("reads a SIMPLE_LIST array frame", () => {
    const list = [fixtureJson("upbit-ws-ticker.json"), fixtureJson("upbit-ws-ticker-simple.json")];
    expect(
      events(n.normalize(frameOf("upbit", "ws", JSON.stringify(list)))).map((e) => e.kind === "ticker" && e.base),
    ).toEqual(["BTC", "ETH"]);
  });

  it("turns the market list into coin events with caution flags (no market_warning needed)", () => {
    const coins = events(
      n.normalize(frameOf("upbit", "rest /v1/market/all", fixtureFrame("upbit-rest-market-all-details.json"))),
    );
    expect(coins).toEqual([
      { kind: "coin", base: "BTC", korean_name: "비트코인", english_name: "Bitcoin", venue: "upbit", warnings: [] },
      {
        kind: "coin",
        base: "ETH",
        korean_name: "이더리움",
        english_name: "Ethereum",
        venue: "upbit",
        warnings: ["WARNING"],
      },
    ]);
    const geod = [
      {
        market: "KRW-GEOD",
        korean_name: "지오드넷",
        english_name: "GEODNET",
        market_event: { warning: false, caution: { PRICE_FLUCTUATIONS: true, TRADING_VOLUME_SOARING: true } },
      },
      { market: "BTC-GEOD", korean_name: "지오드넷", english_name: "GEODNET" },
    ];
    expect(events(n.normalize(frameOf("upbit", "rest /v1/market/all", JSON.stringify(geod))))).toEqual([
      {
        kind: "coin",
        base: "GEOD",
        korean_name: "지오드넷",
        english_name: "GEODNET",
        venue: "upbit",
        warnings: ["PRICE_FLUCTUATIONS", "TRADING_VOLUME_SOARING"],
      },
    ]);
  });

  it("maps Upbit's TON to Tokamak Network, not Toncoin", () => {
    const ticker = { ...fixtureJson<Record<string, unknown>>("upbit-ws-ticker.json"), code: "KRW-TON" };
    expect(events(n.normalize(frameOf("upbit", "ws", JSON.stringify(ticker))))[0]).toMatchObject({
      base: "TOKAMAK",
      venue_symbol: "KRW-TON",
    });
  });

  it("calls the PING answer control and reports errors and garbage", () => {
    expect(n.normalize(frameOf("upbit", "ws", fixtureFrame("upbit-ws-status-up.json")))).toEqual({ kind: "control" });
    expect(n.normalize(frameOf("upbit", "ws", fixtureFrame("upbit-ws-error-invalid-auth.json")))).toMatchObject({
      kind: "error",
      error: expect.stringContaining("INVALID_AUTH"),
    });
    expect(
      n.normalize(frameOf("upbit", "rest /v1/market/all", fixtureFrame("upbit-rest-error-400.json"))),
    ).toMatchObject({
      kind: "error",
    });
    for (const garbage of ["", "{", "null", "42", '{"type":"orderbook"}', '{"type":"ticker","code":"KRW-BTC"}']) {
      expect(n.normalize(frameOf("upbit", "ws", garbage)).kind).toBe("error");
    }
  });
});

describe("Bithumb normaliser", () => {
  const n = new BithumbNormalizer();

  it("reads the v1 REST ticker (quote first: BTC-USDC is USDC priced in BTC) with its true epoch, not the +9 h trade_timestamp", () => {
    const body = JSON.stringify([
      {
        ...fixtureJson<Record<string, unknown>>("bithumb-rest-v1-ticker-btc-usdc-ccxt.json"),
        timestamp: 1782949733650,
      },
    ]);
    const [e] = events(n.normalize(frameOf("bithumb", "rest /v1/ticker", body)));
    expect(e).toMatchObject({
      venue: "bithumb",
      base: "USDC",
      quote: "BTC",
      venue_symbol: "BTC-USDC",
      price: 0.00001659,
      change_percent: -0.84,
      quote_volume: 1.763734101214664,
      timestamp: 1782949733650,
    });
  });

  it("reads the Upbit-style WebSocket frames (null and empty delisting_date)", () => {
    const a = events(n.normalize(frameOf("bithumb", "ws", fixtureFrame("bithumb-ws-ticker.json"))));
    const b = events(n.normalize(frameOf("bithumb", "ws", fixtureFrame("bithumb-ws-ticker-ccxt-2026.json"))));
    expect(a[0]).toMatchObject({
      base: "BTC",
      quote: "KRW",
      price: 493100,
      change_percent: 1.775026,
      timestamp: 1725927377287,
    });
    expect(b[0]).toMatchObject({ price: 95299000, change_percent: 1.165593, timestamp: 1783655148485 });
  });

  it("reads the legacy ALL_KRW ticker: strings, percent change, date beside the coins", () => {
    const [e, ...rest] = events(
      n.normalize(
        frameOf("bithumb", "rest /public/ticker/ALL_KRW", fixtureFrame("bithumb-rest-public-ticker-all-krw.json")),
      ),
    );
    expect(rest).toEqual([]);
    expect(e).toMatchObject({
      base: "BTC",
      quote: "KRW",
      price: 9132000,
      change_percent: 6.16,
      volume: 8793.5045804,
      quote_volume: 78933458515.4962,
      timestamp: 1587710878669,
    });
  });

  it("reports Bithumb's error envelope (string name) as an error", () => {
    expect(
      n.normalize(frameOf("bithumb", "rest /v1/ticker", fixtureFrame("bithumb-rest-error-markets-limit.json"))),
    ).toMatchObject({
      kind: "error",
      error: expect.stringContaining("200 items"),
    });
  });
});

describe("Binance normaliser", () => {
  const n = new BinanceNormalizer();

  it("reads miniTicker arrays, computing the change from the 24 h open", () => {
    const [e] = events(n.normalize(frameOf("binance", "ws", fixtureFrame("binance-ws-miniticker-arr.json"))));
    expect(e).toMatchObject({
      base: "BNB",
      quote: "BTC",
      price: 0.0025,
      change_percent: 150,
      volume: 10000,
      quote_volume: 18,
      timestamp: 1672515782136,
    });
  });

  it("reads the 24hrTicker (P is a percent string) raw, wrapped in a combined stream, and the retired array", () => {
    const raw = events(n.normalize(frameOf("binance", "ws", fixtureFrame("binance-ws-ticker-24hr.json"))));
    const wrapped = events(
      n.normalize(
        frameOf(
          "binance",
          "ws",
          JSON.stringify({ stream: "bnbbtc@ticker", data: fixtureJson("binance-ws-ticker-24hr.json") }),
        ),
      ),
    );
    const legacy = events(n.normalize(frameOf("binance", "ws", fixtureFrame("binance-ws-ticker-arr-deprecated.json"))));
    expect(raw[0]).toMatchObject({ base: "BNB", change_percent: 250, high: 0.0025, low: 0.001 });
    expect(wrapped).toEqual(raw);
    expect(legacy).toEqual(raw);
  });

  it("reads the REST 24 h ticker, one or all", () => {
    const one = events(
      n.normalize(frameOf("binance", "rest /api/v3/ticker/24hr", fixtureFrame("binance-rest-ticker-24hr.json"))),
    );
    const all = events(
      n.normalize(frameOf("binance", "rest /api/v3/ticker/24hr", fixtureFrame("binance-rest-ticker-24hr-all.json"))),
    );
    expect(one[0]).toMatchObject({
      base: "BNB",
      quote: "BTC",
      price: 4.000002,
      change_percent: -95.96,
      timestamp: 1499869899040,
    });
    expect(all).toEqual(one);
  });

  it("divides multiplier symbols and applies renames; skips names that cannot be a coin key", () => {
    const mini = (s: string, c: string) => ({ e: "24hrMiniTicker", E: 1, s, c, o: c, h: c, l: c, v: "100", q: "5" });
    const list = [mini("1000SATSUSDT", "0.00003"), mini("BTTCUSDT", "0.0000006"), mini("币安人生USDT", "0.1")];
    const out = events(n.normalize(frameOf("binance", "ws", JSON.stringify(list))));
    expect(out).toEqual([
      expect.objectContaining({
        base: "SATS",
        quote: "USDT",
        venue_symbol: "1000SATSUSDT",
        price: 0.00003 / 1000,
        volume: 100_000,
      }),
      expect.objectContaining({ base: "BTT", quote: "USDT", venue_symbol: "BTTCUSDT" }),
    ]);
  });

  it("treats serverShutdown and subscription answers as control, garbage as errors", () => {
    expect(n.normalize(frameOf("binance", "ws", fixtureFrame("binance-ws-server-shutdown.json")))).toEqual({
      kind: "control",
    });
    expect(n.normalize(frameOf("binance", "ws", fixtureFrame("binance-ws-subscribe-response.json")))).toEqual({
      kind: "control",
    });
    expect(n.normalize(frameOf("binance", "ws", '{"code":2,"msg":"Invalid request"}')).kind).toBe("error");
    expect(n.normalize(frameOf("binance", "ws", "\u0000\u0001garbage")).kind).toBe("error");
    expect(n.normalize(frameOf("binance", "ws", '[{"e":"trade"}]')).kind).toBe("error");
  });
});

describe("Bybit normaliser", () => {
  const n = new BybitNormalizer();

  it("reads the spot REST tickers: ratio to percent, envelope time", () => {
    const [e] = events(
      n.normalize(frameOf("bybit", "rest /v5/market/tickers", fixtureFrame("bybit-rest-tickers-spot.json"))),
    );
    expect(e).toEqual({
      kind: "ticker",
      venue: "bybit",
      base: "BTC",
      quote: "USDT",
      venue_symbol: "BTCUSDT",
      price: 20533.13,
      change_percent: 0.68,
      volume: 11801.27771,
      quote_volume: 243765620.65899867,
      high: 21128.12,
      low: 20318.89,
      timestamp: 1673859087947,
      received_at: 1_763_700_000_000,
    });
  });

  it("reads the spot WebSocket ticker and treats pongs as control", () => {
    const [e] = events(n.normalize(frameOf("bybit", "ws", fixtureFrame("bybit-ws-ticker-spot.json"))));
    expect(e).toMatchObject({ base: "BTC", price: 21109.77, change_percent: 1.96, timestamp: 1673853746003 });
    expect(n.normalize(frameOf("bybit", "ws", fixtureFrame("bybit-ws-pong-spot.json")))).toEqual({ kind: "control" });
  });

  it("refuses other categories and error codes", () => {
    expect(
      n.normalize(frameOf("bybit", "rest /v5/market/tickers", fixtureFrame("bybit-rest-tickers-inverse.json"))).kind,
    ).toBe("error");
    expect(
      n.normalize(frameOf("bybit", "rest /v5/market/tickers", '{"retCode":10006,"retMsg":"Too many visits!"}')),
    ).toMatchObject({
      kind: "error",
      error: expect.stringContaining("10006"),
    });
  });
});

describe("USD/KRW and Fear & Greed normalisers", () => {
  it("reads Dunamu's forex quote", () => {
    const [e] = events(
      new FxNormalizer().normalize(
        frameOf("fx", "rest /v1/forex/recent", fixtureFrame("dunamu-forex-recent-krwusd.json")),
      ),
    );
    expect(e).toEqual({
      kind: "fx",
      pair: "USD/KRW",
      rate: 1338,
      provider: "dunamu (하나은행)",
      timestamp: 1708410689000,
    });
  });

  it("reads Frankfurter's rate, timed at the ECB publication and never after its receipt", () => {
    const body = JSON.stringify({ amount: 1.0, base: "USD", date: "2024-02-20", rates: { KRW: 1336.5 } });
    const [e] = events(
      new FxNormalizer().normalize(frameOf("fx", "rest /v1/latest", body, Date.parse("2024-02-21T00:00:00Z"))),
    );
    expect(e).toEqual({
      kind: "fx",
      pair: "USD/KRW",
      rate: 1336.5,
      provider: "frankfurter (ECB reference rate)",
      timestamp: Date.parse("2024-02-20T15:00:00Z"),
    });
  });

  it("reads the newest Fear & Greed entry (strings, seconds)", () => {
    const [e] = events(
      new FearGreedNormalizer().normalize(frameOf("fear-greed", "rest /fng/", fixtureFrame("alternativeme-fng.json"))),
    );
    expect(e).toEqual({ kind: "fear_greed", value: 40, classification: "Fear", timestamp: 1551157200000 });
  });
});

describe("the frame pipeline", () => {
  it("drops an event that fails the ingest schema alone and never throws", () => {
    const good = fixtureJson<Record<string, unknown>>("upbit-ws-ticker.json");
    const bad = { ...good, code: "KRW-ETH", signed_change_rate: -2 }; // -200 %: impossible
    // Received when the venue sent it (the sample's own time): only the schema can drop an event here.
    const receivedAt = (good.timestamp as number) + 150;
    const out = processFrame(new UpbitNormalizer(), frameOf("upbit", "ws", JSON.stringify([good, bad]), receivedAt));
    expect(out.events.map((e) => e.kind === "ticker" && e.base)).toEqual(["BTC"]);
    expect(out.invalid).toEqual([expect.stringContaining("change_percent")]);
    const throwing = processFrame(
      {
        normalize: () => {
          throw new Error("boom");
        },
      },
      frameOf("x", "ws", "{}"),
    );
    expect(throwing.result).toEqual({ kind: "error", error: "normaliser threw: boom" });
  });
});
