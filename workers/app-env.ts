import type { OpenAPIHono } from "@hono/zod-openapi";

/** What every route and middleware sees: the Worker's bindings (generated `Env`) and per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: Record<string, never>;
}

export type App = OpenAPIHono<AppEnv>;
