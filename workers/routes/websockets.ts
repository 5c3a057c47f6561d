import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { marketBoard, marketSymbol } from "../lib/objects";
import { problems } from "../lib/openapi";
import { Problem } from "../lib/problem";
import { validationHook } from "../lib/validation";

/**
 * WebSocket upgrades, handed to the Durable Object that owns the stream. The object accepts the
 * socket with the Hibernation API, so idle subscribers cost nothing.
 */
export const websockets = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

const upgradeResponses = {
  101: { description: "Switching protocols. Server messages: `snapshot` first, then `update`s with increasing `seq`." },
  ...problems(400, 426),
};

function requireUpgrade(request: Request): void {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    throw new Problem(426, "websocket-required", "This path is a WebSocket; send an Upgrade: websocket request");
  }
}

const streamDescription =
  "Optional `?symbols=BTC,ETH` narrows the initial subscription. Client messages: " +
  '`{"op":"subscribe","symbols":["BTC"]}`, `{"op":"unsubscribe","symbols":["BTC"]}`, `{"op":"snapshot"}`; ' +
  "the text `ping` is answered with `pong`. A client that sees a gap in `seq` asks for a snapshot.";

for (const [path, summary] of [
  ["/market", "All coins: a snapshot, then conflated updates (at most one per 50 ms, `FANOUT_INTERVAL_MS`)"],
  ["/prices", "The integrated stream: the same as /ws/market, plus liquidations"],
] as const) {
  websockets.openapi(
    createRoute({
      method: "get",
      path,
      tags: ["WebSockets"],
      summary,
      description: streamDescription,
      responses: upgradeResponses,
    }),
    async (c) => {
      requireUpgrade(c.req.raw);
      return marketBoard(c.env).fetch(c.req.raw) as unknown as Response as never;
    },
  );
}

websockets.openapi(
  createRoute({
    method: "get",
    path: "/prices/{symbol}",
    tags: ["WebSockets"],
    summary: "One coin: a snapshot, then conflated updates",
    request: {
      params: z.object({
        symbol: z
          .string()
          .regex(/^[A-Za-z0-9]{1,20}$/, "a coin symbol such as BTC")
          .openapi({ param: { name: "symbol", in: "path" }, example: "BTC" }),
      }),
    },
    responses: upgradeResponses,
  }),
  async (c) => {
    requireUpgrade(c.req.raw);
    const symbol = c.req.valid("param").symbol.toUpperCase();
    // From now on the board delivers this coin's updates every fan-out interval, not once a second.
    await marketBoard(c.env).watch(symbol);
    return marketSymbol(c.env, symbol).fetch(c.req.raw) as unknown as Response as never;
  },
);
