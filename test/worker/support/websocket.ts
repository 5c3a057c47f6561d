import { exports } from "cloudflare:workers";

export interface ServerMessage {
  type: string;
  seq: number;
  /** In an update, each coin is a patch (only what changed), so `prices` may be absent. */
  data?: {
    coins?: { symbol: string; prices?: Record<string, { price?: number }> }[];
    symbols?: string[] | null;
  } & Record<string, unknown>;
  error?: string;
  /** Set for a frame that is not JSON (e.g. the `pong` heartbeat reply), with `type: "text"`. */
  text?: string;
}

function parse(data: string): ServerMessage {
  try {
    return JSON.parse(data) as ServerMessage;
  } catch {
    return { type: "text", seq: -1, text: data };
  }
}

/** A client socket on one of the gateway's streams, collecting every message it receives. */
export interface TestSocket {
  ws: WebSocket;
  messages: ServerMessage[];
  /** Resolves with the first message (already received or future) that satisfies `predicate`. */
  waitFor(predicate: (m: ServerMessage) => boolean, timeoutMs?: number): Promise<ServerMessage>;
  close(): void;
}

export async function openSocket(path: string): Promise<TestSocket> {
  const res = await exports.default.fetch(`http://gateway${path}`, { headers: { Upgrade: "websocket" } });
  const ws = res.webSocket;
  if (!ws) throw new Error(`no WebSocket from ${path}: ${res.status} ${await res.text()}`);
  ws.accept();
  const messages: ServerMessage[] = [];
  const waiters: { predicate: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  ws.addEventListener("message", (event) => {
    const message = parse(event.data as string);
    messages.push(message);
    for (const w of [...waiters]) {
      if (w.predicate(message)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.resolve(message);
      }
    }
  });
  return {
    ws,
    messages,
    waitFor(predicate, timeoutMs = 5000) {
      const found = messages.find(predicate);
      if (found) return Promise.resolve(found);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`no matching message on ${path} within ${timeoutMs} ms`)),
          timeoutMs,
        );
        waiters.push({
          predicate,
          resolve: (m) => {
            clearTimeout(timer);
            resolve(m);
          },
        });
      });
    },
    close: () => ws.close(1000, "done"),
  };
}

/** The price a message reports for a coin on a venue, if it carries that coin. */
export function priceIn(message: ServerMessage, symbol: string, venue: string): number | undefined {
  return message.data?.coins?.find((c) => c.symbol === symbol)?.prices?.[venue]?.price;
}
