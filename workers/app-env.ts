import type { OpenAPIHono } from "@hono/zod-openapi";
import type { SessionUser } from "./auth/sessions";

/** What every route and middleware sees: the Worker's bindings (generated `Env`) and per-request variables. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    /** The authenticated caller; set by `requireAuth()` (routes behind it see it as always present). */
    user?: SessionUser;
    /** This request's id (`requestId()`): echoed in `X-Request-Id`, logged, passed to the objects that log. */
    requestId: string;
  };
}

export type App = OpenAPIHono<AppEnv>;
