import { cors } from "hono/cors";
import type { App } from "./app-env";
import { router } from "./http/router";
import { notFound, onError } from "./middleware/errors";
import { rateLimit } from "./middleware/rate-limit";
import { requestId } from "./middleware/request-id";
import { requestLog } from "./middleware/request-log";
import { requestMetrics } from "./middleware/request-metrics";
import { securityHeaders } from "./middleware/security-headers";
import { staleMarker } from "./resilience/stale-marker";
import { accountRoutes } from "./routes/account";
import { adminNotificationsRoutes } from "./routes/admin-notifications";
import { adminReportsRoutes } from "./routes/admin-reports";
import { alertsRoutes } from "./routes/alerts";
import { analyticsRoutes } from "./routes/analytics";
import { authRoutes } from "./routes/auth";
import { candleCoverageRoutes } from "./routes/candle-coverage";
import { mountDocs } from "./routes/docs";
import { fillsRoutes } from "./routes/fills";
import { healthRoutes } from "./routes/health";
import { ingestRoutes } from "./routes/ingest";
import { liquidationRoutes } from "./routes/liquidations";
import { marketRoutes } from "./routes/market";
import { notificationsRoutes } from "./routes/notifications";
import { objectEvictRoutes } from "./routes/object-evict";
import { ordersRoutes } from "./routes/orders";
import { positionsRoutes } from "./routes/positions";
import { pushRoutes } from "./routes/push";
import { telegramLinkRoutes, telegramWebhookRoutes } from "./routes/telegram";
import { tradesRoutes } from "./routes/trades";
import { usersRoutes } from "./routes/users";

/** The gateway: every public route, the ingest endpoint, the docs, one error handler. */
export function createApp(): App {
  const app = router();
  app.onError(onError);
  app.notFound(notFound);
  // First, so every answer (errors, 404s, other middleware's refusals) gets its id, log line and counts.
  app.use(requestId(), requestLog(), requestMetrics());

  // Public market data is readable from any origin; credentials travel in the Authorization header.
  app.use(
    "/api/*",
    cors({
      origin: "*",
      allowHeaders: ["Authorization", "Content-Type"],
      exposeHeaders: ["Retry-After", "X-Stale", "Warning", "Age"],
      maxAge: 86400,
    }),
  );
  // Security headers on everything the Worker answers; rate limits on the public API and streams
  // (after CORS, so preflights are not counted); reads answered from a last good result marked stale.
  app.use(securityHeaders());
  app.use("/api/*", rateLimit());
  app.use("/ws/*", rateLimit());
  app.use("/api/*", staleMarker());

  app.route("/", healthRoutes);
  app.route("/internal/ingest", ingestRoutes);
  app.route("/internal/candles", candleCoverageRoutes);
  app.route("/internal/evict", objectEvictRoutes);
  app.route("/", marketRoutes);
  app.route("/", liquidationRoutes);
  app.route("/api/auth", authRoutes);
  app.route("/api/users", usersRoutes);
  app.route("/", accountRoutes);
  app.route("/api/orders", ordersRoutes);
  app.route("/api/fills", fillsRoutes);
  app.route("/api/positions", positionsRoutes);
  app.route("/api/trades", tradesRoutes);
  app.route("/api/alerts", alertsRoutes);
  app.route("/api/notifications/telegram", telegramLinkRoutes);
  app.route("/api/telegram", telegramWebhookRoutes);
  app.route("/api/notifications", notificationsRoutes);
  app.route("/api/push", pushRoutes);
  app.route("/api/admin/notifications", adminNotificationsRoutes);
  app.route("/api/admin/reports", adminReportsRoutes);
  app.route("/api/analytics", analyticsRoutes);
  mountDocs(app);
  return app;
}
