import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { WsTicketResponse } from "../../protocol/auth";
import { hashOpaqueToken } from "../../workers/auth/opaque-tokens";
import { call, newAccount, postJson } from "./support/auth";

interface StreamMessage {
  type: string;
  seq: number;
  data?: { user_id?: string; open_orders?: unknown[]; positions?: unknown[] };
  error?: string;
}

async function ticketFor(token: string): Promise<string> {
  const res = await call("/api/auth/ws-ticket", { method: "POST", token });
  expect(res.status).toBe(200);
  expect(res.headers.get("Cache-Control")).toBe("no-store");
  return ((await res.json()) as WsTicketResponse).ticket;
}

function upgrade(path: string): Promise<Response> {
  return exports.default.fetch(`http://gateway${path}`, { headers: { Upgrade: "websocket" } });
}

/** Opens the socket and collects messages until `count` have arrived. */
async function openStream(ticket: string) {
  const res = await upgrade(`/ws/user?ticket=${ticket}`);
  expect(res.status).toBe(101);
  const ws = res.webSocket as WebSocket;
  ws.accept();
  const messages: StreamMessage[] = [];
  const waiters: (() => void)[] = [];
  ws.addEventListener("message", (e) => {
    messages.push(JSON.parse(e.data as string) as StreamMessage);
    for (const w of waiters.splice(0)) w();
  });
  const next = async (count: number) => {
    while (messages.length < count) await new Promise<void>((resolve) => waiters.push(resolve));
    return messages[count - 1];
  };
  return { ws, next };
}

describe("private WebSocket streams", () => {
  it("admits an upgrade with a ticket and binds the stream to the ticket's user", async () => {
    const account = await newAccount("ws");
    const stream = await openStream(await ticketFor(account.tokens.access_token));
    expect(await stream.next(1)).toEqual({
      type: "snapshot",
      seq: 1,
      data: { user_id: account.userId, open_orders: [], positions: [] },
    });
    stream.ws.send("ping?");
    expect(await stream.next(2)).toMatchObject({ type: "error", seq: 2, error: "messages must be JSON" });
    stream.ws.close();
  });

  it("admits each ticket once", async () => {
    const account = await newAccount("ws-once");
    const ticket = await ticketFor(account.tokens.access_token);
    const first = await openStream(ticket);
    first.ws.close();
    const again = await upgrade(`/ws/user?ticket=${ticket}`);
    expect(again.status).toBe(401);
    expect(again.webSocket).toBeNull();
  });

  it("lets only one of two racing upgrades with one ticket through", async () => {
    const account = await newAccount("ws-race");
    const ticket = await ticketFor(account.tokens.access_token);
    const [a, b] = await Promise.all([upgrade(`/ws/user?ticket=${ticket}`), upgrade(`/ws/user?ticket=${ticket}`)]);
    expect([a.status, b.status].sort()).toEqual([101, 401]);
    for (const r of [a, b]) r.webSocket?.accept();
    for (const r of [a, b]) r.webSocket?.close();
  });

  it("refuses an upgrade without a ticket, with an access token instead, or with a made-up one", async () => {
    const account = await newAccount("ws-none");
    expect((await upgrade("/ws/user")).status).toBe(401);
    expect((await upgrade(`/ws/user?ticket=${account.tokens.access_token}`)).status).toBe(401);
    expect((await upgrade(`/ws/user?ticket=${"x".repeat(43)}`)).status).toBe(401);
    const withBearer = await exports.default.fetch("http://gateway/ws/user", {
      headers: { Upgrade: "websocket", Authorization: `Bearer ${account.tokens.access_token}` },
    });
    expect(withBearer.status).toBe(401);
  });

  it("refuses an expired ticket, and a ticket whose session has ended", async () => {
    const account = await newAccount("ws-old");
    const stale = await ticketFor(account.tokens.access_token);
    await env.DB.prepare("UPDATE ws_tickets SET expires_at = ?1 WHERE ticket_hash = ?2")
      .bind(Date.now() - 1, await hashOpaqueToken(stale))
      .run();
    expect((await upgrade(`/ws/user?ticket=${stale}`)).status).toBe(401);

    const orphan = await ticketFor(account.tokens.access_token);
    await postJson("/api/auth/logout", { refresh_token: account.tokens.refresh_token });
    expect((await upgrade(`/ws/user?ticket=${orphan}`)).status).toBe(401);
  });

  it("asks for a token to issue a ticket, and answers a plain GET with 426", async () => {
    expect((await call("/api/auth/ws-ticket", { method: "POST" })).status).toBe(401);
    expect((await call("/ws/user")).status).toBe(426);
  });
});
