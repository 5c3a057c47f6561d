import { isCoinSymbol } from "../../protocol/venues";

/**
 * What a stream's publisher (the board for `/ws/market` and `/ws/prices`, a coin's MarketSymbol for
 * `/ws/prices/{symbol}`) and its fan-out shards (`FanoutShard`) say to each other.
 *
 * The publisher renders each flush once (the patches of the keys that changed) and sends it to each
 * of the stream's shards; each shard sends it on to its own sockets. A stream's flushes are numbered:
 * `seq` is the all-keys group's `seq` on every shard, so a client sees the same numbers whichever
 * shard it is on, and a snapshot taken at `seq` S is followed by exactly the flushes after S.
 */

/** One flush of one stream, as the publisher sends it to each of the stream's shards. */
export interface ShardPublish {
  stream: string;
  /** The stream's flush number: one more than the last one published on the stream. */
  seq: number;
  /**
   * The patches of the keys that changed (`protocol/patch.ts`), as the members of one JSON array
   * (`{...},{...}`, no brackets): one string crosses the RPC, and an all-coins message is built from
   * it with one concatenation. `keys[i]`'s patch ends at `ends[i]` (and starts after the comma).
   */
  patches: string;
  keys: string[];
  ends: number[];
  /** JSON members (without braces) for stream-wide fields that changed, e.g. `"exchange_rate":{...}`; "". */
  globals: string;
  /** JSON members for this stream only (the liquidations on `prices`); "". */
  extras: string;
  /**
   * Set when the shard missed flushes before this one (it was busy, or a flush to it failed): what it
   * holds no longer chains to this flush, so it re-snapshots its sockets on the stream.
   */
  resync?: boolean;
}

/** A stream's published state at flush `seq`: the JSON of a snapshot's `data` member. */
export interface StreamSnapshot {
  seq: number;
  data: string;
}

/** What a publisher answers its shards and the gateway (RPC methods of its Durable Object). */
export interface StreamPublisher {
  /** The shard a new socket on `stream` goes to (see `ShardDirectory.place`). */
  placeSubscriber(stream: string): Promise<string> | string;
  /** The published state of every key (`symbols` null) or of some, with the flush it is as of. */
  streamSnapshot(stream: string, symbols: string[] | null): Promise<StreamSnapshot> | StreamSnapshot;
}

/** A shard as its publisher sees it: where each flush goes. Answers its open sockets on the stream. */
export interface ShardEndpoint {
  publish(flush: ShardPublish): Promise<number>;
}

/** A shard's name: the stream and its index, e.g. `market#0`, `coin:BTC#2`. */
export function shardName(stream: string, index: number): string {
  return `${stream}#${index}`;
}

/** The stream a shard's name belongs to, or null when it is not a shard name. */
export function streamOfShard(name: string): string | null {
  const at = name.lastIndexOf("#");
  return at > 0 && /^\d+$/.test(name.slice(at + 1)) ? name.slice(0, at) : null;
}

/** The stream of a public WebSocket path: `/ws/market`, `/ws/prices`, `/ws/prices/BTC` (`coin:BTC`). */
export function streamOfPath(pathname: string): string | null {
  if (pathname === "/ws/market") return "market";
  if (pathname === "/ws/prices") return "prices";
  const coin = /^\/ws\/prices\/([A-Za-z0-9]{1,20})$/.exec(pathname);
  return coin ? `coin:${coin[1].toUpperCase()}` : null;
}

/** The coin of a `coin:{symbol}` stream, or null for the all-coins streams (published by the board). */
export function coinOfStream(stream: string): string | null {
  return stream.startsWith("coin:") ? stream.slice(5) : null;
}

/** `?symbols=BTC,ETH` on a WebSocket URL: the initial subscription (all coins when absent). */
export function parseSymbolsParam(value: string | null): string[] | null {
  if (!value) return null;
  const symbols = value
    .split(",")
    .map((s) => s.trim().toUpperCase())
    .filter(isCoinSymbol);
  return symbols.length > 0 ? [...new Set(symbols)].slice(0, 500) : null;
}

/** The patches of a flush, as `ShardPublish` carries them. */
export function joinPatches(patches: [key: string, json: string][]): Pick<ShardPublish, "patches" | "keys" | "ends"> {
  const ends: number[] = [];
  let at = -1;
  for (const [, json] of patches) {
    at += json.length + 1;
    ends.push(at);
  }
  return { patches: patches.map(([, json]) => json).join(","), keys: patches.map(([key]) => key), ends };
}

/** The patches of some keys of a flush (those in `wanted`), as the members of a JSON array. */
export function patchesOf(flush: ShardPublish, wanted: ReadonlySet<string>): string {
  const parts: string[] = [];
  for (let i = 0; i < flush.keys.length; i++) {
    if (wanted.has(flush.keys[i])) parts.push(flush.patches.slice(i === 0 ? 0 : flush.ends[i - 1] + 1, flush.ends[i]));
  }
  return parts.join(",");
}

/** An `update` frame's `data` member for some patches (the members of a JSON array) and the flush's other members. */
export function updateData(patches: string, globals: string, extras: string): string {
  const members = [`"coins":[${patches}]`];
  if (globals) members.push(globals);
  if (extras) members.push(extras);
  return `"data":{${members.join(",")}}`;
}
