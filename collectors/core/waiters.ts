/**
 * Callers waiting for something to change (a job queued, room freed), woken one at a time or all at
 * once; each also wakes when its own signal aborts, so a stopping loop never hangs on a wait.
 */
export class Waiters {
  private list: (() => void)[] = [];

  /** Resolves at the next wake (or when `signal` aborts; at once when it already has). */
  wait(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      const done = () => {
        signal?.removeEventListener("abort", done);
        this.list = this.list.filter((w) => w !== done);
        resolve();
      };
      this.list.push(done);
      signal?.addEventListener("abort", done, { once: true });
    });
  }

  /** Wakes the longest waiting caller. */
  wakeOne(): void {
    this.list[0]?.();
  }

  /** Wakes everyone waiting. */
  wakeAll(): void {
    for (const wake of [...this.list]) wake();
  }
}
