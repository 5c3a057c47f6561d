/**
 * Conflated WebSocket fan-out for a Durable Object that uses the Hibernation API.
 *
 * Producers call `markDirty(key)` as often as they like (once per tick); at most once per
 * `intervalMs` every socket receives one `update` carrying, for each key it subscribes to that
 * changed since its last message, a patch from the state last published to the latest one
 * (protocol/patch.ts): only the members that changed, so a tick on one venue sends that venue's
 * figures and the premium, not the coin's names and its other venues. So a burst of 1,000 ticks for
 * one coin reaches a subscriber as a handful of updates ending with the latest price, and the work
 * per socket is bounded by the flush rate, not by the tick rate.
 *
 * Patches are taken against one published state per key, shared by every socket, which is sound
 * because every socket receives every flush for the keys it subscribes to: a client that holds the
 * published state and applies each update holds the latest. Snapshots therefore show the published
 * state of a key (`snapshotState`), not a newer one, since the next patch is taken against it. With
 * no socket open, nothing is published and the record is dropped; after hibernation or eviction it is
 * empty, and the first update of each key then carries the whole state.
 *
 * Sockets subscribed to every key on a stream (the dashboard case) form one group: they share one
 * `seq` sequence and receive the very same message string, built once per flush, so a flush costs
 * one render plus one `send` per socket. A socket with its own subscription gets its own messages
 * and its own `seq`. Snapshots and errors carry the socket's current `seq` for group members (a
 * snapshot resets what a client expects next); updates always advance it by one.
 *
 * Per-socket state (stream, subscription, own seq) lives in the socket's attachment (`SocketRoster`),
 * and each group's seq in the object's storage, so both survive hibernation and eviction. Each socket
 * gets at most one message per interval, and the roster closes sockets whose client went silent.
 */

import { diffPatch } from "../../protocol/patch";
import { toAsciiJson } from "./ascii-json";
import { frame, type SocketBase, type SocketRoster } from "./socket-roster";

export { STALLED_CLOSE_CODE } from "./socket-roster";

/** What each socket of a conflated stream remembers across hibernation. */
export interface SocketState extends SocketBase {
  /** Which stream the socket was opened on (`market`, `prices`, `coin`, ...). */
  stream: string;
  /** Subscribed keys; `null` means every key. The socket's own `seq` counts only when it is not `null`. */
  symbols: string[] | null;
}

/** Renders payloads for a flush; called once per flush and shared by every socket. */
export interface FanoutSource {
  /** One key's latest state (a coin, named by its `symbol`), or `undefined` when it has none. */
  currentState(key: string): object | undefined;
  /** JSON members (without braces) for market-wide fields that changed, e.g. `"exchange_rate":{...}`; "" when none. */
  renderGlobals(): string;
  /** Extra JSON members for a given stream (e.g. liquidations on `prices`); "" when none. */
  renderStreamExtras?(stream: string): string;
}

export class ConflatedFanout {
  private readonly dirtyKeys = new Set<string>();
  private globalsDirty = false;
  private extrasDirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private lastFlushAt = 0;
  /** The last `seq` of each stream's group of all-keys subscribers (loaded from storage on first use). */
  private groupSeqs: Map<string, number> | null = null;
  /** Per key, the state as of the last update that carried it: what the next patch is taken against. */
  private readonly published = new Map<string, object>();

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly sockets: SocketRoster<SocketState>,
    private readonly source: FanoutSource,
    private readonly intervalMs: number,
  ) {}

  /** Replaces a socket's subscription (after `subscribe`/`unsubscribe`); `wasGroup`: it had every key. */
  update(ws: WebSocket, state: SocketState, wasGroup: boolean): void {
    // Leaving the group: carry on from the group's seq, the last the client saw.
    if (wasGroup && state.symbols !== null) state.seq = this.groupSeq(state.stream);
    this.sockets.save(ws, state);
  }

  /** Number of open sockets, optionally on one stream. */
  count(stream?: string): number {
    return stream ? this.sockets.count((s) => s.stream === stream) : this.sockets.count();
  }

  /**
   * Sends one message (a snapshot, an error) to one socket; `body` is the JSON members after `seq`.
   * A socket with its own subscription gets its next `seq`; a group member gets the group's current one.
   */
  send(ws: WebSocket, type: string, body: string): void {
    const state = this.sockets.stateOf(ws);
    if (!state) return;
    if (state.symbols === null) this.sockets.sendText(ws, frame(type, this.groupSeq(state.stream), body));
    else this.sockets.sendNumbered(ws, type, body);
  }

  /**
   * The state a snapshot shows for `key`: the published one where there is one (the next update's
   * patch applies to it), else the current one, built by `current` only then (a key not yet published
   * gets its whole state in its next update).
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
    if (this.sockets.count() === 0) {
      // Nobody holds the published states any more; the next subscriber starts from a fresh snapshot.
      this.clearDirty();
      this.published.clear();
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

  /** Sends every socket one update with what changed for it; sockets with nothing new get nothing. */
  flush(): void {
    this.lastFlushAt = Date.now();
    this.sockets.closeStalled();
    if (this.dirtyKeys.size === 0 && !this.globalsDirty && !this.extrasDirty) return;
    const rendered = new Map<string, string>();
    for (const key of this.dirtyKeys) {
      const json = this.renderPatch(key);
      if (json !== undefined) rendered.set(key, json);
    }
    const globals = this.globalsDirty ? this.source.renderGlobals() : "";
    const extrasByStream = new Map<string, string>();
    const groupMessages = new Map<string, string | null>();
    const allCoins = `[${[...rendered.values()].join(",")}]`;
    this.clearDirty();

    const dataOf = (coins: string, extras: string) => {
      const members = [`"coins":${coins}`];
      if (globals) members.push(globals);
      if (extras) members.push(extras);
      return `"data":{${members.join(",")}}`;
    };

    for (const [ws, state] of this.sockets.entries()) {
      let extras = extrasByStream.get(state.stream);
      if (extras === undefined) {
        extras = this.source.renderStreamExtras?.(state.stream) ?? "";
        extrasByStream.set(state.stream, extras);
      }
      if (state.symbols === null) {
        // Group members share one message, built on the first member met.
        let message = groupMessages.get(state.stream);
        if (message === undefined) {
          message = null;
          if (rendered.size > 0 || globals || extras) {
            const seq = this.groupSeq(state.stream) + 1;
            this.groupSeqMap().set(state.stream, seq);
            message = frame("update", seq, dataOf(allCoins, extras));
          }
          groupMessages.set(state.stream, message);
        }
        if (message !== null) this.sockets.sendText(ws, message);
        continue;
      }
      const parts: string[] = [];
      for (const symbol of state.symbols) {
        const json = rendered.get(symbol);
        if (json !== undefined) parts.push(json);
      }
      if (parts.length === 0 && !globals && !extras) continue;
      this.sockets.sendNumbered(ws, "update", dataOf(`[${parts.join(",")}]`, extras));
    }
    for (const [stream, message] of groupMessages) {
      if (message === null) continue;
      this.ctx.storage.sql.exec(
        "INSERT INTO fanout_group_seq (stream, seq) VALUES (?, ?) ON CONFLICT(stream) DO UPDATE SET seq = excluded.seq",
        stream,
        this.groupSeq(stream),
      );
    }
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

  private groupSeq(stream: string): number {
    return this.groupSeqMap().get(stream) ?? 0;
  }

  /** Each group's seq, kept in storage so it carries on across hibernation and eviction. */
  private groupSeqMap(): Map<string, number> {
    if (this.groupSeqs) return this.groupSeqs;
    const sql = this.ctx.storage.sql;
    sql.exec("CREATE TABLE IF NOT EXISTS fanout_group_seq (stream TEXT PRIMARY KEY, seq INTEGER NOT NULL)");
    this.groupSeqs = new Map();
    for (const row of sql.exec<{ stream: string; seq: number }>("SELECT stream, seq FROM fanout_group_seq")) {
      this.groupSeqs.set(row.stream, row.seq);
    }
    return this.groupSeqs;
  }
}
