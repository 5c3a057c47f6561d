import { Scalar } from "@scalar/hono-api-reference";
import type { App } from "../app-env";
import { docsSecurityPolicy } from "../middleware/security-headers";

/**
 * `GET /openapi.json`, generated from the routes' zod schemas, and a readable page at `GET /docs`.
 * The page's script is served from our own static assets (copied by `npm run build:web`), so the
 * docs work with no network; the page has its own Content-Security-Policy (`docsSecurityPolicy`).
 */
export function mountDocs(app: App): void {
  app.openAPIRegistry.registerComponent("securitySchemes", "CollectorToken", {
    type: "http",
    scheme: "bearer",
    description: "The collectors' shared secret (`COLLECTOR_TOKEN`)",
  });
  app.doc31("/openapi.json", {
    openapi: "3.1.0",
    info: {
      title: "Kimchi Edge API",
      version: "1.0.0",
      description:
        "Real-time prices from Korean (KRW) and global (USDT) crypto venues, the kimchi premium on both " +
        "bases, liquidations and paper trading. Errors are `application/problem+json` (RFC 9457). " +
        "Every market figure carries `source` (`live`, `replay`, `simulated`) and `stale` flags.\n\n" +
        "**Degraded answers.** When the object behind a read (`GET`) fails or is overloaded, the read is " +
        "answered from its last good result (at most 10 minutes old; for private data, your own): a JSON " +
        'object gets `"stale": true` at its top, and every such answer the headers `X-Stale: true`, ' +
        '`Warning: 110 - "Response is Stale"` and `Age`. With no last good result, and for writes while ' +
        "the object is given a rest, the answer is 503 (`/problems/object-unavailable`) with `Retry-After`.\n\n" +
        "**Rate limits.** `/api/*` and `/ws/*` are limited per user (with an access token) or per client " +
        "address (without): over the limit, 429 (`/problems/rate-limited`) with `Retry-After`.",
    },
    tags: [
      { name: "Market", description: "Prices, volumes, premiums, rates, candles and names" },
      { name: "WebSockets", description: "Live streams (snapshot, then conflated updates with `seq`)" },
      {
        name: "Liquidations",
        description: "Futures liquidations from Binance, Bybit, OKX and BitMEX: windows, recent, stream",
      },
      { name: "Auth", description: "Accounts, access and refresh tokens, WebSocket tickets" },
      { name: "Users", description: "Profiles, password change, roles" },
      {
        name: "Trading",
        description: "Paper trading against live prices: account, orders, fills, positions, the premium trade",
      },
      { name: "Ingest", description: "The collectors' push endpoint" },
      { name: "Operations", description: "Health and metrics" },
    ],
  });
  // Its own Content-Security-Policy (the script's hash); no fonts from Scalar's CDN (the page works offline).
  app.use("/docs", docsSecurityPolicy());
  app.get(
    "/docs",
    Scalar({
      url: "/openapi.json",
      cdn: "/vendor/scalar-api-reference.js",
      pageTitle: "Kimchi Edge API",
      withDefaultFonts: false,
      // Nothing leaves this origin: no AI agent (it calls Scalar's servers), no telemetry.
      agent: { disabled: true },
      telemetry: false,
    }),
  );
}
