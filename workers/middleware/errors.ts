import type { ErrorHandler, NotFoundHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { AppEnv } from "../app-env";
import { Problem, problemResponse, quoteInput } from "../http/problem";

/**
 * The one place errors become responses: problem+json, never a stack trace. Thrown `Problem`s keep
 * their status and field errors; Hono's own `HTTPException`s (malformed JSON, body limits) keep
 * their status; anything else is logged and answered with a bare 500. Every body carries the request's
 * id as `request_id`.
 */
export const onError: ErrorHandler<AppEnv> = (err, c) => {
  const requestId = c.var.requestId;
  if (err instanceof Problem) return problemResponse(err, requestId);
  if (err instanceof HTTPException) {
    const status = err.status as ContentfulStatusCode;
    const slug = status === 400 ? "malformed-request" : `http-${status}`;
    return problemResponse(new Problem(status, slug, err.message || "The request could not be processed"), requestId);
  }
  console.error(
    JSON.stringify({ msg: "unhandled error", request_id: requestId, path: c.req.path, error: String(err) }),
  );
  return problemResponse(
    new Problem(500, "internal", "Something went wrong on our side; it has been logged"),
    requestId,
  );
};

export const notFound: NotFoundHandler<AppEnv> = (c) =>
  problemResponse(
    new Problem(404, "not-found", `No route for ${c.req.method} ${quoteInput(c.req.path)}`),
    c.var.requestId,
  );
