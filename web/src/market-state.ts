/**
 * The page's copy of the market: every coin by symbol plus the market-wide figures, fed by
 * `/ws/market` snapshots and updates. Views subscribe and are told which coins changed.
 */
import type { Source } from "../../protocol/common";
import type { Coin, ExchangeRate, FearGreed } from "../../protocol/market";
import { applyPatch } from "../../protocol/patch";
import type { CoinPatch, SnapshotMessage, UpdateMessage } from "../../protocol/websocket";

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

  /**
   * Merges an update: each entry is a patch to the coin held (only what changed), or a whole coin not
   * seen before. Returns false, applying nothing, when it patches a coin this page never had: what it
   * holds is then not what the server thinks, and the caller should ask for a new snapshot.
   */
  applyUpdate(data: UpdateMessage["data"]): boolean {
    const next: Coin[] = [];
    for (const patch of data.coins) {
      const held = this.coins.get(patch.symbol);
      if (held) next.push(applyPatch(held, patch));
      else if (isWholeCoin(patch)) next.push(patch);
      else return false;
    }
    const changed = new Set<string>();
    for (const coin of next) {
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
    return true;
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

/** Whether an update entry is a whole coin (one the server had not published to this page before). */
function isWholeCoin(patch: CoinPatch): patch is Coin {
  return (
    patch.prices !== undefined &&
    patch.premium !== undefined &&
    patch.korean_name !== undefined &&
    patch.english_name !== undefined &&
    patch.warnings !== undefined
  );
}

function isSource(value: unknown): value is Source {
  return value === "live" || value === "replay" || value === "simulated";
}
