import { OpenAPIHono } from "@hono/zod-openapi";
import { cors } from "hono/cors";
import type { AppEnv } from "./app-env";
import { validationHook } from "./lib/validation";
import { notFound, onError } from "./middleware/errors";
import { auth } from "./routes/auth";
import { mountDocs } from "./routes/docs";
import { health } from "./routes/health";
import { ingest } from "./routes/ingest";
import { liquidations } from "./routes/liquidations";
import { market } from "./routes/market";
import { userStream } from "./routes/user-stream";
import { usersRoutes } from "./routes/users";
import { websockets } from "./routes/websockets";

/** The gateway: every public route, the ingest endpoint, the docs, one error handler. */
export function createApp(): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.onError(onError);
  app.notFound(notFound);

  // Public market data is readable from any origin; credentials travel in the Authorization header.
  app.use("/api/*", cors({ origin: "*", allowHeaders: ["Authorization", "Content-Type"], maxAge: 86400 }));

  app.route("/", health);
  app.route("/internal/ingest", ingest);
  app.route("/api", market);
  app.route("/api/auth", auth);
  app.route("/api/users", usersRoutes);
  app.route("/ws/user", userStream);
  app.route("/ws", websockets);
  app.route("/", liquidations);
  mountDocs(app);
  return app;
}
