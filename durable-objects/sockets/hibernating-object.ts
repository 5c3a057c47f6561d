import { DurableObject } from "cloudflare:workers";
import type { z } from "zod";
import { readIdleTimeout } from "../support/settings";
import { type SocketBase, SocketRoster } from "./socket-roster";

/** A client message that passed its stream's schema, or why it did not. */
export type ParsedClientMessage<M> = { ok: true; message: M } | { ok: false; error: string };

/** Parses a client frame (text or binary UTF-8) as JSON and checks it against the stream's schema. */
export function parseClientMessage<M>(message: string | ArrayBuffer, schema: z.ZodType<M>): ParsedClientMessage<M> {
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

/**
 * The base of every Durable Object that holds WebSockets: it accepts upgrades with the Hibernation
 * API, keeps each socket's state in its attachment (`SocketRoster`), answers the text `ping` with
 * `pong` in the runtime (so heartbeats never wake the object), parses client messages against the
 * stream's schema (a message that fails gets an `error` frame and the socket stays open), and
 * reciprocates a client's close. Subclasses say what a valid message does (`onClientMessage`).
 *
 * https://developers.cloudflare.com/durable-objects/best-practices/websockets/
 */
export abstract class HibernatingObject<S extends SocketBase, M> extends DurableObject<Env> {
  protected readonly sockets: SocketRoster<S>;

  /** What clients may send on this object's streams. */
  protected abstract readonly clientMessages: z.ZodType<M>;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sockets = new SocketRoster<S>(ctx, readIdleTimeout(env));
    // Heartbeats are answered by the runtime without waking a hibernated object.
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair("ping", "pong"));
  }

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
   * state and `greet` sends its first message (a snapshot). Anything but an upgrade is a 426.
   */
  protected acceptUpgrade(request: Request, tags: string[], state: S, greet: (ws: WebSocket) => void): Response {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
      return new Response("Expected a WebSocket upgrade", { status: 426 });
    }
    const { 0: client, 1: server } = new WebSocketPair();
    this.sockets.accept(server, tags, state);
    greet(server);
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    const state = this.sockets.stateOf(ws);
    if (!state) return;
    this.sockets.heard(ws);
    const parsed = parseClientMessage(message, this.clientMessages);
    if (!parsed.ok) {
      this.sendFrame(ws, "error", `"error":${JSON.stringify(parsed.error)}`);
      return;
    }
    await this.onClientMessage(ws, parsed.message, state);
  }

  override async webSocketClose(ws: WebSocket, code: number): Promise<void> {
    this.sockets.remove(ws);
    // Complete the closing handshake (1005 means the client gave no code, which may not be sent back).
    try {
      ws.close(code === 1005 ? 1000 : code, "closing");
    } catch {
      // already closed
    }
  }

  override async webSocketError(ws: WebSocket): Promise<void> {
    this.sockets.remove(ws);
  }
}
