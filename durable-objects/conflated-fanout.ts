/**
 * Conflated WebSocket fan-out for a Durable Object that uses the Hibernation API.
 *
 * Producers call `markDirty(key)` as often as they like (once per tick); at most once per
 * `intervalMs` every socket receives one `update` carrying the latest state of the keys it
 * subscribes to that changed since its last message. So a burst of 1,000 ticks for one coin
 * reaches a subscriber as a handful of updates ending with the latest price, and the work per
 * socket is bounded by the flush rate, not by the tick rate.
 *
 * Per-socket state (stream, subscription, seq) lives in the socket's attachment so it survives
 * hibernation and eviction: https://developers.cloudflare.com/durable-objects/best-practices/websockets/
 *
 * Slow clients: workerd does not expose `bufferedAmount` on server-side sockets
 * (https://github.com/cloudflare/workerd/issues/988), so we cannot see a client that stopped
 * reading. What we can bound: each socket gets at most one message per interval, and a socket
 * that has not sent anything (a `ping`, answered by the runtime, counts) for `idleTimeoutMs` is
 * closed as stalled, so a dead or stuck client cannot collect updates for long.
 */

/** What each socket remembers across hibernation. */
export interface SocketState {
  /** Which stream the socket was opened on (`market`, `prices`, `coin`, ...). */
  stream: string;
  /** Subscribed keys; `null` means every key. */
  symbols: string[] | null;
  /** The `seq` of the last message sent to this socket. */
  seq: number;
  /** When the client last sent us a message (ms); heartbeats answered by the runtime are read separately. */
  heard_at: number;
}

/** Close code for a socket closed because its client went silent. */
export const STALLED_CLOSE_CODE = 4008;
/** How often, at most, sockets are checked for silence. */
const IDLE_CHECK_EVERY_MS = 10_000;

/** Renders payloads for a flush; called once per flush and shared by every socket. */
export interface FanoutSource {
  /** The JSON of one key's latest state, or `undefined` when it has none. */
  renderKey(key: string): string | undefined;
  /** JSON members (without braces) for market-wide fields that changed, e.g. `"exchange_rate":{...}`; "" when none. */
  renderGlobals(): string;
  /** Extra JSON members for a given stream (e.g. liquidations on `prices`); "" when none. */
  renderStreamExtras?(stream: string): string;
}

export class ConflatedFanout {
  private readonly sockets = new Map<WebSocket, SocketState>();
  private readonly dirtyKeys = new Set<string>();
  private globalsDirty = false;
  private extrasDirty = false;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private restored = false;
  private lastIdleCheck = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly source: FanoutSource,
    private readonly intervalMs: number,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Accepts a new socket with the Hibernation API and remembers its subscription. */
  accept(ws: WebSocket, state: SocketState): void {
    this.restore();
    this.ctx.acceptWebSocket(ws, [state.stream]);
    ws.serializeAttachment(state);
    this.sockets.set(ws, state);
  }

  /** The state of a socket, restored from its attachment after hibernation. */
  stateOf(ws: WebSocket): SocketState | undefined {
    this.restore();
    return this.sockets.get(ws);
  }

  /** Notes that the client spoke (any message), so it is not closed as stalled. */
  heard(ws: WebSocket): void {
    const state = this.stateOf(ws);
    if (!state) return;
    state.heard_at = Date.now();
    ws.serializeAttachment(state);
  }

  /** Replaces a socket's subscription (after `subscribe`/`unsubscribe`). */
  update(ws: WebSocket, state: SocketState): void {
    this.sockets.set(ws, state);
    ws.serializeAttachment(state);
  }

  /** Forgets a closed socket. */
  remove(ws: WebSocket): void {
    this.sockets.delete(ws);
  }

  /** Number of open sockets, optionally on one stream. */
  count(stream?: string): number {
    this.restore();
    if (!stream) return this.sockets.size;
    let n = 0;
    for (const s of this.sockets.values()) if (s.stream === stream) n++;
    return n;
  }

  /** Sends one message to a socket with the next `seq`; `body` is the JSON members after `seq`. */
  send(ws: WebSocket, type: string, body: string): void {
    const state = this.stateOf(ws);
    if (!state) return;
    state.seq += 1;
    try {
      ws.send(`{"type":"${type}","seq":${state.seq}${body ? `,${body}` : ""}}`);
      ws.serializeAttachment(state);
    } catch {
      // The socket closed under us; webSocketClose will forget it.
      this.sockets.delete(ws);
    }
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

  private schedule(): void {
    if (this.timer !== undefined) return;
    this.restore();
    if (this.sockets.size === 0) {
      this.clearDirty();
      return;
    }
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.flush();
    }, this.intervalMs);
  }

  private clearDirty(): void {
    this.dirtyKeys.clear();
    this.globalsDirty = false;
    this.extrasDirty = false;
  }

  /** Sends every socket one update with what changed for it; sockets with nothing new get nothing. */
  flush(): void {
    this.closeStalled();
    if (this.dirtyKeys.size === 0 && !this.globalsDirty && !this.extrasDirty) return;
    const rendered = new Map<string, string>();
    for (const key of this.dirtyKeys) {
      const json = this.source.renderKey(key);
      if (json !== undefined) rendered.set(key, json);
    }
    const globals = this.globalsDirty ? this.source.renderGlobals() : "";
    const extrasByStream = new Map<string, string>();
    // Sockets subscribed to everything share one payload.
    const allCoins = `[${[...rendered.values()].join(",")}]`;
    this.clearDirty();

    for (const [ws, state] of this.sockets) {
      let coins: string;
      let hasCoins: boolean;
      if (state.symbols === null) {
        coins = allCoins;
        hasCoins = rendered.size > 0;
      } else {
        const parts: string[] = [];
        for (const symbol of state.symbols) {
          const json = rendered.get(symbol);
          if (json !== undefined) parts.push(json);
        }
        coins = `[${parts.join(",")}]`;
        hasCoins = parts.length > 0;
      }
      let extras = extrasByStream.get(state.stream);
      if (extras === undefined) {
        extras = this.source.renderStreamExtras?.(state.stream) ?? "";
        extrasByStream.set(state.stream, extras);
      }
      if (!hasCoins && !globals && !extras) continue;
      const members = [`"coins":${coins}`];
      if (globals) members.push(globals);
      if (extras) members.push(extras);
      this.send(ws, "update", `"data":{${members.join(",")}}`);
    }
  }

  /** Closes sockets whose client has been silent (no message, no heartbeat) for `idleTimeoutMs`. */
  private closeStalled(): void {
    const now = Date.now();
    if (now - this.lastIdleCheck < IDLE_CHECK_EVERY_MS) return;
    this.lastIdleCheck = now;
    for (const [ws, state] of this.sockets) {
      const heartbeat = this.ctx.getWebSocketAutoResponseTimestamp(ws)?.getTime() ?? 0;
      if (now - Math.max(state.heard_at, heartbeat) <= this.idleTimeoutMs) continue;
      this.sockets.delete(ws);
      try {
        ws.close(STALLED_CLOSE_CODE, "no message or ping from the client; reconnect and send ping every 30 s");
      } catch {
        // already closed
      }
    }
  }

  /** After hibernation the in-memory map is empty: rebuild it from the sockets' attachments. */
  private restore(): void {
    if (this.restored) return;
    this.restored = true;
    for (const ws of this.ctx.getWebSockets()) {
      const state = ws.deserializeAttachment() as SocketState | null;
      if (state) this.sockets.set(ws, state);
    }
  }
}
