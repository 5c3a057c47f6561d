import type { IncomingHttpHeaders } from "node:http";
import type { Logger } from "../core/log";
import type { MarketModel } from "./market-model";

/** An HTTP request to a simulated venue: `/<venue>/<endpoint key><path>?<query>`. */
export interface SimHttpRequest {
  method: string;
  /** The feed's endpoint key (`rest`, `dunamu`). */
  endpoint: string;
  /** The path after the endpoint prefix, as the real venue would see it (`/v1/market/all`). */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
}

/** The simulated venue's answer; `body` objects are sent as JSON. */
export interface SimHttpResponse {
  status?: number;
  headers?: Record<string, string>;
  body: string | object;
}

/** Options of {@link SimSocket.send}. */
export interface SimSendOptions {
  /** Send as a binary frame (Upbit sends JSON in binary frames). */
  binary?: boolean;
  /** A control answer (pong, status): still sent while the venue is "silent" in tests. */
  control?: boolean;
}

/** A client connected to a simulated venue's WebSocket endpoint. */
export interface SimSocket {
  readonly endpoint: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** Sends a frame (suppressed, unless `control`, while the venue is silenced). */
  send(text: string, options?: SimSendOptions): void;
  /** Sends a WebSocket ping frame (Binance pings its clients). */
  ping(): void;
  /** Whether the socket is still open. */
  readonly open: boolean;
  close(code?: number, reason?: string): void;
  onMessage(handler: (text: string) => void): void;
  onPong(handler: () => void): void;
  onClose(handler: () => void): void;
}

/** What a simulated venue gets from the server. */
export interface SimContext {
  /** The shared random-walk market: coins, prices per venue, USD/KRW. */
  readonly market: MarketModel;
  readonly random: () => number;
  readonly log: Logger;
  /** Runs `fn` every `ms` until the simulator stops; returns a cancel function. */
  every(ms: number, fn: () => void): () => void;
}

/**
 * One venue's simulated wire protocol. `http` answers REST requests (undefined -> 404); `connect`
 * takes a new WebSocket client. Register modules in `collectors/simulator/venues/index.ts`.
 */
export interface SimVenue {
  /** The feed id this module simulates (`upbit`, `binance-futures`). */
  readonly venue: string;
  /** Called once when the simulator starts (e.g. to schedule a liquidation generator with `ctx.every`). */
  start?(ctx: SimContext): void;
  http?(req: SimHttpRequest, ctx: SimContext): SimHttpResponse | undefined;
  connect?(socket: SimSocket, ctx: SimContext): void;
}
