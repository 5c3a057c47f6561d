import type { IngestEvent } from "../../protocol/ingest";

/**
 * One raw message from a venue, as received. This is also the record/replay line format
 * (`{venue, stream, received_at, frame}`), so recorded sessions replay through the same code.
 */
export interface RawFrame {
  /** The feed's id: upbit, bithumb, binance, bybit, fx, fear-greed, binance-futures, bybit-linear, okx, bitmex. */
  venue: string;
  /** `"ws"` for a WebSocket frame, or `"rest <path>"` (path without query) for a REST response body. */
  stream: string;
  /** When we received it (ms since epoch). */
  received_at: number;
  /** The frame as text (binary frames decoded as UTF-8). */
  frame: string;
}

/** What a normaliser made of one frame. */
export type NormalizeResult =
  /**
   * Market data: zero or more ingest events (zero when, e.g., an update carried nothing new), and
   * why items of the frame that could not be read were left out (`dropped`: each is counted as an
   * invalid event, like an event that fails the ingest schema).
   */
  | { kind: "data"; events: IngestEvent[]; dropped?: string[] }
  /** A control frame (pong, subscription ack, welcome): nothing to ingest, not an error. */
  | { kind: "control" }
  /** Garbage or a message we do not understand: counted and logged, never thrown. */
  | { kind: "error"; error: string };

/**
 * Turns one venue's raw frames into ingest events. Stateful where the venue needs it (BitMEX order
 * life-cycles, OKX contract values from the instruments endpoint), so create one per feed run.
 */
export interface Normalizer {
  normalize(frame: RawFrame): NormalizeResult;
}
