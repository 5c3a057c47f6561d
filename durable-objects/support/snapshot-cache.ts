/**
 * A value loaded at most once per `maxAgeMs`, shared by every reader, and served stale while it is
 * refreshed: a reader never waits for a reload unless the value is older than `maxStaleMs` (or there
 * is none yet). `/api/coins/latest` is a few hundred KiB rendered by the MarketBoard; without this,
 * every request would wait for a render or copy it across an RPC. Readers see data at most
 * `maxStaleMs` older than the source's (normally about `maxAgeMs`); live updates are the WebSocket
 * streams' job.
 */
export class SnapshotCache<T> {
  private value: { body: T; at: number } | null = null;
  private inflight: Promise<T> | null = null;

  constructor(
    private readonly maxAgeMs: number,
    private readonly maxStaleMs: number,
    /** The clock (tests pass their own). */
    private readonly now: () => number = Date.now,
  ) {}

  /**
   * The cached value, refreshing it when it is older than `maxAgeMs`. `waitUntil` keeps a background
   * refresh alive after the request that started it has been answered (a Worker's `ctx.waitUntil`).
   */
  async get(load: () => Promise<T>, waitUntil?: (work: Promise<unknown>) => void): Promise<T> {
    const now = this.now();
    const cached = this.value;
    if (cached && now - cached.at < this.maxAgeMs) return cached.body;
    const refresh = this.refresh(load);
    if (cached && now - cached.at < this.maxStaleMs) {
      waitUntil?.(refresh.catch(() => undefined));
      return cached.body;
    }
    return refresh;
  }

  /** The last value loaded and when (ms since epoch), however old: what to answer while the source fails. */
  last(): { body: T; at: number } | null {
    return this.value;
  }

  private refresh(load: () => Promise<T>): Promise<T> {
    this.inflight ??= load()
      .then((body) => {
        this.value = { body, at: this.now() };
        return body;
      })
      .finally(() => {
        this.inflight = null;
      });
    return this.inflight;
  }
}
