/**
 * Synthetic market data in the ingest contract (protocol/ingest.ts): N coins quoted on the four
 * board venues, a USD/KRW rate and USDT/KRW, and ticker events whose `timestamp` is the time the
 * load generator meant to send them (so latency is measured from there).
 */
import { randomUUID } from "node:crypto";
import type { IngestBatch } from "../protocol/ingest";

/** The four board venues and how each spells a market. */
export const VENUES = [
  { venue: "upbit", quote: "KRW", symbol: (base: string) => `KRW-${base}` },
  { venue: "bithumb", quote: "KRW", symbol: (base: string) => `${base}_KRW` },
  { venue: "binance", quote: "USDT", symbol: (base: string) => `${base}USDT` },
  { venue: "bybit", quote: "USDT", symbol: (base: string) => `${base}USDT` },
] as const;

const USD_KRW = 1380;

/**
 * Korean coin names, as on Upbit. `BENCH_ASCII_NAMES=1` uses ASCII names instead: a diagnostic that
 * shows what non-ASCII text costs the fan-out (a JS string with any non-Latin-1 character is UTF-16,
 * and workerd encodes it to UTF-8 on every `ws.send`).
 */
const koreanName = (i: number, ascii = process.env.BENCH_ASCII_NAMES === "1") => (ascii ? `Koin ${i}` : `코인${i}`);

function coinEvent(base: string, i: number, ascii?: boolean): string {
  return JSON.stringify({
    kind: "coin",
    base,
    korean_name: koreanName(i, ascii),
    english_name: `Coin ${i}`,
    venue: "upbit",
    warnings: [],
  });
}

/** Coin events only: renames every coin, with Korean or ASCII names (for the diagnostic point). */
export function namesBatch(coins: string[], ascii: boolean): string {
  return batchBody(
    coins.map((base, c) => coinEvent(base, c + 1, ascii)),
    Date.now(),
  );
}

/** `count` coin symbols: C001, C002, ... */
export function coinSymbols(count: number): string[] {
  return Array.from({ length: count }, (_, i) => `C${String(i + 1).padStart(3, "0")}`);
}

/** Writes ticker events as JSON text, each (coin, venue) price doing a small random walk. */
export class TickWriter {
  private readonly prefixes: string[];
  private readonly prices: Float64Array;

  constructor(readonly coins: string[]) {
    this.prefixes = [];
    this.prices = new Float64Array(coins.length * VENUES.length);
    coins.forEach((base, c) => {
      const usd = 0.5 + ((c * 7919) % 1000);
      VENUES.forEach((v, i) => {
        this.prefixes.push(
          `{"kind":"ticker","venue":"${v.venue}","base":"${base}","quote":"${v.quote}","venue_symbol":"${v.symbol(base)}","price":`,
        );
        this.prices[c * VENUES.length + i] = v.quote === "KRW" ? usd * USD_KRW * 1.02 : usd;
      });
    });
  }

  /** The last price written for coin index `coin` on venue index `venue` (before any tick: the initial one). */
  price(coin: number, venue: number): number {
    return this.prices[coin * VENUES.length + venue];
  }

  /** One ticker event for coin index `coin` on venue index `venue`, stamped `timestamp`. */
  tick(coin: number, venue: number, timestamp: number): string {
    const k = coin * VENUES.length + venue;
    const price = this.prices[k] * (1 + (Math.random() - 0.5) * 0.001);
    this.prices[k] = price;
    const volume = 1000 + Math.random() * 10;
    return `${this.prefixes[k]}${price.toPrecision(8)},"change_percent":${((Math.random() - 0.5) * 10).toFixed(2)},"volume":${volume.toFixed(4)},"quote_volume":${(volume * price).toFixed(2)},"timestamp":${timestamp}}`;
  }
}

/** An ingest batch body from pre-written events. */
export function batchBody(events: string[], sentAt: number): string {
  return `{"batch_id":"${randomUUID()}","source":"simulated","sent_at":${sentAt},"events":[${events.join(",")}]}`;
}

/**
 * The state before a run: names for every coin, a ticker on every venue, USD/KRW and USDT/KRW
 * (the last two are not ticked again, so the premium's inputs stay older than the load's ticks).
 */
export function setupBatch(writer: TickWriter, timestamp: number): string {
  const events: string[] = [
    JSON.stringify({ kind: "fx", pair: "USD/KRW", rate: USD_KRW, provider: "bench", timestamp }),
  ];
  for (const venue of ["upbit", "bithumb"] as const) {
    const usdt: IngestBatch["events"][number] = {
      kind: "ticker",
      venue,
      base: "USDT",
      quote: "KRW",
      venue_symbol: venue === "upbit" ? "KRW-USDT" : "USDT_KRW",
      price: 1395,
      change_percent: 0.1,
      volume: 1e6,
      quote_volume: 1.395e9,
      timestamp,
    };
    events.push(JSON.stringify(usdt));
  }
  writer.coins.forEach((base, c) => {
    events.push(coinEvent(base, c + 1));
    for (let v = 0; v < VENUES.length; v++) events.push(writer.tick(c, v, timestamp));
  });
  return batchBody(events, timestamp);
}
