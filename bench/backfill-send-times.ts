/**
 * When the collectors sent each request to a venue's candle API: the time of the `fetch` call, after the
 * token bucket let it go and before the network and the simulator's event loop. Next to the arrival
 * times the simulator records, it tells the collector's own pacing from bunching on the way (on a
 * busy 2-core machine a stalled event loop delivers requests in clumps).
 */
export class SendTimes {
  private readonly times = new Map<string, number[]>();
  private original: typeof fetch | undefined;

  /** Starts noting requests whose URL starts with one of `prefixes` (key: the prefix's label). */
  start(prefixes: ReadonlyMap<string, string>): void {
    const original = globalThis.fetch;
    this.original = original;
    globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
      for (const [label, prefix] of prefixes) {
        if (!url.startsWith(prefix)) continue;
        let list = this.times.get(label);
        if (!list) {
          list = [];
          this.times.set(label, list);
        }
        list.push(Date.now());
        break;
      }
      return original(input, init);
    }) as typeof fetch;
  }

  /** Stops noting (the original `fetch` again). */
  stop(): void {
    if (this.original) globalThis.fetch = this.original;
    this.original = undefined;
  }

  /** The send times noted for `label`. */
  of(label: string): number[] {
    return this.times.get(label) ?? [];
  }
}
