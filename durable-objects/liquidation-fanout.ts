/**
 * WebSocket fan-out of liquidations for the LiquidationFeed (the sibling of `conflated-fanout.ts`).
 *
 * Liquidations are events, not states, so they can't be conflated to "the latest wins"; instead
 * they are batched: producers `push` as often as they like, and at most once per `intervalMs` each
 * socket receives one `update` with the new liquidations that pass its filters (at most
 * `MAX_PER_MESSAGE`, the rest counted in `dropped`) and the current summary. The work and the
 * memory per socket are bounded by the flush rate, not by the liquidation rate.
 *
 * Per-socket state (filters, snapshot size, seq) lives in the socket's attachment so it survives
 * hibernation: https://developers.cloudflare.com/durable-objects/best-practices/websockets/
 *
 * As in `conflated-fanout.ts`: workerd can't show a client that stopped reading (no
 * `bufferedAmount`, https://github.com/cloudflare/workerd/issues/988), so a socket whose client sent
 * nothing (a runtime-answered `ping` counts) for `idleTimeoutMs` is closed as stalled.
 */
import { type Liquidation, type LiquidationFilter, matchesFilter } from "../protocol/liquidations";
import { STALLED_CLOSE_CODE } from "./conflated-fanout";

/** What each `/ws/liquidations` socket remembers across hibernation. */
export interface LiquidationSocketState {
  filter: LiquidationFilter;
  /** How many liquidations a snapshot carries. */
  limit: number;
  /** The `seq` of the last message sent to this socket. */
  seq: number;
  /** When the client last sent us a message (ms); heartbeats answered by the runtime are read separately. */
  heard_at: number;
}

/** Renders what a flush sends; called once per flush and shared by every socket. */
export interface LiquidationFanoutSource {
  /** One liquidation as JSON (with its KRW value at the current rate). */
  renderLiquidation(l: Omit<Liquidation, "value_krw">): string;
  /** The current summary as JSON. */
  renderSummary(): string;
}

/** Most liquidations in one update; more within one interval are counted in `dropped`. */
export const MAX_PER_MESSAGE = 500;
/** Most liquidations held between flushes (a flush is at most `intervalMs` away, so this is a burst bound). */
const MAX_PENDING = 5000;
/** How often, at most, sockets are checked for silence. */
const IDLE_CHECK_EVERY_MS = 10_000;

export class LiquidationFanout {
  private readonly sockets = new Map<WebSocket, LiquidationSocketState>();
  private pending: Omit<Liquidation, "value_krw">[] = [];
  private overflow = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private restored = false;
  private lastIdleCheck = 0;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly source: LiquidationFanoutSource,
    private readonly intervalMs: number,
    private readonly idleTimeoutMs: number,
  ) {}

  /** Accepts a new socket with the Hibernation API and remembers its filters. */
  accept(ws: WebSocket, state: LiquidationSocketState): void {
    this.restore();
    this.ctx.acceptWebSocket(ws, ["liquidations"]);
    ws.serializeAttachment(state);
    this.sockets.set(ws, state);
  }

  /** The state of a socket, restored from its attachment after hibernation. */
  stateOf(ws: WebSocket): LiquidationSocketState | undefined {
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

  /** Replaces a socket's filters. */
  update(ws: WebSocket, state: LiquidationSocketState): void {
    this.sockets.set(ws, state);
    ws.serializeAttachment(state);
  }

  /** Forgets a closed socket. */
  remove(ws: WebSocket): void {
    this.sockets.delete(ws);
  }

  /** Open sockets. */
  count(): number {
    this.restore();
    return this.sockets.size;
  }

  /** Sends one message with the next `seq`; `body` is the JSON members after `seq`. */
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

  /** Queues newly counted liquidations for the next flush (nothing is kept when no socket is open). */
  push(liquidations: Omit<Liquidation, "value_krw">[]): void {
    if (liquidations.length === 0) return;
    this.restore();
    if (this.sockets.size === 0) return;
    this.pending.push(...liquidations);
    if (this.pending.length > MAX_PENDING) {
      this.overflow += this.pending.length - MAX_PENDING;
      this.pending = this.pending.slice(-MAX_PENDING);
    }
    if (this.timer === undefined) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.flush();
      }, this.intervalMs);
    }
  }

  /** Sends every socket the new liquidations that pass its filters and the summary. */
  flush(): void {
    this.closeStalled();
    if (this.pending.length === 0) return;
    const batch = this.pending.sort((a, b) => a.timestamp - b.timestamp);
    const overflow = this.overflow;
    this.pending = [];
    this.overflow = 0;
    const summary = this.source.renderSummary();
    const rendered = new Map<Omit<Liquidation, "value_krw">, string>();
    const render = (l: Omit<Liquidation, "value_krw">): string => {
      let json = rendered.get(l);
      if (json === undefined) {
        json = this.source.renderLiquidation(l);
        rendered.set(l, json);
      }
      return json;
    };
    for (const [ws, state] of this.sockets) {
      const matching = batch.filter((l) => matchesFilter(l, state.filter));
      const kept = matching.slice(-MAX_PER_MESSAGE);
      // Overflowed liquidations were never filtered; report them to every socket, as an upper bound.
      const dropped = matching.length - kept.length + overflow;
      const members = [`"liquidations":[${kept.map(render).join(",")}]`, `"summary":${summary}`];
      if (dropped > 0) members.push(`"dropped":${dropped}`);
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
      const state = ws.deserializeAttachment() as LiquidationSocketState | null;
      if (state) this.sockets.set(ws, state);
    }
  }
}
