import type { MiddlewareHandler } from "hono";
import { redeemWsTicket } from "../auth/ws-tickets";
import { database } from "../db/client";
import { Problem } from "../http/problem";
import { requireUpgrade } from "../http/websocket-upgrade";
import type { AuthEnv } from "./auth";

/**
 * Guards a private WebSocket: the request must be an upgrade carrying `?ticket=` from
 * `POST /api/auth/ws-ticket`; the ticket is redeemed (once) before the upgrade is forwarded, and
 * `c.var.user` is set, so the stream's owner is decided here at the gateway, not by the client.
 */
export function requireWsTicket(): MiddlewareHandler<AuthEnv> {
  return async function requireWsTicket(c, next) {
    requireUpgrade(c.req.raw);
    const ticket = c.req.query("ticket") ?? "";
    const user = ticket ? await redeemWsTicket(database(c.env), ticket) : undefined;
    if (!user) {
      throw new Problem(401, "unauthorized", "A valid, unused ticket from POST /api/auth/ws-ticket is required");
    }
    c.set("user", user);
    await next();
  };
}
