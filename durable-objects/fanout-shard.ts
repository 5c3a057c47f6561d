import { ClientMessage } from "../protocol/websocket";
import { marketBoard, marketSymbol } from "./addresses";
import { HibernatingObject } from "./sockets/hibernating-object";
import {
  coinOfStream,
  parseSymbolsParam,
  patchesOf,
  type ShardPublish,
  type StreamPublisher,
  type StreamSnapshot,
  streamOfPath,
  updateData,
} from "./sockets/shard-protocol";
import { frame, type SocketBase } from "./sockets/socket-roster";

/** Flushes kept to bring a new socket from its snapshot up to date (two seconds at 50 ms). */
const RECENT_FLUSHES = 40;
/**
 * How many flushes behind the stream the held all-coins snapshot may be and still be handed to a new
 * socket (followed by those flushes); one further behind is fetched again. So a crowd connecting
 * costs the publisher about one snapshot per flush interval, and a new socket a few messages at most.
 */
const SNAPSHOT_REUSE_FLUSHES = 2;
/** Close code when a socket's snapshot could not be had from the publisher: reconnect. */
export const SNAPSHOT_UNAVAILABLE_CLOSE_CODE = 1011;

/** A flush this shard received, with its one all-coins message once built. */
interface RecentFlush {
  flush: ShardPublish;
  message?: string;
}

/** What each socket of a shard remembers across hibernation. */
export interface ShardSocketState extends SocketBase {
  /** The stream: `market`, `prices` or `coin:{symbol}`. */
  stream: string;
  /** Subscribed coins; null means every coin (the socket then follows the stream's `seq`). */
  symbols: string[] | null;
  /** The flush its last snapshot (or subscription) was as of: it gets only the flushes after it. */
  from: number;
}

/**
 * FanoutShard: one shard of a stream's subscribers (`/ws/market`, `/ws/prices`, `/ws/prices/{symbol}`).
 * The gateway asks the stream's publisher where a new socket goes (`placeSubscriber`, by load) and
 * forwards the upgrade here; the publisher sends each flush once per shard (`publish`), and the shard
 * sends it to its sockets: one message string shared by every all-coins socket, numbered with the
 * stream's flush number, and its own numbered message to a socket with its own coins.
 *
 * Snapshots come from the publisher, which renders the all-coins one once per flush; the shard keeps
 * the last one it got and the flushes since, so a crowd connecting within a second costs the
 * publisher one call, and each socket gets the snapshot and then the flushes after it, with no gap.
 * Everything else is as on any stream (`HibernatingObject`): heartbeats, client limits, the
 * one-snapshot-a-second rule, stalled sockets closed. A shard evicted loses only its own sockets;
 * they reconnect, are placed again and resnapshot.
 */
export class FanoutShard extends HibernatingObject<ShardSocketState, ClientMessage> {
  protected readonly clientMessages = ClientMessage;
  /** The last flushes received, oldest first (every stream of this shard), each with its all-coins message once built. */
  private recent: RecentFlush[] = [];
  /** The `snapshot` frame of a held all-coins snapshot, built once for every socket that gets it. */
  private readonly snapshotFrames = new WeakMap<StreamSnapshot, string>();
  /** Per stream, the all-coins snapshot last had from the publisher (replayed from `recent`). */
  private readonly snapshots = new Map<string, StreamSnapshot>();
  /** Per stream, the all-coins snapshot being fetched, shared by the sockets that wait for it. */
  private readonly fetching = new Map<string, Promise<StreamSnapshot>>();
  /** Sockets waiting for their snapshot: flushes are not sent to them until it is in. */
  private readonly waiting = new Set<WebSocket>();

  /** Accepts a WebSocket upgrade forwarded by the gateway, for the stream its path names. */
  override async fetch(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const stream = streamOfPath(url.pathname);
    if (!stream) return new Response("Not a stream", { status: 404 });
    const symbols = coinOfStream(stream) ? null : parseSymbolsParam(url.searchParams.get("symbols"));
    const state: ShardSocketState = { stream, symbols, seq: 0, heard_at: Date.now(), from: 0 };
    return this.acceptUpgrade(request, [stream], state);
  }

  /**
   * One flush of a stream, from its publisher: sent to every socket of the stream that is not waiting
   * for its snapshot and has not seen it (after a `resync`, every socket of the stream is re-snapshot
   * instead). Answers the stream's open sockets (the shard's load).
   */
  publish(flush: ShardPublish): number {
    this.sockets.closeStalled();
    if (flush.resync) return this.resync(flush);
    const entry = this.remember(flush);
    let open = 0;
    for (const [ws, state] of this.sockets.entries()) {
      if (state.stream !== flush.stream) continue;
      open += 1;
      if (this.waiting.has(ws) || flush.seq <= state.from) continue;
      if (state.symbols === null) {
        this.sockets.sendText(ws, allCoinsMessage(entry));
      } else {
        this.sendOwn(ws, state, flush);
      }
    }
    return open;
  }

  /**
   * This shard missed flushes of the stream before `flush`: the flushes it holds no longer chain, nor
   * does its held snapshot, so it forgets them and sends every socket of the stream a fresh snapshot
   * of its coins (those with the same coins share one), then the flushes after it.
   */
  private resync(flush: ShardPublish): number {
    this.recent = this.recent.filter((e) => e.flush.stream !== flush.stream);
    this.snapshots.delete(flush.stream);
    this.fetching.delete(flush.stream);
    this.remember(flush);
    const shared = new Map<string, Promise<StreamSnapshot>>();
    const snapshotOf = (state: ShardSocketState): Promise<StreamSnapshot> => {
      const key = state.symbols?.join(",") ?? "*";
      let pending = shared.get(key);
      if (!pending) {
        pending = this.snapshotFor(state);
        shared.set(key, pending);
      }
      return pending;
    };
    let open = 0;
    for (const [ws, state] of this.sockets.entries()) {
      if (state.stream !== flush.stream) continue;
      open += 1;
      // One already waiting for its snapshot checks, once it has it, that it chains to what follows.
      if (!this.waiting.has(ws)) void this.bringUpToDate(ws, "snapshot", snapshotOf);
    }
    return open;
  }

  /** How many sockets this shard holds, per stream (for tests and metrics). */
  socketCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [, state] of this.sockets.entries()) counts[state.stream] = (counts[state.stream] ?? 0) + 1;
    return counts;
  }

  protected override sendFrame(ws: WebSocket, type: string, body: string): void {
    const state = this.sockets.stateOf(ws);
    if (!state) return;
    // An all-coins socket's frames carry the stream's seq: the last flush it has seen.
    if (state.symbols === null)
      this.sockets.sendText(ws, frame(type, Math.max(state.from, this.lastSeq(state.stream)), body));
    else this.sockets.sendNumbered(ws, type, body);
  }

  protected override sendSnapshot(ws: WebSocket): void {
    void this.bringUpToDate(ws, "snapshot");
  }

  /**
   * `snapshot` is answered by a (rate-limited) snapshot. On `/ws/market` and `/ws/prices`,
   * `subscribe` and `unsubscribe` change the socket's coins and are answered by a `subscription`
   * message with every coin it now has, whole (`["*"]`: a snapshot, as the socket then follows the
   * stream's `seq`). A one-coin stream takes only `snapshot`.
   */
  protected override async onClientMessage(ws: WebSocket, message: ClientMessage, state: ShardSocketState) {
    if (message.op === "snapshot") {
      this.requestSnapshot(ws);
      return;
    }
    if (coinOfStream(state.stream)) {
      this.sendFrame(ws, "error", `"error":"a one-coin stream takes only {\\"op\\":\\"snapshot\\"}"`);
      return;
    }
    const before = state.symbols;
    if (message.op === "subscribe") {
      if (message.symbols.includes("*")) state.symbols = null;
      else state.symbols = [...new Set([...(before ?? []), ...message.symbols])];
    } else {
      const drop = new Set(message.symbols);
      // From every coin, the coins of the snapshot it had are the ones to start from.
      const all = before ?? coinsOf(await this.snapshotFor({ ...state, symbols: null }));
      state.symbols = all.filter((s) => !drop.has(s));
    }
    // Leaving every coin: carry on from the stream's seq, the last the client saw.
    if (before === null && state.symbols !== null)
      state.seq = Math.max(state.seq, this.lastSeq(state.stream), state.from);
    this.sockets.save(ws, state);
    if (state.symbols === null) this.requestSnapshot(ws);
    else await this.bringUpToDate(ws, "subscription");
  }

  /**
   * Sends a socket its coins as published at some flush S (a `snapshot`, or a `subscription` answer),
   * then the flushes after S this shard has had, and from then on every new one.
   */
  private async bringUpToDate(
    ws: WebSocket,
    type: "snapshot" | "subscription",
    snapshotOf: (state: ShardSocketState) => Promise<StreamSnapshot> = (state) => this.snapshotFor(state),
  ): Promise<void> {
    const state = this.sockets.stateOf(ws);
    if (!state) return;
    this.waiting.add(ws);
    try {
      let snapshot = await snapshotOf(state);
      // A snapshot older than a resync that came meanwhile: the flushes after it are gone; take a new one.
      if (!this.replayable(state.stream, snapshot.seq)) snapshot = await this.snapshotFor(state);
      const now = this.sockets.stateOf(ws);
      if (!now) return;
      if (type === "subscription") {
        const data = snapshot.data.replace(/^\{/, `{"symbols":${JSON.stringify(now.symbols)},`);
        this.sockets.sendNumbered(ws, type, `"data":${data}`);
      } else if (now.symbols === null) {
        let message = this.snapshotFrames.get(snapshot);
        if (message === undefined) {
          message = frame(type, snapshot.seq, `"data":${snapshot.data}`);
          this.snapshotFrames.set(snapshot, message);
        }
        this.sockets.sendText(ws, message);
      } else {
        this.sockets.sendNumbered(ws, type, `"data":${snapshot.data}`);
      }
      now.from = snapshot.seq;
      for (const entry of this.recent) {
        const { flush } = entry;
        if (flush.stream !== now.stream || flush.seq <= now.from) continue;
        if (now.symbols === null) this.sockets.sendText(ws, allCoinsMessage(entry));
        else this.sendOwn(ws, now, flush);
        now.from = flush.seq;
      }
      this.sockets.save(ws, now);
    } catch (error) {
      console.warn(
        JSON.stringify({ msg: "no snapshot from the stream's publisher", stream: state.stream, error: String(error) }),
      );
      this.sockets.close(ws, SNAPSHOT_UNAVAILABLE_CLOSE_CODE, "snapshot unavailable; reconnect");
    } finally {
      this.waiting.delete(ws);
    }
  }

  /**
   * The snapshot a socket starts from: for every coin, the one this shard holds while the flushes
   * since it are all in `recent`, else a new one from the publisher (one call for every socket that
   * waits meanwhile); for some coins, the publisher's for those coins.
   */
  private snapshotFor(state: ShardSocketState): Promise<StreamSnapshot> {
    const publisher = this.publisherOf(state.stream);
    if (state.symbols !== null) return Promise.resolve(publisher.streamSnapshot(state.stream, state.symbols));
    const held = this.snapshots.get(state.stream);
    if (
      held &&
      this.lastSeq(state.stream) - held.seq <= SNAPSHOT_REUSE_FLUSHES &&
      this.replayable(state.stream, held.seq)
    ) {
      return Promise.resolve(held);
    }
    let pending = this.fetching.get(state.stream);
    if (!pending) {
      pending = Promise.resolve(publisher.streamSnapshot(state.stream, null))
        .then((snapshot) => {
          this.snapshots.set(state.stream, snapshot);
          return snapshot;
        })
        .finally(() => this.fetching.delete(state.stream));
      this.fetching.set(state.stream, pending);
    }
    return pending;
  }

  /**
   * Whether every flush of `stream` after `seq` that this shard has had is still in `recent`. After a
   * resync the chain starts at the resync flush (the ones it stands for never came), so only a snapshot
   * as of it or later chains.
   */
  private replayable(stream: string, seq: number): boolean {
    const oldest = this.recent.find((e) => e.flush.stream === stream)?.flush;
    if (!oldest) return true;
    return oldest.resync ? oldest.seq <= seq : oldest.seq <= seq + 1;
  }

  /** The stream's last flush this shard has had (0 before any). */
  private lastSeq(stream: string): number {
    for (let i = this.recent.length - 1; i >= 0; i--) {
      const { flush } = this.recent[i];
      if (flush.stream === stream) return flush.seq;
    }
    return 0;
  }

  private remember(flush: ShardPublish): RecentFlush {
    const entry = { flush };
    this.recent.push(entry);
    if (this.recent.length > RECENT_FLUSHES) this.recent = this.recent.slice(-RECENT_FLUSHES);
    return entry;
  }

  /** A socket with its own coins: the flush's patches for them, numbered with the socket's own seq. */
  private sendOwn(ws: WebSocket, state: ShardSocketState, flush: ShardPublish): void {
    const patches = patchesOf(flush, new Set(state.symbols));
    if (!patches && !flush.globals && !flush.extras) return;
    this.sockets.sendNumbered(ws, "update", updateData(patches, flush.globals, flush.extras));
  }

  /** Who publishes a stream: the board for every coin, a coin's MarketSymbol for one coin. */
  private publisherOf(stream: string): StreamPublisher {
    const coin = coinOfStream(stream);
    return coin ? marketSymbol(this.env, coin) : marketBoard(this.env);
  }
}

/** A flush's one message to every all-coins socket, built the first time one needs it. */
function allCoinsMessage(entry: RecentFlush): string {
  const { flush } = entry;
  entry.message ??= frame("update", flush.seq, updateData(flush.patches, flush.globals, flush.extras));
  return entry.message;
}

/** The coin symbols in a snapshot's `data`. */
function coinsOf(snapshot: StreamSnapshot): string[] {
  return (JSON.parse(snapshot.data) as { coins: { symbol: string }[] }).coins.map((c) => c.symbol);
}
