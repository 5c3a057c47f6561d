/**
 * The last good result of each read, kept in the isolate's memory so a read can still be answered
 * (marked stale) while the object behind it fails. Least recently used entries go first once the
 * entries' approximate size passes `maxBytes`; an entry older than `maxAgeMs` is not served.
 *
 * Writing is the hot path (every successful read), so a key is rewritten at most once per
 * `refreshMs`: the answer served stale may be that much older than the last success. Values are kept
 * by reference and must not be changed by whoever read them (route handlers only map and filter).
 */

export interface LastGoodOptions {
  /** Approximate bytes all entries may hold together. */
  maxBytes: number;
  /** An entry older than this is too old to serve (ms). */
  maxAgeMs: number;
  /** A key's entry is replaced at most this often (ms). */
  refreshMs: number;
  /** The clock (ms since epoch). */
  now: () => number;
}

export interface LastGood<T> {
  value: T;
  /** When the value was read (ms since epoch). */
  at: number;
}

interface Entry {
  value: unknown;
  at: number;
  bytes: number;
}

export const DEFAULT_LAST_GOOD_OPTIONS: LastGoodOptions = {
  maxBytes: 16 * 1024 * 1024,
  maxAgeMs: 10 * 60_000,
  refreshMs: 1_000,
  now: Date.now,
};

export class LastGoodCache {
  private readonly options: LastGoodOptions;
  /** Insertion order is recency order: a read or write moves its key to the end. */
  private readonly entries = new Map<string, Entry>();
  private bytes = 0;

  constructor(options: Partial<LastGoodOptions> = {}) {
    this.options = { ...DEFAULT_LAST_GOOD_OPTIONS, ...options };
  }

  /** How many entries, and their approximate size in bytes. */
  get size(): { entries: number; bytes: number } {
    return { entries: this.entries.size, bytes: this.bytes };
  }

  /** Keeps `value` as the last good result of `key` (unless the kept one is younger than `refreshMs`). */
  remember(key: string, value: unknown): void {
    const now = this.options.now();
    const old = this.entries.get(key);
    if (old && now - old.at < this.options.refreshMs) return;
    const bytes = approximateBytes(value) + key.length * 2;
    if (bytes > this.options.maxBytes) return;
    if (old) this.drop(key, old);
    this.entries.set(key, { value, at: now, bytes });
    this.bytes += bytes;
    for (const [oldest, entry] of this.entries) {
      if (this.bytes <= this.options.maxBytes) break;
      this.drop(oldest, entry);
    }
  }

  /** The last good result of `key`, if there is one young enough to serve. */
  recall<T>(key: string): LastGood<T> | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (this.options.now() - entry.at > this.options.maxAgeMs) {
      this.drop(key, entry);
      return undefined;
    }
    this.entries.delete(key);
    this.entries.set(key, entry);
    return { value: entry.value as T, at: entry.at };
  }

  /** Forgets everything. */
  clear(): void {
    this.entries.clear();
    this.bytes = 0;
  }

  private drop(key: string, entry: Entry): void {
    this.entries.delete(key);
    this.bytes -= entry.bytes;
  }
}

/**
 * A rough size of a structured-clonable value in memory: strings at two bytes a character, numbers
 * and the like at eight, byte arrays at their length, plus a little per object and property. Good
 * enough to bound a cache; not an exact measure.
 */
export function approximateBytes(value: unknown): number {
  let total = 0;
  const stack: unknown[] = [value];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === "string") total += 16 + v.length * 2;
    else if (v === null || typeof v !== "object") total += 8;
    else if (seen.has(v)) total += 8;
    else {
      seen.add(v);
      if (ArrayBuffer.isView(v)) total += 32 + v.byteLength;
      else if (v instanceof ArrayBuffer) total += 32 + v.byteLength;
      else if (Array.isArray(v)) {
        total += 16 + v.length * 8;
        for (const item of v) stack.push(item);
      } else if (v instanceof Map) {
        total += 32;
        for (const [k, item] of v) stack.push(k, item);
      } else {
        total += 32;
        for (const [k, item] of Object.entries(v)) {
          total += 16 + k.length * 2;
          stack.push(item);
        }
      }
    }
  }
  return total;
}
