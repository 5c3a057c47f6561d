import { z } from "@hono/zod-openapi";

/** The problem+json body, for the error responses every route documents. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    limit: z.string().optional().openapi({ description: "A risk refusal: the limit that refused it" }),
    limit_value: z.number().optional().openapi({ description: "A risk refusal: the limit's value" }),
    would_be: z.number().optional().openapi({ description: "A risk refusal: the figure the order would make" }),
    excess: z.number().optional().openapi({ description: "A risk refusal: by how much it exceeds the limit" }),
    request_id: z.string().optional().openapi({
      description: "The request's id, as in the `X-Request-Id` header (quote it when reporting a problem)",
    }),
  })
  .loose()
  .openapi("Problem");

/** `responses` entries for the problems a route can answer with. */
export function problems(...statuses: number[]) {
  const out: Record<
    number,
    { description: string; content: { "application/problem+json": { schema: typeof ProblemSchema } } }
  > = {};
  for (const status of statuses) {
    out[status] = {
      description: DESCRIPTIONS[status] ?? "Error",
      content: { "application/problem+json": { schema: ProblemSchema } },
    };
  }
  return out;
}

const DESCRIPTIONS: Record<number, string> = {
  400: "Malformed input; `errors` names the fields that failed",
  401: "Missing or invalid credentials",
  403: "Not allowed",
  404: "Not found",
  409: "Conflict",
  413: "The body is larger than the limit",
  422: "Idempotency key reused with a different body",
  426: "Not a WebSocket upgrade",
  429: "Too many requests; see Retry-After",
  503: "Not ready",
};

/** A JSON response entry. */
export function json<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } };
}
