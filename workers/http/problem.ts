import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import type { z } from "zod";

/** One field that failed validation: its path (`events.3.price`) and why. */
export interface FieldError {
  path: string;
  message: string;
}

/** An RFC 9457 problem: `{ type, title, status, detail, errors? }` and any extension members. */
export interface ProblemBody {
  [extension: string]: unknown;
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
}

const TITLES: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  405: "Method Not Allowed",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  422: "Unprocessable Content",
  426: "Upgrade Required",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/**
 * An error that becomes a problem+json response in `app.onError`. Throw it from handlers and
 * middleware instead of building error responses by hand.
 */
export class Problem extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly slug: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    readonly headers?: Record<string, string>,
    /** Extension members (RFC 9457 section 3.2), e.g. which risk limit refused an order and by how much. */
    readonly extra?: Record<string, unknown>,
  ) {
    super(status, { message: detail });
  }

  toBody(): ProblemBody {
    return {
      ...(this.extra ?? {}),
      type: `/problems/${this.slug}`,
      title: TITLES[this.status] ?? "Error",
      status: this.status,
      detail: this.detail,
      ...(this.errors ? { errors: this.errors } : {}),
    };
  }
}

/** How much of a client's own input a problem's `detail` quotes. */
const QUOTED_INPUT_CHARS = 64;

/**
 * A client's input as a problem may quote it: at most the first 64 characters, in JSON string
 * syntax (quotes, control characters and anything outside printable ASCII escaped), marked when cut.
 */
export function quoteInput(value: string): string {
  const cut = value.length > QUOTED_INPUT_CHARS;
  const quoted = JSON.stringify(value.slice(0, QUOTED_INPUT_CHARS)).replace(
    /[^\x20-\x7e]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
  return cut ? `${quoted} (cut at ${QUOTED_INPUT_CHARS} characters)` : quoted;
}

/** Turns zod issues into field errors with dotted paths. */
export function fieldErrors(issues: readonly z.core.$ZodIssue[]): FieldError[] {
  return issues.map((issue) => ({
    path: issue.path.map(String).join(".") || "(body)",
    message: issue.message,
  }));
}

/** A 400 for input that failed a schema. */
export function validationProblem(issues: readonly z.core.$ZodIssue[], where = "request"): Problem {
  const errors = fieldErrors(issues);
  return new Problem(
    400,
    "validation",
    `The ${where} failed validation at: ${errors.map((e) => e.path).join(", ")}`,
    errors,
  );
}

/** The response for a problem; with `requestId`, the body carries it as `request_id` (an extension member). */
export function problemResponse(problem: Problem, requestId?: string): Response {
  const body = requestId ? { ...problem.toBody(), request_id: requestId } : problem.toBody();
  return new Response(JSON.stringify(body), {
    status: problem.status,
    headers: { "Content-Type": "application/problem+json", ...(problem.headers ?? {}) },
  });
}
