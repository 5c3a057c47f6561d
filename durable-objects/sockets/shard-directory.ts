/**
 * A publisher's fan-out shards per stream, and where a new socket goes.
 *
 * Placement is by load, not by hash: a new socket goes to the stream's least-loaded shard that is
 * under the ceiling (`FANOUT_SHARD_CEILING` sockets), and a new shard opens only when every shard
 * is full. The publisher sends every flush once per shard, so its cost grows with the number of
 * shards, not of sockets: filling shards keeps that number at ceil(sockets / ceiling). A hash over a
 * fixed number of shards would publish to all of them for a handful of sockets, and could not grow.
 *
 * A shard's load is what it answered to the last flush (its open sockets on the stream) plus the
 * sockets placed on it since. A shard with no socket and no placement for `IDLE_SHARD_MS` is dropped
 * (a socket placed on it later opens it again). The list of shards is in the publisher's storage, so
 * it survives the publisher's eviction: sockets on a shard keep getting flushes.
 */
import type { ShardEndpoint } from "./shard-protocol";
import { shardName } from "./shard-protocol";

/** How long a shard without sockets stays on the list (covers the gap between placement and connect). */
export const IDLE_SHARD_MS = 30_000;

export interface ShardEntry {
  stream: string;
  index: number;
  name: string;
  endpoint: ShardEndpoint;
  /** Open sockets on the stream, as the shard last answered. */
  sockets: number;
  /** Sockets placed on it since that answer. */
  placed: number;
  /** When a socket was last placed on it, or it last answered with sockets (ms). */
  busyAt: number;
  /** Flushes sent to it and not yet answered. */
  inFlight: number;
  /** It missed a flush (busy, or the flush failed): the next one it gets must resync it. */
  missed: boolean;
}

export class ShardDirectory {
  private readonly byStream = new Map<string, ShardEntry[]>();

  constructor(
    private readonly sql: SqlStorage,
    private readonly ceiling: number,
    private readonly endpointOf: (name: string) => ShardEndpoint,
  ) {
    sql.exec(
      "CREATE TABLE IF NOT EXISTS fanout_shards (stream TEXT NOT NULL, idx INTEGER NOT NULL, PRIMARY KEY (stream, idx))",
    );
    const now = Date.now();
    for (const row of sql.exec<{ stream: string; idx: number }>("SELECT stream, idx FROM fanout_shards ORDER BY idx")) {
      // Its sockets are unknown until it answers a flush: counted as busy until then.
      this.add(row.stream, row.idx, now);
    }
  }

  /** The shard a new socket on `stream` goes to: the least-loaded one under the ceiling, else a new one. */
  place(stream: string, now = Date.now()): string {
    const shards = this.byStream.get(stream) ?? [];
    let best: ShardEntry | undefined;
    for (const s of shards) {
      if (loadOf(s) >= this.ceiling) continue;
      if (!best || loadOf(s) < loadOf(best)) best = s;
    }
    if (!best) {
      const used = new Set(shards.map((s) => s.index));
      let index = 0;
      while (used.has(index)) index++;
      best = this.add(stream, index, now);
      this.sql.exec("INSERT OR IGNORE INTO fanout_shards (stream, idx) VALUES (?, ?)", stream, index);
    }
    best.placed += 1;
    best.busyAt = now;
    return best.name;
  }

  /** The shards of a stream. */
  shardsOf(stream: string): readonly ShardEntry[] {
    return this.byStream.get(stream) ?? [];
  }

  /** The streams that have shards. */
  streams(): string[] {
    return [...this.byStream.keys()];
  }

  /** A shard's answer to a flush: its open sockets on the stream. */
  answered(entry: ShardEntry, sockets: number, now = Date.now()): void {
    entry.sockets = sockets;
    entry.placed = 0;
    if (sockets > 0) entry.busyAt = now;
  }

  /**
   * A flush the shard did not take: it was reset (evicted, redeployed: its sockets were cut) or could
   * not be reached. Its stub is replaced (a stub that saw its object reset stays broken), and it counts
   * as empty until it answers again, so the cut sockets, reconnecting, can be placed back on it.
   */
  failed(entry: ShardEntry): void {
    entry.endpoint = this.endpointOf(entry.name);
    entry.sockets = 0;
  }

  /** Sockets on a stream (or on every stream), as the shards last answered plus those placed since. */
  subscribers(stream?: string): number {
    let n = 0;
    for (const [s, shards] of this.byStream) if (!stream || s === stream) for (const e of shards) n += loadOf(e);
    return n;
  }

  /** Drops the shards that have had no socket for `IDLE_SHARD_MS` (from the list and from storage). */
  prune(now = Date.now()): void {
    for (const [stream, shards] of this.byStream) {
      const kept = shards.filter((s) => loadOf(s) > 0 || now - s.busyAt < IDLE_SHARD_MS);
      if (kept.length === shards.length) continue;
      for (const s of shards) {
        if (!kept.includes(s)) this.sql.exec("DELETE FROM fanout_shards WHERE stream = ? AND idx = ?", stream, s.index);
      }
      if (kept.length > 0) this.byStream.set(stream, kept);
      else this.byStream.delete(stream);
    }
  }

  private add(stream: string, index: number, now: number): ShardEntry {
    const name = shardName(stream, index);
    const entry: ShardEntry = {
      stream,
      index,
      name,
      endpoint: this.endpointOf(name),
      sockets: 0,
      placed: 0,
      busyAt: now,
      inFlight: 0,
      missed: false,
    };
    const list = this.byStream.get(stream);
    if (list) list.push(entry);
    else this.byStream.set(stream, [entry]);
    return entry;
  }
}

function loadOf(entry: ShardEntry): number {
  return entry.sockets + entry.placed;
}
