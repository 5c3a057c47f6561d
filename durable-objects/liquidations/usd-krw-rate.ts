/** How long a USD/KRW rate read from the MarketBoard is reused. */
const RATE_MAX_AGE_MS = 5_000;

/**
 * The USD/KRW rate the liquidation feed values KRW figures at: read from the MarketBoard at most every
 * 5 s (one read in flight at a time), the last one known when the board does not answer. Flushes
 * cannot wait for a read, so they use `cached()`.
 */
export class UsdKrwRate {
  private rate: { rate: number | null; fetchedAt: number } | null = null;
  private request: Promise<number | null> | null = null;

  constructor(private readonly read: () => Promise<number | null>) {}

  /** The rate, read again when the cached one is older than 5 s. */
  async current(): Promise<number | null> {
    if (this.rate && Date.now() - this.rate.fetchedAt < RATE_MAX_AGE_MS) return this.rate.rate;
    this.request ??= (async () => {
      try {
        this.set(await this.read());
      } catch (err) {
        console.warn(JSON.stringify({ msg: "liquidation feed could not read USD/KRW", error: String(err) }));
      } finally {
        this.request = null;
      }
      return this.cached();
    })();
    return this.request;
  }

  /** The last rate known, without waiting. */
  cached(): number | null {
    return this.rate?.rate ?? null;
  }

  /** Takes a rate someone else read (the board passes its own when it asks for the summary). */
  set(rate: number | null): void {
    this.rate = { rate, fetchedAt: Date.now() };
  }

  /** For operators: the rate and when it was read. */
  state(): { rate: number | null; fetched_at: number | null } {
    return { rate: this.rate?.rate ?? null, fetched_at: this.rate?.fetchedAt ?? null };
  }
}
