const MINUTE_MS = 60_000;
const HOUR_MS = 3_600_000;

/** Fields of one recorded interval, in a Float64Array row. */
const OPEN = 0;
const HIGH = 1;
const LOW = 2;
const CLOSE = 3;
const VOLUME = 4;
const QUOTE = 5;
const LAST = 6;
const FIELDS = 7;

/** An interval's trades: prices and volumes in the venue's market units, and the last trade's time. */
export interface Traded {
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number;
  quoteVolume: number;
  lastTradeAt: number;
}

function rowOf(array: Float64Array, at: number): Traded | undefined {
  const open = array[at + OPEN] as number;
  if (Number.isNaN(open)) return undefined;
  return {
    open,
    high: array[at + HIGH] as number,
    low: array[at + LOW] as number,
    close: array[at + CLOSE] as number,
    volume: array[at + VOLUME] as number,
    quoteVolume: array[at + QUOTE] as number,
    lastTradeAt: array[at + LAST] as number,
  };
}

/** Trades of consecutive intervals merged into one. */
export function mergeTraded(parts: readonly (Traded | undefined)[]): Traded | undefined {
  let out: Traded | undefined;
  for (const p of parts) {
    if (!p) continue;
    if (!out) {
      out = { ...p };
      continue;
    }
    out.high = Math.max(out.high, p.high);
    out.low = Math.min(out.low, p.low);
    out.close = p.close;
    out.volume += p.volume;
    out.quoteVolume += p.quoteVolume;
    out.lastTradeAt = Math.max(out.lastTradeAt, p.lastTradeAt);
  }
  return out;
}

/**
 * The trades the simulator's random walk actually made on one venue market, per minute since the
 * start: the recent `keepHours` hours minute by minute (one array per hour), older hours as one row
 * each (bounded memory however long it runs).
 */
export class LiveMinutes {
  private readonly byHour = new Map<number, Float64Array>();
  private readonly hours = new Map<number, Float64Array>();

  constructor(private readonly keepHours: number) {}

  /** One trade at `at`. */
  record(price: number, quantity: number, at: number): void {
    const minute = Math.floor(at / MINUTE_MS);
    const hour = Math.floor(minute / 60);
    let chunk = this.byHour.get(hour);
    if (!chunk) {
      chunk = new Float64Array(60 * FIELDS).fill(Number.NaN);
      this.byHour.set(hour, chunk);
      this.evict(hour);
    }
    const i = (minute - hour * 60) * FIELDS;
    if (Number.isNaN(chunk[i + OPEN] as number)) {
      chunk[i + OPEN] = price;
      chunk[i + HIGH] = price;
      chunk[i + LOW] = price;
      chunk[i + VOLUME] = 0;
      chunk[i + QUOTE] = 0;
    }
    chunk[i + HIGH] = Math.max(chunk[i + HIGH] as number, price);
    chunk[i + LOW] = Math.min(chunk[i + LOW] as number, price);
    chunk[i + CLOSE] = price;
    chunk[i + VOLUME] = (chunk[i + VOLUME] as number) + quantity;
    chunk[i + QUOTE] = (chunk[i + QUOTE] as number) + quantity * price;
    chunk[i + LAST] = at;
  }

  /** Whether the minutes of the hour starting at `hourStart` are still kept one by one. */
  hasMinutes(hourStart: number): boolean {
    return this.byHour.has(hourStart / HOUR_MS);
  }

  /** The trades of the minute starting at `t`, when kept and traded. */
  minute(t: number): Traded | undefined {
    const minute = t / MINUTE_MS;
    const hour = Math.floor(minute / 60);
    const chunk = this.byHour.get(hour);
    return chunk ? rowOf(chunk, (minute - hour * 60) * FIELDS) : undefined;
  }

  /** The trades of the hour starting at `hourStart`. */
  hour(hourStart: number): Traded | undefined {
    const hour = hourStart / HOUR_MS;
    const chunk = this.byHour.get(hour);
    if (!chunk) {
      const row = this.hours.get(hour);
      return row ? rowOf(row, 0) : undefined;
    }
    return mergeTraded(Array.from({ length: 60 }, (_, m) => rowOf(chunk, m * FIELDS)));
  }

  /** Folds hours older than `keepHours` into one row each. */
  private evict(currentHour: number): void {
    for (const [hour, chunk] of this.byHour) {
      if (hour > currentHour - this.keepHours) continue;
      const merged = mergeTraded(Array.from({ length: 60 }, (_, m) => rowOf(chunk, m * FIELDS)));
      if (merged) {
        this.hours.set(
          hour,
          Float64Array.of(
            merged.open,
            merged.high,
            merged.low,
            merged.close,
            merged.volume,
            merged.quoteVolume,
            merged.lastTradeAt,
          ),
        );
      }
      this.byHour.delete(hour);
    }
  }
}
