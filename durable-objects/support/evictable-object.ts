import { DurableObject } from "cloudflare:workers";

/** A Durable Object an operator (or the soak's fault injection) can reset: see `evict`. */
export abstract class EvictableObject extends DurableObject<Env> {
  /**
   * Resets this object at once, as a crash or an eviction would: its in-memory state is dropped, calls
   * in flight fail, its WebSockets are cut, and the next call builds it again from storage (which keeps
   * everything committed). For operators and the soak's "objects evicted" fault (`POST /internal/evict`).
   * The caller's call fails too: that failure is the sign the reset happened.
   * https://developers.cloudflare.com/durable-objects/api/state/#abort
   */
  evict(reason: string): void {
    this.ctx.abort(reason);
  }
}
