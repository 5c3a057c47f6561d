import type { z } from "zod";
import { EvictableObject } from "../support/evictable-object";
import { readIdleTimeout } from "../support/settings";
import { type SocketBase, SocketRoster } from "./socket-roster";

/**
 * Limits on what a client may send (the text `ping` is answered by the runtime and never counts):
 * messages of at most 16 KiB; a burst of 20 messages, then 2 a second. A client past the rate gets
 * an `error` frame and is closed with 1008 (policy violation). Snapshots are sent at most once a
 * second per socket; asking again sooner gets one snapshot when the second is up.
 */
export const MAX_CLIENT_MESSAGE_BYTES = 16 * 1024;
export const CLIENT_MESSAGE_BURST = 20;
export const CLIENT_MESSAGES_PER_SECOND = 2;
export const SNAPSHOT_INTERVAL_MS = 1000;
export const POLICY_VIOLATION = 1008;

/** A client message that passed its stream's schema, or why it did not. */
export type ParsedClientMessage<M> = { ok: true; message: M } | { ok: false; error: string };

/** Parses a client frame (text or binary UTF-8) as JSON and checks it against the stream's schema. */
export function parseClientMessage<M>(message: string | ArrayBuffer, schema: z.ZodType<M>): ParsedClientMessage<M> {
  const size = typeof message === "string" ? message.length : message.byteLength;
  if (size > MAX_CLIENT_MESSAGE_BYTES)
    return { ok: false, error: `messages are at most ${MAX_CLIENT_MESSAGE_BYTES} bytes` };
  let value: unknown;
  try {
    value = JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message));
  } catch {
    return { ok: false, error: "messages must be JSON" };
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return { ok: true, message: parsed.data };
  return { ok: false, error: parsed.error.issues.map((i) => i.message).join("; ") };
}

/** Per socket, in memory (a hibernated object starts afresh, which only ever lets a client send more). */
interface ClientBudget {
  /** Messages the client may still send now (refilled at `CLIENT_MESSAGES_PER_SECOND`). */
  tokens: number;
  refilledAt: number;
  lastSnapshotAt: number;
  pendingSnapshot: ReturnType<typeof setTimeout> | undefined;
}

/**
 * The base of every Durable Object that holds WebSockets: it accepts upgrades with the Hibernation
 * API, keeps each socket's state in its attachment (`SocketRoster`), answers the text `ping` with
 * `pong` in the runtime (so heartbeats never wake the object), bounds what a client may send (size,
 * rate, snapshots: see above), parses client messages against the stream's schema (a message that
 * fails gets an `error` frame and the socket stays open), and reciprocates a client's close.
 * Subclasses say what a snapshot is (`sendSnapshot`) and what a valid message does (`onClientMessage`).
 *
 * https://developers.cloudflare.com/durable-objects/best-practices/websockets/
 */
export abstract class HibernatingObject<S extends SocketBase, M> extends EvictableObject {
  protected readonly sockets: SocketRoster<S>;
  private readonly budgets = new Map<WebSocket, ClientBudget>();

  /** What clients may send on this object's streams. */
  protected abstract readonly clientMessages: z.ZodType<M>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sockets = new SocketRoster<S>(ctx, readIdleTimeout(env));
    // Heartbeats are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

  /** Sends the socket its stream's current state (the first message, and again on request). */
  protected abstract sendSnapshot(ws: WebSocket): void;

  /** Acts on a valid client message. */
  protected abstract onClientMessage(ws: WebSocket, message: M, state: S): void | Promise<void>;

  /**
   * Sends one frame to one socket with the socket's next `seq`; `body` is the JSON members after
   * `seq`. Streams with shared sequences (conflated groups) override it.
   */
  protected sendFrame(ws: WebSocket, type: string, body: string): void {
    this.sockets.sendNumbered(ws, type, body);
  }

  /**
   * Accepts a WebSocket upgrade forwarded by the gateway: the socket joins the roster with its first
   * state and gets its first snapshot. Anything but an upgrade is a 426.
   */
  protected acceptUpgrade(request: Request, tags: string[], state: S): Response {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.sockets.accept(server, tags, state);
    this.requestSnapshot(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  /**
   * Sends a snapshot now, or, if the socket had one less than a second ago, once the second is up;
   * requests in between are answered by that one snapshot.
   */
  protected requestSnapshot(ws: WebSocket): void {
    const budget = this.budgetOf(ws);
    if (budget.pendingSnapshot !== undefined) return;
    const wait = budget.lastSnapshotAt + SNAPSHOT_INTERVAL_MS - Date.now();
    if (wait <= 0) {
      budget.lastSnapshotAt = Date.now();
      this.sendSnapshot(ws);
      return;
    }
    budget.pendingSnapshot = setTimeout(() => {
      budget.pendingSnapshot = undefined;
      if (!this.sockets.stateOf(ws)) return; // closed meanwhile
      budget.lastSnapshotAt = Date.now();
      this.sendSnapshot(ws);
    }, wait);
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const state = this.sockets.stateOf(ws);
    if (!state) return;
    this.sockets.heard(ws);
    if (!this.takeMessage(ws)) {
      this.sendFrame(
        ws,
        "error",
        `"error":"too many messages: at most ${CLIENT_MESSAGE_BURST} at once and ${CLIENT_MESSAGES_PER_SECOND} a second"`,
      );
      this.forget(ws);
      this.sockets.close(ws, POLICY_VIOLATION, "too many messages");
      return;
    }
    const parsed = parseClientMessage(message, this.clientMessages);
    if (!parsed.ok) {
      this.sendFrame(ws, "error", `"error":${JSON.stringify(parsed.error)}`);
      return;
    }
    await this.onClientMessage(ws, parsed.message, state);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.forget(ws);
    this.sockets.remove(ws);
    // Complete the closing handshake (1005 means the client gave no code, which may not be sent back).
    try {
      ws.close(code === 1005 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.forget(ws);
    this.sockets.remove(ws);
  }

  /** Spends one of the client's messages; false when it has none left. */
  private takeMessage(ws: WebSocket): boolean {
    const budget = this.budgetOf(ws);
    const now = Date.now();
    budget.tokens = Math.min(
      CLIENT_MESSAGE_BURST,
      budget.tokens + ((now - budget.refilledAt) / 1000) * CLIENT_MESSAGES_PER_SECOND,
    );
    budget.refilledAt = now;
    if (budget.tokens < 1) return false;
    budget.tokens -= 1;
    return true;
  }

  private budgetOf(ws: WebSocket): ClientBudget {
    let budget = this.budgets.get(ws);
    if (!budget) {
      budget = { tokens: CLIENT_MESSAGE_BURST, refilledAt: Date.now(), lastSnapshotAt: 0, pendingSnapshot: undefined };
      this.budgets.set(ws, budget);
    }
    return budget;
  }

  private forget(ws: WebSocket): void {
    const budget = this.budgets.get(ws);
    if (budget?.pendingSnapshot !== undefined) clearTimeout(budget.pendingSnapshot);
    this.budgets.delete(ws);
  }
}
