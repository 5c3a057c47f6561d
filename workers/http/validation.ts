import type { Hook } from "@hono/zod-openapi";
import type { AppEnv } from "../app-env";
import { validationProblem } from "./problem";

const TARGET_NAMES: Record<string, string> = {
  json: "body",
  query: "query string",
  param: "path",
  form: "form",
  header: "headers",
};

/** The `defaultHook` of every sub-app: a failed schema throws one problem+json 400 shape. */
// biome-ignore lint/suspicious/noExplicitAny: the hook is shared by routes of every input type
export const validationHook: Hook<any, AppEnv, any, any> = (result) => {
  if (!result.success) {
    throw validationProblem(result.error.issues, TARGET_NAMES[result.target] ?? result.target);
  }
};
