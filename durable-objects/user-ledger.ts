import { z } from "zod";
import { HibernatingObject } from "./sockets/hibernating-object";
import { frame, type SocketBase } from "./sockets/socket-roster";

/**
 * UserLedger: one object per user (addressed by `idFromName(userId)`), holding the user's private
 * stream `/ws/user` on the Hibernation API. The gateway authenticates the upgrade (a single-use
 * ticket) before forwarding it, so every socket here belongs to this object's user.
 *
 * For now the stream greets with the user's id and echoes what it is sent; the user's paper-trading
 * ledger joins it here.
 */
export class UserLedger extends HibernatingObject<SocketBase, unknown> {
  protected readonly clientMessages = z.unknown();

  /** The user this object belongs to (the name it was addressed by). */
  private get userId(): string {
    return this.ctx.id.name ?? "";
  }

  /** Accepts a `/ws/user` upgrade the gateway has authenticated. */
  override async fetch(request: Request): Promise<Response> {
    const state: SocketBase = { seq: 0, heard_at: Date.now() };
    return this.acceptUpgrade(request, ["user"], state);
  }

  /** The greeting: who this stream belongs to. */
  protected override sendSnapshot(ws: WebSocket): void {
    this.sockets.sendText(ws, frame("hello", 0, `"data":${JSON.stringify({ user_id: this.userId })}`));
  }

  /** Echoes any text back (the stream's placeholder until the ledger's events flow on it). */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    this.sockets.heard(ws);
    const text = typeof message === "string" ? message : new TextDecoder().decode(message);
    this.sendFrame(ws, "echo", `"data":${JSON.stringify({ text })}`);
  }

  protected override onClientMessage(): void {}
}
