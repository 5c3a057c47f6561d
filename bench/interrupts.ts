/**
 * What a benchmark stops when it is interrupted (Ctrl-C, SIGTERM): each cleanup runs once, then the
 * process exits with 130. Returns the set to add cleanups to.
 */
export function stopOnInterrupt(log: (line: string) => void): Set<() => Promise<void> | void> {
  const cleanups = new Set<() => Promise<void> | void>();
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      log(`${signal}: stopping`);
      void Promise.allSettled([...cleanups].map(async (c) => c())).then(() => process.exit(130));
    });
  }
  return cleanups;
}
