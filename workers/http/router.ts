import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { limitBody } from "./body-limit";
import { validationHook } from "./validation";

/**
 * A sub-app for one resource: every schema failure becomes the same problem+json 400
 * (`validationHook`), and with `maxBodyBytes` every request body is limited. The limit applies to
 * every path under where the sub-app is mounted, so give it only to sub-apps mounted at a prefix.
 */
export function router(options: { maxBodyBytes?: number } = {}): OpenAPIHono<AppEnv> {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  if (options.maxBodyBytes !== undefined) app.use("*", limitBody(options.maxBodyBytes));
  return app;
}
