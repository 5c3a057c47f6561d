/**
 * Conflated fan-out through shards: the publisher's half (the board, a coin's MarketSymbol).
 *
 * Producers call `markDirty(key)` as often as they like (once per tick); at most once per
 * `intervalMs` the publisher renders one flush: for each key that changed, a patch from the state
 * last published to the latest one (protocol/patch.ts: only the members that changed), plus the
 * stream-wide members that changed. That flush goes once to each of the stream's shards
 * (`FanoutShard`), which send it on to their sockets; so the publisher's work per flush grows with
 * its shards, not its sockets, and the sockets' sends run on the shards' threads.
 *
 * Patches are taken against one published state per key, shared by every shard and socket: a client
 * that holds the published state and applies each flush holds the latest. Snapshots therefore show
 * the published state (`snapshotState`), numbered with the flush they are as of, and the all-keys
 * snapshot is rendered once per flush and shared by every socket that connects until the next one.
 *
 * Each stream's flush number (`seq`) is kept in storage, so it carries on across hibernation and
 * eviction; with no shard left, nothing is published and the published states are dropped (after an
 * eviction too: the first flush of each key then carries its whole state).
 *
 * A shard that has `MAX_IN_FLIGHT` flushes unanswered (overloaded, or unreachable) misses the next
 * ones. Its next flush then says so (`resync`), and if none comes by the time it has answered every
 * flush in flight (the market went quiet), an empty one does: the shard re-snapshots its sockets, so
 * none is left behind the published state or holding patches applied to a state it never had.
 */
import { diffPatch } from "../../protocol/patch";
import { toAsciiJson } from "./ascii-json";
import { ShardDirectory, type ShardEntry } from "./shard-directory";
import { joinPatches, type ShardEndpoint, type ShardPublish, type StreamSnapshot } from "./shard-protocol";

/** Flushes a shard may have unanswered before it misses one. */
export const MAX_IN_FLIGHT = 4;

/** What the publisher renders: each key's state, the stream-wide members, and snapshots. */
export interface ShardedFanoutSource {
  /** One key's latest state (a coin, named by its `symbol`), or `undefined` when it has none. */
  currentState(key: string): object | undefined;
  /** JSON members (without braces) for stream-wide fields that changed, e.g. `"exchange_rate":{...}`; "" when none. */
  renderGlobals(): string;
  /** Extra JSON members for a given stream (e.g. liquidations on `prices`); "" when none. */
  renderStreamExtras?(stream: string): string;
  /** A snapshot's `data` JSON for every key (`keys` null) or some, from `snapshotState` per key. */
  renderSnapshot(keys: string[] | null): string;
}

export class ShardedFanout {
  private readonly dirtyKeys = new Set<string>();
  private globalsDirty = false;
  private extrasDirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushAt = 0;
  /** Each stream's last flush number (loaded from storage on first use). */
  private streamSeqs: Map<string, number> | null = null;
  /** Per key, the state as of the last flush that carried it: what the next patch is taken against. */
  private readonly published = new Map<string, object>();
  /** The all-keys snapshot `data`, rendered at most once per flush; null after a flush. */
  private allKeysSnapshot: string | null = null;
  private readonly directory: ShardDirectory;
  /**
   * Counters for `/metrics`: flushes sent to shards, missed by a busy shard, failed, and sent to bring
   * a shard back in step (`resync`); snapshots rendered.
   */
  readonly counts = { published: 0, skipped: 0, failed: 0, resync: 0, snapshot_renders: 0 };

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly source: ShardedFanoutSource,
    private readonly intervalMs: number,
    ceiling: number,
    endpointOf: (shardName: string) => ShardEndpoint,
  ) {
    this.directory = new ShardDirectory(ctx.storage.sql, ceiling, endpointOf);
  }

  /** The shard a new socket on `stream` goes to. */
  place(stream: string): string {
    return this.directory.place(stream);
  }

  /** Sockets on a stream (or every stream), as the shards last told plus those placed since. */
  subscribers(stream?: string): number {
    return this.directory.subscribers(stream);
  }

  /** How many shards a stream has. */
  shardCount(stream?: string): number {
    const streams = stream ? [stream] : this.directory.streams();
    return streams.reduce((n, s) => n + this.directory.shardsOf(s).length, 0);
  }

  /** Whether a stream has shards at all (so its flushes go somewhere). */
  hasShards(stream: string): boolean {
    return this.directory.shardsOf(stream).length > 0;
  }

  /**
   * A snapshot of every key (`keys` null, rendered once per flush) or of some, numbered with the
   * stream's last flush: the shard sends the flushes after it.
   */
  snapshot(stream: string, keys: string[] | null): StreamSnapshot {
    const seq = this.streamSeq(stream);
    if (keys !== null) {
      this.counts.snapshot_renders += 1;
      return { seq, data: this.source.renderSnapshot(keys) };
    }
    if (this.allKeysSnapshot === null) {
      this.counts.snapshot_renders += 1;
      this.allKeysSnapshot = this.source.renderSnapshot(null);
    }
    return { seq, data: this.allKeysSnapshot };
  }

  /**
   * The state a snapshot shows for `key`: the published one where there is one (the next flush's
   * patch applies to it), else the current one, built by `current` only then (a key not yet published
   * gets its whole state in its next flush).
   */
  snapshotState<T extends object>(key: string, current: () => T): T {
    return (this.published.get(key) as T | undefined) ?? current();
  }

  markDirty(key: string): void {
    this.dirtyKeys.add(key);
    this.schedule();
  }

  markGlobalsDirty(): void {
    this.globalsDirty = true;
    this.schedule();
  }

  markExtrasDirty(): void {
    this.extrasDirty = true;
    this.schedule();
  }

  /** Flushes at once if the last flush was at least one interval ago, else when the interval is up. */
  private schedule(): void {
    if (this.timer !== undefined) return;
    if (this.directory.streams().length === 0) {
      // Nobody holds the published states any more; the next subscriber starts from a fresh snapshot.
      this.clearDirty();
      this.published.clear();
      this.allKeysSnapshot = null;
      return;
    }
    const wait = Math.max(0, this.lastFlushAt + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, wait);
  }

  private clearDirty(): void {
    this.dirtyKeys.clear();
    this.globalsDirty = false;
    this.extrasDirty = false;
  }

  /** Renders what changed once and sends it to every shard of every stream it concerns. */
  flush(): void {
    this.lastFlushAt = Date.now();
    this.directory.prune(this.lastFlushAt);
    if (this.dirtyKeys.size === 0 && !this.globalsDirty && !this.extrasDirty) return;
    const patches: [string, string][] = [];
    for (const key of this.dirtyKeys) {
      const json = this.renderPatch(key);
      if (json !== undefined) patches.push([key, json]);
    }
    const globals = this.globalsDirty ? this.source.renderGlobals() : "";
    this.clearDirty();
    if (patches.length > 0 || globals) this.allKeysSnapshot = null;
    const joined = joinPatches(patches);

    for (const stream of this.directory.streams()) {
      const extras = this.source.renderStreamExtras?.(stream) ?? "";
      if (patches.length === 0 && !globals && !extras) continue;
      const seq = this.streamSeq(stream) + 1;
      this.seqMap().set(stream, seq);
      this.ctx.storage.sql.exec(
        "INSERT INTO fanout_group_seq (stream, seq) VALUES (?, ?) ON CONFLICT(stream) DO UPDATE SET seq = excluded.seq",
        stream,
        seq,
      );
      const flush: ShardPublish = { stream, seq, ...joined, globals, extras };
      for (const shard of this.directory.shardsOf(stream)) this.publishTo(shard, flush);
    }
  }

  /**
   * Sends a flush to one shard without waiting; its answer (its open sockets) updates its load. A
   * shard with `MAX_IN_FLIGHT` flushes unanswered misses this one; the next it gets carries `resync`.
   */
  private publishTo(shard: ShardEntry, flush: ShardPublish): void {
    if (shard.inFlight >= MAX_IN_FLIGHT) {
      this.counts.skipped += 1;
      shard.missed = true;
      return;
    }
    const resync = shard.missed;
    shard.missed = false;
    shard.inFlight += 1;
    this.counts.published += 1;
    if (resync) this.counts.resync += 1;
    shard.endpoint.publish(resync ? { ...flush, resync } : flush).then(
      (sockets) => {
        shard.inFlight -= 1;
        this.directory.answered(shard, sockets);
        // It missed flushes and has answered all the others: bring it back in step now, not at the
        // next change (which, on a quiet coin, may be a long way off).
        if (shard.missed && shard.inFlight === 0) this.publishTo(shard, this.emptyFlush(shard.stream));
      },
      (error: unknown) => {
        shard.inFlight -= 1;
        this.counts.failed += 1;
        // It may not have taken the flush: its next one resyncs it (a reset shard has no sockets left).
        shard.missed = true;
        this.directory.failed(shard);
        console.warn(
          JSON.stringify({ msg: "fan-out shard did not take a flush", shard: shard.name, error: String(error) }),
        );
      },
    );
  }

  /** A flush with nothing in it, numbered as the stream's last: carries a `resync` to a shard that needs one. */
  private emptyFlush(stream: string): ShardPublish {
    return { stream, seq: this.streamSeq(stream), patches: "", keys: [], ends: [], globals: "", extras: "" };
  }

  /** The JSON of `key`'s patch from its published state to its current one; `undefined` when nothing changed. */
  private renderPatch(key: string): string | undefined {
    const current = this.source.currentState(key);
    if (current === undefined) return undefined;
    const previous = this.published.get(key);
    this.published.set(key, current);
    if (previous === undefined) return toAsciiJson(current);
    const patch = diffPatch(previous, current);
    return patch === undefined ? undefined : toAsciiJson({ symbol: key, ...patch });
  }

  private streamSeq(stream: string): number {
    return this.seqMap().get(stream) ?? 0;
  }

  /** Each stream's last flush number, kept in storage so it carries on across hibernation and eviction. */
  private seqMap(): Map<string, number> {
    if (this.streamSeqs) return this.streamSeqs;
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS fanout_group_seq (stream TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
    this.streamSeqs = new Map();
    for (const row of sql.exec<{ stream: string; seq: number }>("SELECT stream, seq FROM fanout_group_seq")) {
      this.streamSeqs.set(row.stream, row.seq);
    }
    return this.streamSeqs;
  }
}
