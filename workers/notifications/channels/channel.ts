/**
 * What every delivery channel is: who it can reach (its targets for a recipient), whether it is
 * configured, and one send that answers an outcome. Providers are plain HTTP APIs called with
 * `fetch`; `outcomeOf` maps their answers the same way for all of them: 2xx sent, 429 and 5xx retried
 * (honouring `Retry-After`), any other answer a permanent failure for the dead-letter queue.
 */
import type { NotificationEvent } from "../../../protocol/events";
import type { Channel } from "../../../protocol/notifications";
import type { Recipient } from "../recipients";
import type { RenderedMessage } from "../render";

/** A provider call is given up (and retried later) after this long, well inside a delivery's lease. */
export const PROVIDER_TIMEOUT_MS = 10_000;

/**
 * `fetch` to a provider, aborted after `PROVIDER_TIMEOUT_MS`. The timer is cleared as soon as the
 * answer is in (an `AbortSignal.timeout` would stay armed for the full 10 s, and an isolate may hold
 * at most 10,000 timers: a busy consumer reached that).
 */
export async function providerFetch(url: string, init: RequestInit): Promise<Response> {
  const controller = new AbortController();
  const timer = setTimeout(
    () => controller.abort(new Error(`no answer within ${PROVIDER_TIMEOUT_MS} ms`)),
    PROVIDER_TIMEOUT_MS,
  );
  try {
    return await fetch(url, { ...init, signal: controller.signal });
  } finally {
    clearTimeout(timer);
  }
}

export type Outcome =
  | { status: "sent"; providerId?: string }
  | { status: "skipped"; reason: string }
  /** Permanent: `deadLetter` when an operator can fix it (credentials, a refused request) and re-drive. */
  | { status: "failed"; reason: string; deadLetter: boolean }
  | { status: "retry"; reason: string; retryAfterSeconds?: number };

export interface Send {
  env: Env;
  recipient: Recipient;
  target: string;
  event: NotificationEvent;
  message: RenderedMessage;
}

export interface ChannelSender {
  channel: Channel;
  /** Why the channel cannot send at all (a provider secret not set), or null. */
  unconfigured(env: Env): string | null;
  /** The targets to send to ("" for a single-target channel), or why the recipient cannot be reached. */
  targets(recipient: Recipient): string[] | { skip: string };
  send(delivery: Send): Promise<Outcome>;
  /** Several deliveries at once (one outcome each, in order), for a channel that batches its writes. */
  sendMany?(deliveries: Send[]): Promise<Outcome[]>;
}

/** The outcome of a provider's HTTP answer (the body is read only on failure, for the reason). */
export async function outcomeOf(
  provider: string,
  response: Response,
  providerId?: (body: unknown) => string | undefined,
): Promise<Outcome> {
  if (response.ok) {
    const body = providerId ? await response.json().catch(() => null) : null;
    return { status: "sent", providerId: body ? providerId?.(body) : undefined };
  }
  const text = (await response.text().catch(() => "")).slice(0, 300);
  const reason = `${provider} answered ${response.status}${text ? `: ${text}` : ""}`;
  if (response.status === 429 || response.status >= 500) {
    return { status: "retry", reason, retryAfterSeconds: retryAfter(response.headers.get("Retry-After")) };
  }
  return { status: "failed", reason, deadLetter: true };
}

/** A network error talking to a provider: retried. */
export function unreachable(provider: string, error: unknown): Outcome {
  return { status: "retry", reason: `${provider} unreachable: ${String(error)}` };
}

/** `Retry-After` as seconds (RFC 9110: delay-seconds or an HTTP date), or undefined. */
export function retryAfter(header: string | null, now = Date.now()): number | undefined {
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}
