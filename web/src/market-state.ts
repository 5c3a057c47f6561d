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
    this.source = isSource(data.source) ? data.source : null;
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
    // The board's source follows its coins: a coin priced from a simulated feed marks the board simulated.
    const sources = new Set<string>();
    for (const coin of data.coins) for (const p of Object.values(coin.prices)) if (p) sources.add(p.source);
    if (sources.size === 1) {
      const [only] = sources;
      if (isSource(only) && only !== this.source) {
        this.source = only;
        globals = true;
      }
    }
    this.emit({ coins: changed, removed: new Set(), globals, snapshot: false });
  }

  private emit(change: MarketChange): void {
    for (const l of this.listeners) l(change);
  }
}

function isSource(value: unknown): value is Source {
  return value === "live" || value === "replay" || value === "simulated";
}
