import type { FeedContext } from "./feed";
import type { NormalizeResult } from "./frames";
import { HttpStatusError, parseRetryAfter, RateLimitedError } from "./http-errors";

/** A REST answer that was handed to the pipeline. */
export interface RestResponse {
  status: number;
  text: string;
  headers: Headers;
  /** What the normaliser made of the body. */
  result: NormalizeResult;
}

/** Options of {@link restGet}. */
export interface RestGetOptions {
  /** Give up after this long (ms). Default 10 000. */
  timeoutMs?: number;
  headers?: Record<string, string>;
  /** Hand the body to the pipeline (default true); false for bodies only the feed itself reads. */
  emit?: boolean;
}

/**
 * GETs `endpoint + path` and hands the body to the pipeline as a frame on stream `rest <path>` (the
 * path without its query). 429 and 418 throw {@link RateLimitedError} with `Retry-After`; other
 * non-2xx answers throw {@link HttpStatusError}; network errors and timeouts throw as they are.
 */
export async function restGet(
  ctx: FeedContext,
  endpoint: string,
  path: string,
  options: RestGetOptions = {},
): Promise<RestResponse> {
  const base = ctx.endpoints[endpoint];
  if (!base) throw new Error(`feed ${ctx.venue} has no endpoint "${endpoint}"`);
  const url = `${base.replace(/\/+$/, "")}${path}`;
  const signal = AbortSignal.any([ctx.signal, AbortSignal.timeout(options.timeoutMs ?? 10_000)]);
  const res = await fetch(url, { signal, headers: { Accept: "application/json", ...options.headers } });
  const text = await res.text();
  if (res.status === 429 || res.status === 418) {
    ctx.metrics.rateLimited++;
    throw new RateLimitedError(res.status, parseRetryAfter(res.headers.get("retry-after")), url);
  }
  if (!res.ok) throw new HttpStatusError(res.status, text, url);
  const stream = `rest ${path.split("?")[0]}`;
  const result: NormalizeResult = options.emit === false ? { kind: "control" } : ctx.emitText(stream, text);
  return { status: res.status, text, headers: res.headers, result };
}
