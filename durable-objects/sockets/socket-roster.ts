/**
 * The open WebSockets of one Durable Object that uses the Hibernation API, with each socket's state.
 *
 * Per-socket state lives in the socket's attachment (`serializeAttachment`), so it survives
 * hibernation and eviction; after a wake-up the in-memory map is empty and is rebuilt from the
 * attachments on first use:
 * https://developers.cloudflare.com/durable-objects/best-practices/websockets/
 *
 * Slow and dead clients: workerd does not expose `bufferedAmount` on server-side sockets
 * (https://github.com/cloudflare/workerd/issues/988), so a client that stopped reading cannot be
 * seen. What can be seen is a client that went silent: a socket whose client sent nothing (a `ping`
 * answered by the runtime counts) for the idle timeout is closed as stalled.
 */

/** What every socket remembers, whatever the stream. */
export interface SocketBase {
  /** The `seq` of the last message sent to this socket. */
  seq: number;
  /** When the client last sent us a message (ms); heartbeats answered by the runtime are read separately. */
  heard_at: number;
}

/** Close code for a socket closed because its client went silent. */
export const STALLED_CLOSE_CODE = 4008;
/** How often, at most, sockets are checked for silence. */
const IDLE_CHECK_EVERY_MS = 10_000;

export class SocketRoster<S extends SocketBase> {
  private readonly sockets = new Map<WebSocket, S>();
  private restored = false;
  private lastIdleCheck = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Accepts a new socket with the Hibernation API (`tags` let `getWebSockets(tag)` find it). */
  accept(ws: WebSocket, tags: string[], state: S): void {
    this.restore();
    this.ctx.acceptWebSocket(ws, tags);
    this.save(ws, state);
  }

  /** The state of a socket, restored from its attachment after hibernation. */
  stateOf(ws: WebSocket): S | undefined {
    this.restore();
    return this.sockets.get(ws);
  }

  /** Stores a socket's changed state, in memory and in its attachment. */
  save(ws: WebSocket, state: S): void {
    this.sockets.set(ws, state);
    ws.serializeAttachment(state);
  }

  /** Notes that the client spoke (any message), so it is not closed as stalled. */
  heard(ws: WebSocket, now = Date.now()): void {
    const state = this.stateOf(ws);
    if (!state) return;
    state.heard_at = now;
    ws.serializeAttachment(state);
  }

  /** Forgets a closed socket. */
  remove(ws: WebSocket): void {
    this.sockets.delete(ws);
  }

  /** Number of open sockets, or of those whose state passes `filter`. */
  count(filter?: (state: S) => boolean): number {
    this.restore();
    if (!filter) return this.sockets.size;
    let n = 0;
    for (const state of this.sockets.values()) if (filter(state)) n++;
    return n;
  }

  /** Every open socket with its state. */
  entries(): IterableIterator<[WebSocket, S]> {
    this.restore();
    return this.sockets.entries();
  }

  /** Sends a text frame; a socket that closed under us is forgotten (`webSocketClose` follows). */
  sendText(ws: WebSocket, text: string): boolean {
    try {
      ws.send(text);
      return true;
    } catch {
      this.sockets.delete(ws);
      return false;
    }
  }

  /** Sends a frame with the socket's next `seq`; `body` is the JSON members after `seq` (may be ""). */
  sendNumbered(ws: WebSocket, type: string, body: string): void {
    const state = this.stateOf(ws);
    if (!state) return;
    state.seq += 1;
    ws.serializeAttachment(state);
    this.sendText(ws, frame(type, state.seq, body));
  }

  /** Closes a socket with a code and reason, and forgets it. */
  close(ws: WebSocket, code: number, reason: string): void {
    this.sockets.delete(ws);
    try {
      ws.close(code, reason);
    } catch {
      // already closed
    }
  }

  /** Closes sockets whose client has been silent (no message, no heartbeat) past the idle timeout. */
  closeStalled(now = Date.now()): void {
    if (now - this.lastIdleCheck < IDLE_CHECK_EVERY_MS) return;
    this.lastIdleCheck = now;
    for (const [ws, state] of this.entries()) {
      const heartbeat = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      if (now - Math.max(state.heard_at, heartbeat) <= this.idleTimeoutMs) continue;
      this.close(ws, STALLED_CLOSE_CODE, "no message or ping from the client; reconnect and send ping every 30 s");
    }
  }

  /** After hibernation the in-memory map is empty: rebuild it from the sockets' attachments. */
  private restore(): void {
    if (this.restored) return;
    this.restored = true;
    for (const ws of this.ctx.getWebSockets()) {
      const state = ws.deserializeAttachment() as S | null;
      if (state) this.sockets.set(ws, state);
    }
  }
}

/** A server frame: `{"type":...,"seq":...,<body>}`; `body` is JSON members without braces, or "". */
export function frame(type: string, seq: number, body: string): string {
  return `{"type":"${type}","seq":${seq}${body ? `,${body}` : ""}}`;
}
