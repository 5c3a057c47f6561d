import type { TickerEvent } from "../../protocol/ingest";
import type { Coin, Premium } from "../../protocol/market";
import type { Tick } from "../trading/matching";

const MINUTE_MS = 60_000;

/**
 * A partial 1-minute candle of one venue, built from some ticks: the provisional candle of a minute
 * the venue's own candle has not arrived for. `openVolume` and `volume` are the venue's rolling 24 h
 * volume at the first and the last tick (their difference estimates what traded in between). Merging
 * two drafts is idempotent.
 */
export interface CandleDraft {
  venue: string;
  minute: number;
  open: number;
  high: number;
  low: number;
  close: number;
  /** Absent in drafts stored before it was carried (read as `volume`). */
  openVolume?: number;
  volume: number;
  firstTs: number;
  lastTs: number;
}

/** The last premium seen in one minute. */
export interface PremiumPoint {
  minute: number;
  ts: number;
  premium_percent: number | null;
  usdt_premium_percent: number | null;
  krw_price: number;
  global_price: number;
  exchange_rate: number | null;
  /** Absent in points stored before it was carried. */
  usdt_krw_rate?: number | null;
}

/**
 * What the board hands a coin's `MarketSymbol`: the coin's latest view plus the candle drafts and
 * premium points accumulated since the last delivery, and the ticks themselves (each venue's price,
 * volume and time, in order; the coin's resting orders are matched against them). Applying the same
 * update twice gives the same state (high is a max, low a min, open/close/volume go by tick time, a
 * premium point by its time, a match by its order's own state), so a retried delivery never double
 * counts.
 */
export interface SymbolUpdate {
  coin: Coin;
  candles: CandleDraft[];
  premiums: PremiumPoint[];
  /** Absent in updates stored before ticks were carried. */
  ticks?: Tick[];
}

/** Most ticks one pending update carries (the newest are kept). */
const MAX_TICKS = 512;

/** The ticks of a batch for one coin, as the matcher reads them. */
export function ticksOf(events: TickerEvent[]): Tick[] {
  return events.map((t) => ({ venue: t.venue, price: t.price, volume: t.volume, timestamp: t.timestamp }));
}

export function floorTo(t: number, step: number): number {
  return Math.floor(t / step) * step;
}

/** Folds ticks into one candle draft per venue and minute, in event-time order. */
export function draftCandles(ticks: TickerEvent[]): CandleDraft[] {
  const drafts = new Map<string, CandleDraft>();
  for (const t of ticks) {
    const minute = floorTo(t.timestamp, MINUTE_MS);
    const tick: CandleDraft = {
      venue: t.venue,
      minute,
      open: t.price,
      high: t.price,
      low: t.price,
      close: t.price,
      openVolume: t.volume,
      volume: t.volume,
      firstTs: t.timestamp,
      lastTs: t.timestamp,
    };
    const key = `${t.venue}:${minute}`;
    const d = drafts.get(key);
    drafts.set(key, d ? mergeDraft(d, tick) : tick);
  }
  return [...drafts.values()];
}

/** Merges two drafts of the same venue and minute. */
export function mergeDraft(a: CandleDraft, b: CandleDraft): CandleDraft {
  const first = b.firstTs < a.firstTs ? b : a;
  const last = b.lastTs >= a.lastTs ? b : a;
  return {
    venue: a.venue,
    minute: a.minute,
    open: first.open,
    openVolume: first.openVolume ?? first.volume,
    firstTs: first.firstTs,
    high: Math.max(a.high, b.high),
    low: Math.min(a.low, b.low),
    close: last.close,
    volume: last.volume,
    lastTs: last.lastTs,
  };
}

/** The premium of a coin as a per-minute point. */
export function premiumPoint(premium: Premium): PremiumPoint {
  return {
    minute: floorTo(premium.timestamp, MINUTE_MS),
    ts: premium.timestamp,
    premium_percent: premium.premium_percent,
    usdt_premium_percent: premium.usdt_premium_percent,
    krw_price: premium.krw_price,
    global_price: premium.global_price,
    exchange_rate: premium.exchange_rate,
    usdt_krw_rate: premium.usdt_krw_rate,
  };
}

/** Folds a newer update into a pending one (drafts merged per venue and minute, newest premium per minute). */
export function mergeUpdates(pending: SymbolUpdate | undefined, next: SymbolUpdate): SymbolUpdate {
  if (!pending) return next;
  const candles = new Map(pending.candles.map((d) => [`${d.venue}:${d.minute}`, d]));
  for (const d of next.candles) {
    const key = `${d.venue}:${d.minute}`;
    const current = candles.get(key);
    candles.set(key, current ? mergeDraft(current, d) : d);
  }
  const premiums = new Map(pending.premiums.map((p) => [p.minute, p]));
  for (const p of next.premiums) {
    const current = premiums.get(p.minute);
    if (!current || p.ts >= current.ts) premiums.set(p.minute, p);
  }
  const ticks = [...(pending.ticks ?? []), ...(next.ticks ?? [])].slice(-MAX_TICKS);
  return { coin: next.coin, candles: [...candles.values()], premiums: [...premiums.values()], ticks };
}
