import { problems } from "./openapi";
import { Problem } from "./problem";

/** Throws a 426 problem unless the request asks for a WebSocket upgrade. */
export function requireUpgrade(request: Request): void {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket") {
    throw new Problem(426, "websocket-required", "This path is a WebSocket; send an Upgrade: websocket request");
  }
}

/** The object that owns a stream: anything that accepts a forwarded upgrade (a Durable Object stub). */
export interface StreamOwner {
  fetch(request: Request): Promise<Response>;
}

/**
 * Hands a WebSocket upgrade to the Durable Object that owns the stream, which accepts the socket
 * with the Hibernation API; a request that is not an upgrade is a 426.
 */
export function forwardUpgrade(request: Request, owner: StreamOwner): Promise<Response> {
  requireUpgrade(request);
  return owner.fetch(request);
}

/** The `responses` of a WebSocket route in the OpenAPI document. */
export function upgradeResponses(messages: string, ...errors: number[]) {
  const description = messages ? `Switching protocols. ${messages}` : "Switching protocols";
  return { 101: { description }, ...problems(426, ...errors) };
}
