/**
 * A realistic market for the browser tests: about forty coins as Upbit and Binance list them, with
 * their Korean names, prices near real levels, premiums on both sides of zero, caution flags, a
 * Bithumb-only KRW listing and a coin with no global market. Everything goes in through
 * `POST /internal/ingest`, exactly as the collectors push it.
 */
import type { IngestBatch, IngestEvent, TickerEvent } from "../../../protocol/ingest";

/** USD/KRW and USDT/KRW the fixture prices against. */
export const USD_KRW = 1438.5;
export const USDT_KRW = 1452;

/** One coin: [symbol, Korean name, English name, Binance USDT price, target premium %, 24 h change %, Upbit 24 h value in 억 KRW]. */
type CoinSpec = [string, string, string, number, number, number, number];

export const COINS: CoinSpec[] = [
  ["BTC", "비트코인", "Bitcoin", 91_000.5, 3.12, 1.27, 2288],
  ["ETH", "이더리움", "Ethereum", 3_150.2, 2.64, -0.84, 1530],
  ["XRP", "엑스알피(리플)", "XRP", 2.1132, 3.41, 4.92, 4120],
  ["SOL", "솔라나", "Solana", 138.52, 2.95, 2.31, 812],
  ["DOGE", "도지코인", "Dogecoin", 0.16551, 3.05, -1.72, 655],
  ["ADA", "에이다", "Cardano", 0.4823, 2.71, 0.44, 318],
  ["TRX", "트론", "TRON", 0.28951, 2.22, 0.12, 96],
  ["LINK", "체인링크", "Chainlink", 13.42, 2.88, -2.05, 145],
  ["AVAX", "아발란체", "Avalanche", 13.61, 3.17, 1.05, 88],
  ["SUI", "수이", "Sui", 1.6762, 2.58, 6.83, 402],
  ["XLM", "스텔라루멘", "Stellar Lumens", 0.25812, 2.49, -0.31, 77],
  ["BCH", "비트코인캐시", "Bitcoin Cash", 517.2, 2.83, 0.91, 64],
  ["HBAR", "헤데라", "Hedera", 0.14731, 2.61, -3.4, 59],
  ["DOT", "폴카닷", "Polkadot", 2.846, 2.9, -1.12, 41],
  ["ETC", "이더리움클래식", "Ethereum Classic", 13.93, 2.77, 0.08, 38],
  ["NEAR", "니어프로토콜", "NEAR Protocol", 2.083, 3.33, 3.75, 52],
  ["APT", "앱토스", "Aptos", 2.968, 2.52, -0.66, 27],
  ["UNI", "유니스왑", "Uniswap", 6.72, 2.94, 1.48, 22],
  ["AAVE", "에이브", "Aave", 181.8, 2.71, 2.9, 31],
  ["SHIB", "시바이누", "Shiba Inu", 0.00001022, 3.6, -2.51, 118],
  ["PEPE", "페페", "Pepe", 0.00000537, 3.88, 8.14, 236],
  ["ARB", "아비트럼", "Arbitrum", 0.2981, 2.69, -0.95, 24],
  ["SEI", "세이", "Sei", 0.1765, 2.81, 1.77, 19],
  ["ONDO", "온도파이낸스", "Ondo Finance", 0.6842, 3.02, 5.21, 73],
  ["ENA", "에테나", "Ethena", 0.3835, 3.24, 7.02, 141],
  ["WLD", "월드코인", "Worldcoin", 0.7945, 2.45, -4.12, 44],
  ["POL", "폴리곤 에코시스템 토큰", "POL (ex-MATIC)", 0.2001, 2.6, -0.21, 17],
  ["ATOM", "코스모스", "Cosmos", 3.062, 2.85, 0.63, 15],
  ["ALGO", "알고랜드", "Algorand", 0.1441, 2.77, -1.05, 12],
  ["FIL", "파일코인", "Filecoin", 1.954, 2.98, 0.33, 11],
  ["SAND", "샌드박스", "The Sandbox", 0.1832, 2.74, -0.54, 9],
  ["STX", "스택스", "Stacks", 0.4395, 2.56, 1.12, 8],
  ["IMX", "이뮤터블엑스", "Immutable X", 0.4083, 2.69, -2.2, 7],
  ["TIA", "셀레스티아", "Celestia", 1.095, -0.42, -5.63, 21],
  ["GAS", "가스", "Gas", 2.912, -1.64, -7.9, 33],
  ["BTT", "비트토렌트", "BitTorrent", 0.0000006, 2.4, 0.0, 6],
  ["MEW", "캣인어독스월드", "cat in a dogs world", 0.00264, 11.8, 31.4, 188],
];

/** Coins with a caution flag (Upbit's `market_event`). */
export const WARNINGS: Record<string, string[]> = {
  MEW: ["PRICE_FLUCTUATIONS", "GLOBAL_PRICE_DIFFERENCES"],
  BTT: ["WARNING"],
};

/** A coin listed only on Bithumb in KRW (so the board shows Bithumb's price), and one with no global market. */
export const BITHUMB_ONLY: CoinSpec = ["ASTR", "아스타", "Astar", 0.02481, 1.9, -0.8, 4];
export const KRW_ONLY: [string, string, string, number, number, number] = ["MED", "메디블록", "MediBloc", 6.21, 1.2, 3];

/** The KRW price that gives a coin its target premium against the fixture's USD/KRW. */
export function krwPriceOf(usdt: number, premiumPercent: number): number {
  const raw = usdt * USD_KRW * (1 + premiumPercent / 100);
  // Round to a tick a Korean venue would quote.
  const tick = raw >= 1000 ? 1 : raw >= 100 ? 0.1 : raw >= 1 ? 0.001 : 1e-8;
  return Number((Math.round(raw / tick) * tick).toPrecision(12));
}

function ticker(
  venue: TickerEvent["venue"],
  base: string,
  price: number,
  change: number,
  quoteVolume: number,
  timestamp: number,
): TickerEvent {
  const quote = venue === "upbit" || venue === "bithumb" ? "KRW" : "USDT";
  const venueSymbol = venue === "upbit" || venue === "bithumb" ? `${quote}-${base}` : `${base}${quote}`;
  return {
    kind: "ticker",
    venue,
    base,
    quote,
    venue_symbol: venueSymbol,
    price,
    change_percent: change,
    volume: quoteVolume / price,
    quote_volume: quoteVolume,
    timestamp,
  };
}

/** A batch around events, as the collectors send it. */
export function batch(events: IngestEvent[], source: IngestBatch["source"] = "live"): IngestBatch {
  return { batch_id: crypto.randomUUID(), source, sent_at: Date.now(), events };
}

/** Every coin's names, tickers on both sides, the rates and the Fear & Greed index, at `now`. */
export function marketEvents(now: number): IngestEvent[] {
  const events: IngestEvent[] = [
    { kind: "fx", pair: "USD/KRW", rate: USD_KRW, provider: "fixture", timestamp: now },
    ticker("upbit", "USDT", USDT_KRW, 0.14, 1.41e11, now),
    { kind: "coin", base: "USDT", korean_name: "테더", english_name: "Tether", venue: "upbit", warnings: [] },
    { kind: "fear_greed", value: 62, classification: "Greed", timestamp: now },
  ];
  for (const [symbol, ko, en, usdt, premium, change, value] of COINS) {
    events.push(
      {
        kind: "coin",
        base: symbol,
        korean_name: ko,
        english_name: en,
        venue: "upbit",
        warnings: WARNINGS[symbol] ?? [],
      },
      ticker("upbit", symbol, krwPriceOf(usdt, premium), change, value * 1e8, now),
      ticker("binance", symbol, usdt, change * 0.9, (value * 1e8 * 3.2) / USD_KRW, now),
    );
  }
  {
    const [symbol, ko, en, usdt, premium, change, value] = BITHUMB_ONLY;
    events.push(
      { kind: "coin", base: symbol, korean_name: ko, english_name: en, venue: "bithumb", warnings: [] },
      ticker("bithumb", symbol, krwPriceOf(usdt, premium), change, value * 1e8, now),
      ticker("binance", symbol, usdt, change, (value * 1e8 * 2) / USD_KRW, now),
    );
  }
  {
    const [symbol, ko, en, krw, change, value] = KRW_ONLY;
    events.push(
      { kind: "coin", base: symbol, korean_name: ko, english_name: en, venue: "upbit", warnings: [] },
      ticker("upbit", symbol, krw, change, value * 1e8, now),
    );
  }
  return events;
}

/**
 * One batch per minute for the last `minutes` minutes for one coin: four ticks a minute on Upbit
 * and Binance (so candles have bodies and wicks) plus the rates, so the coin's premium history
 * gets one row per minute. Sent oldest first, before `marketEvents(now)`.
 */
export function historyBatches(symbol: string, minutes: number, now: number): IngestBatch[] {
  const spec = COINS.find((c) => c[0] === symbol);
  if (!spec) throw new Error(`no fixture coin ${symbol}`);
  const [, , , usdt, premium] = spec;
  const out: IngestBatch[] = [];
  // A deterministic walk (no Math.random: the same chart every run), scaled to end at today's price.
  let seed = 7;
  const next = () => {
    seed = (seed * 48271) % 2147483647;
    return seed / 2147483647 - 0.5;
  };
  const walk: number[] = [];
  let level = 1;
  for (let i = 0; i < minutes * 4; i++) {
    level *= 1 + next() * 0.004 + 0.00012;
    walk.push(level);
  }
  const scale = usdt / (walk[walk.length - 1] as number);
  const minuteStart = Math.floor(now / 60_000) * 60_000;
  for (let m = minutes; m >= 1; m--) {
    const start = minuteStart - m * 60_000;
    const events: IngestEvent[] = [];
    let p = premium;
    for (let q = 0; q < 4; q++) {
      const ts = start + q * 15_000;
      const price = (walk[(minutes - m) * 4 + q] as number) * scale;
      p = premium + Math.sin((minutes - m) / 9) * 0.6 + next() * 0.15;
      events.push(ticker("binance", symbol, Number(price.toPrecision(8)), 1, 1e9, ts));
      events.push(ticker("upbit", symbol, krwPriceOf(price, p), 1, 1e11, ts));
    }
    const last = start + 45_000;
    events.push(ticker("upbit", "USDT", USDT_KRW + next() * 4, 0.1, 1e11, last));
    events.push({ kind: "fx", pair: "USD/KRW", rate: USD_KRW + next(), provider: "fixture", timestamp: last });
    out.push(batch(events));
  }
  return out;
}

/** POSTs one batch to the Worker's ingest endpoint and fails loudly on anything but 200. */
export async function ingest(url: string, token: string, body: IngestBatch): Promise<void> {
  const res = await fetch(`${url}/internal/ingest`, {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  });
  if (res.status !== 200) throw new Error(`ingest answered ${res.status}: ${await res.text()}`);
}
