import type { MiddlewareHandler } from "hono";
import { database } from "../db/client";
import { Problem } from "../lib/problem";
import { redeemWsTicket } from "../lib/ws-tickets";
import type { AuthEnv } from "./auth";

/**
 * Guards a private WebSocket: the request must be an upgrade carrying `?ticket=` from
 * `POST /api/auth/ws-ticket`; the ticket is redeemed (once) before the upgrade is forwarded, and
 * `c.var.user` is set, so the stream's owner is decided here at the gateway, not by the client.
 */
export function requireWsTicket(): MiddlewareHandler<AuthEnv> {
  return async function requireWsTicket(c, next) {
    if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
      throw new Problem(426, "websocket-required", "This path is a WebSocket; send an Upgrade: websocket request");
    }
    const ticket = c.req.query("ticket") ?? "";
    const user = ticket ? await redeemWsTicket(database(c.env), ticket) : undefined;
    if (!user) {
      throw new Problem(401, "unauthorized", "A valid, unused ticket from POST /api/auth/ws-ticket is required");
    }
    c.set("user", user);
    await next();
  };
}
