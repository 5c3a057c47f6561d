import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { problems } from "../lib/openapi";
import { validationHook } from "../lib/validation";
import { requireWsTicket } from "../middleware/ws-ticket";

/**
 * `GET /ws/user`: the signed-in user's private stream, admitted by a ticket from
 * `POST /api/auth/ws-ticket` (see `requireWsTicket`).
 *
 * For now a stub that proves the gateway's authentication: it greets with the user's id and echoes
 * what it is sent. Trading replaces the handler body with a forward to the user's Durable Object,
 * e.g. `return userLedger(c.env, c.var.user.id).fetch(c.req.raw)`, keeping the middleware.
 */
export const userStream = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

userStream.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["WebSockets"],
    summary: "Your private stream (orders, fills, notifications)",
    description:
      "Get a ticket from `POST /api/auth/ws-ticket`, then connect to `/ws/user?ticket=<ticket>` within 30 s. " +
      'Server messages: `{"type":"hello","seq":0,"data":{"user_id":...}}` first.',
    responses: { 101: { description: "Switching protocols" }, ...problems(401, 426) },
    middleware: [requireWsTicket()] as const,
  }),
  (c) => {
    const { 0: client, 1: server } = new WebSocketPair();
    server.accept();
    let seq = 0;
    server.send(JSON.stringify({ type: "hello", seq: seq++, data: { user_id: c.var.user.id } }));
    server.addEventListener("message", (event) => {
      server.send(JSON.stringify({ type: "echo", seq: seq++, data: { text: String(event.data) } }));
    });
    return new Response(null, { status: 101, webSocket: client }) as never;
  },
);
