/**
 * The page's copy of the market: every coin by symbol plus the market-wide figures, fed by
 * `/ws/market` snapshots and updates. Views subscribe and are told which coins changed.
 */
import type { Source } from "../../protocol/common";
import type { Coin, ExchangeRate, FearGreed } from "../../protocol/market";
import type { SnapshotMessage, UpdateMessage } from "../../protocol/websocket";

/** What changed in one applied message. */
export interface MarketChange {
  /** Symbols whose coin was added or replaced. */
  coins: Set<string>;
  /** Symbols no longer present (only after a snapshot). */
  removed: Set<string>;
  /** Whether rates, Fear & Greed or the source changed. */
  globals: boolean;
  /** Whether this was a full snapshot. */
  snapshot: boolean;
}

export class MarketState {
  readonly coins = new Map<string, Coin>();
  exchangeRate: ExchangeRate | null = null;
  fearGreed: FearGreed | null = null;
  source: Source | null = null;
  /** Whether a snapshot has arrived at least once. */
  loaded = false;
  private readonly listeners = new Set<(change: MarketChange) => void>();

  onChange(listener: (change: MarketChange) => void): void {
    this.listeners.add(listener);
  }

  /** Replaces everything with a snapshot. */
  applySnapshot(data: SnapshotMessage["data"]): void {
    const removed = new Set(this.coins.keys());
    const changed = new Set<string>();
    this.coins.clear();
    for (const coin of data.coins) {
      this.coins.set(coin.symbol, coin);
      changed.add(coin.symbol);
      removed.delete(coin.symbol);
    }
    this.exchangeRate = data.exchange_rate;
    this.fearGreed = data.fear_greed;
    this.source = this.worstSource(isSource(data.source) ? data.source : "live");
    this.loaded = true;
    this.emit({ coins: changed, removed, globals: true, snapshot: true });
  }

  /** Merges an update: each coin in it arrives in full and replaces the one held. */
  applyUpdate(data: UpdateMessage["data"]): void {
    const changed = new Set<string>();
    for (const coin of data.coins) {
      this.coins.set(coin.symbol, coin);
      changed.add(coin.symbol);
    }
    let globals = false;
    if (data.exchange_rate) {
      this.exchangeRate = data.exchange_rate;
      globals = true;
    }
    if (data.fear_greed !== undefined) {
      this.fearGreed = data.fear_greed;
      globals = true;
    }
    const source = this.worstSource(this.source ?? "live");
    if (source !== this.source) {
      this.source = source;
      globals = true;
    }
    this.emit({ coins: changed, removed: new Set(), globals, snapshot: false });
  }

  /**
   * The board's source as the page should present it: `simulated` if any price on it is simulated,
   * else `replay` if any is replayed, else live. (The Worker's `source` is that of its last batch, and
   * updates carry each price's own source, so this keeps the page honest about what it shows.)
   */
  private worstSource(fallback: Source): Source {
    if (this.coins.size === 0) return fallback;
    let replay = false;
    for (const coin of this.coins.values()) {
      for (const p of Object.values(coin.prices)) {
        if (p?.source === "simulated") return "simulated";
        if (p?.source === "replay") replay = true;
      }
    }
    return replay ? "replay" : "live";
  }

  private emit(change: MarketChange): void {
    for (const l of this.listeners) l(change);
  }
}

function isSource(value: unknown): value is Source {
  return value === "live" || value === "replay" || value === "simulated";
}
