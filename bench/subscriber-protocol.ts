/** Messages between the benchmark's main thread and its subscriber threads. */
import type { ScanMode } from "./update-scanner";

/** One subscriber socket a thread opens. */
export interface SocketSpec {
  /** Global index (0..999), in connection order. */
  id: number;
  /** Request path with query, e.g. `/ws/market` or `/ws/market?symbols=C001,C002`. */
  path: string;
  /** Whether this socket's messages are read in full (latency); the rest are only counted. */
  sampled: boolean;
}

/** What a subscriber thread is started with. */
export interface SubscriberThreadConfig {
  port: number;
  mode: ScanMode;
  /** Coin symbols; records carry the index into this list. */
  coins: string[];
  sockets: SocketSpec[];
  /** Sampled sockets JSON.parse each message, and it counts as read once parsed (BENCH_PARSE=1). */
  parse: boolean;
}

/** The measurement window, as epoch ms: counted by receive time in [start, end); latencies recorded until `recordUntil`. */
export interface MeasureWindow {
  measureStart: number;
  measureEnd: number;
  recordUntil: number;
}

/**
 * A connect storm: each of the thread's sockets is opened at `startAt + spreadMs * id / total`
 * (ids are global, so the threads' sockets interleave), and the thread answers once every socket
 * has its first message (the snapshot) or `timeoutMs` after the last opening.
 */
export interface StormCommand {
  type: "storm";
  startAt: number;
  spreadMs: number;
  total: number;
  timeoutMs: number;
}

/** Per socket of the thread (in its order): when it was opened and when its first message was complete (NaN: never). */
export interface StormReply {
  type: "storm";
  openedAt: number[];
  upgradedAt: number[];
  firstMessageAt: number[];
  failed: number;
  firstError: string | null;
}

export type ThreadCommand =
  | { type: "connect" }
  | StormCommand
  | ({ type: "window" } & MeasureWindow)
  | { type: "progress" }
  | { type: "collect" }
  | { type: "close" };

export interface ConnectReply {
  type: "connect";
  connected: number;
  failed: number;
  firstError: string | null;
}

export interface ProgressReply {
  type: "progress";
  totalMessages: number;
  lastReceive: number;
  open: number;
}

/** What a thread measured in one window. */
export interface CollectReply {
  type: "collect";
  /** Data messages received by all of this thread's sockets in [measureStart, measureEnd). */
  windowMessages: number;
  windowBytes: number;
  /** Per socket (this thread's, in order): messages in the window. */
  perSocketMessages: number[];
  /** On sampled sockets, messages (update or tick) and coin entries in them, received in the window. */
  sampledMessages: number;
  sampledEntries: number;
  /** Sampled sockets' entries: [socketId, coinIndex, newestTimestamp, receivedAt] repeated. */
  records: Float64Array;
  /** This thread's event-loop utilisation during the window (0..1). */
  eventLoopUtilization: number;
  /** Sockets closed by the server since connect. */
  closed: number;
}

export type ThreadReply =
  | ConnectReply
  | ProgressReply
  | CollectReply
  | StormReply
  | { type: "window" }
  | { type: "close" };
