import { cors } from "hono/cors";
import type { App } from "./app-env";
import { router } from "./http/router";
import { notFound, onError } from "./middleware/errors";
import { accountRoutes } from "./routes/account";
import { authRoutes } from "./routes/auth";
import { candleCoverageRoutes } from "./routes/candle-coverage";
import { mountDocs } from "./routes/docs";
import { fillsRoutes } from "./routes/fills";
import { healthRoutes } from "./routes/health";
import { ingestRoutes } from "./routes/ingest";
import { liquidationRoutes } from "./routes/liquidations";
import { marketRoutes } from "./routes/market";
import { ordersRoutes } from "./routes/orders";
import { positionsRoutes } from "./routes/positions";
import { tradesRoutes } from "./routes/trades";
import { usersRoutes } from "./routes/users";

/** The gateway: every public route, the ingest endpoint, the docs, one error handler. */
export function createApp(): App {
  const app = router();
  app.onError(onError);
  app.notFound(notFound);

  // Public market data is readable from any origin; credentials travel in the Authorization header.
  app.use("/api/*", cors({ origin: "*", allowHeaders: ["Authorization", "Content-Type"], maxAge: 86400 }));

  app.route("/", healthRoutes);
  app.route("/internal/ingest", ingestRoutes);
  app.route("/internal/candles", candleCoverageRoutes);
  app.route("/", marketRoutes);
  app.route("/", liquidationRoutes);
  app.route("/api/auth", authRoutes);
  app.route("/api/users", usersRoutes);
  app.route("/", accountRoutes);
  app.route("/api/orders", ordersRoutes);
  app.route("/api/fills", fillsRoutes);
  app.route("/api/positions", positionsRoutes);
  app.route("/api/trades", tradesRoutes);
  mountDocs(app);
  return app;
}
