/**
 * A body fetched at most once per `maxAgeMs` per Worker isolate, with concurrent readers sharing
 * one fetch. `/api/coins/latest` is a few hundred KiB rendered by the MarketBoard; without this,
 * every request would copy it across an RPC. Readers see data at most `maxAgeMs` older than the
 * board's own (short-lived) render; live updates are the WebSocket streams' job.
 */
export class SnapshotCache<T> {
  private value: { body: T; at: number } | null = null;
  private inflight: Promise<T> | null = null;

  constructor(private readonly maxAgeMs: number) {}

  async get(load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    if (this.value && now - this.value.at < this.maxAgeMs) return this.value.body;
    if (!this.inflight) {
      this.inflight = load()
        .then((body) => {
          this.value = { body, at: Date.now() };
          return body;
        })
        .finally(() => {
          this.inflight = null;
        });
    }
    return this.inflight;
  }
}
