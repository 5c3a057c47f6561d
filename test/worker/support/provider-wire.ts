/**
 * The notification providers, answered at the wire: `fetch` calls to Resend, Twilio, Telegram and
 * the test push service (`https://push.example.test/...`) are recorded with their real request (URL,
 * method, headers, body bytes) and answered by the test's `answer`; anything else goes to the real
 * `fetch`. The Worker's code runs in the test's isolate, so this sees exactly what it sends.
 */
import { vi } from "vitest";

export type Provider = "resend" | "twilio" | "telegram" | "push";

export interface WireCall {
  provider: Provider;
  url: string;
  method: string;
  headers: Headers;
  body: Uint8Array;
  /** The status the mock answered with. */
  status: number;
}

export type Answer = (call: Omit<WireCall, "status">) => Response | Promise<Response>;

export const PUSH_HOST = "push.example.test";

function providerOf(url: URL): Provider | null {
  if (url.hostname === "api.resend.com") return "resend";
  if (url.hostname === "api.twilio.com") return "twilio";
  if (url.hostname === "api.telegram.org") return "telegram";
  if (url.hostname === PUSH_HOST) return "push";
  return null;
}

/** A provider's success answer, shaped like the real one. */
export function ok(provider: Provider): Response {
  if (provider === "resend") return Response.json({ id: crypto.randomUUID() });
  if (provider === "twilio")
    return Response.json({ sid: `SM${crypto.randomUUID().replaceAll("-", "")}` }, { status: 201 });
  if (provider === "telegram") return Response.json({ ok: true, result: { message_id: 1 } });
  return new Response(null, { status: 201, headers: { Location: `https://${PUSH_HOST}/m/${crypto.randomUUID()}` } });
}

/** Intercepts provider calls until `restore()`. */
export function providerWire(answer: Answer = (c) => ok(c.provider)) {
  const calls: WireCall[] = [];
  const realFetch = globalThis.fetch;
  const spy = vi.spyOn(globalThis, "fetch").mockImplementation(async (input, init) => {
    const request = new Request(input as RequestInfo, init);
    const provider = providerOf(new URL(request.url));
    if (!provider) return realFetch(input as RequestInfo, init);
    const call = {
      provider,
      url: request.url,
      method: request.method,
      headers: request.headers,
      body: new Uint8Array(await request.arrayBuffer()),
    };
    const response = await answer(call);
    calls.push({ ...call, status: response.status });
    return response;
  });
  return {
    calls,
    /** Successful calls of one provider. */
    delivered: (provider: Provider) => calls.filter((c) => c.provider === provider && c.status < 300),
    restore: () => spy.mockRestore(),
  };
}
