/**
 * The Worker's JSON API as the page calls it: a bearer token from the session on every call, one
 * refresh and retry after a 401, and failures as an `ApiError` carrying the RFC 9457 problem, so a
 * form can show each message next to the field it names.
 */
import type { Session } from "./session";

/** One field a request got wrong: its dotted path (`price`, `events.3.price`) and why. */
export interface FieldError {
  path: string;
  message: string;
}

/** The problem+json body the Worker answers errors with. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail ?? problem.title);
  }

  get status(): number {
    return this.problem.status;
  }

  /** The message for one field (the first the server gave), if it named that field. */
  fieldMessage(path: string): string | undefined {
    return this.problem.errors?.find((e) => e.path === path)?.message;
  }
}

/** Reads an error response as a problem (a proxy's HTML error page becomes a plain one). */
export async function problemOf(res: Response): Promise<Problem> {
  try {
    const body = (await res.json()) as Partial<Problem>;
    if (typeof body.title === "string") return { ...body, title: body.title, status: res.status };
  } catch {
    // not JSON
  }
  return { title: res.statusText || "Request failed", status: res.status };
}

/** A request that never reached the Worker (offline, DNS, connection reset). */
export function networkProblem(): Problem {
  return { title: "Network error", status: 0, detail: "The server could not be reached" };
}

type Method = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";

/** Calls the API on behalf of the signed-in user. */
export class Api {
  constructor(private readonly session: Session) {}

  get<T>(path: string): Promise<T> {
    return this.request<T>("GET", path);
  }

  /** `headers` adds request headers, e.g. an `Idempotency-Key` kept across retries of one action. */
  post<T>(path: string, body?: unknown, headers?: Record<string, string>): Promise<T> {
    return this.request<T>("POST", path, body, headers);
  }

  put<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("PUT", path, body);
  }

  patch<T>(path: string, body?: unknown): Promise<T> {
    return this.request<T>("PATCH", path, body);
  }

  delete<T>(path: string): Promise<T> {
    return this.request<T>("DELETE", path);
  }

  /**
   * Sends one request. A 401 means the access token ran out or was revoked: the session refreshes
   * once and the request is sent again; if that fails too the session has ended.
   */
  async request<T>(method: Method, path: string, body?: unknown, extraHeaders?: Record<string, string>): Promise<T> {
    let token = await this.session.accessToken();
    let res = await this.send(method, path, body, token, extraHeaders);
    if (res.status === 401 && token) {
      token = await this.session.refreshAfterRejection(token);
      if (token) res = await this.send(method, path, body, token, extraHeaders);
    }
    if (!res.ok) throw new ApiError(await problemOf(res));
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }

  private async send(
    method: Method,
    path: string,
    body: unknown,
    token: string | null,
    extraHeaders: Record<string, string> = {},
  ): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json", ...extraHeaders };
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers["Content-Type"] = "application/json";
    try {
      return await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch {
      throw new ApiError(networkProblem());
    }
  }
}
