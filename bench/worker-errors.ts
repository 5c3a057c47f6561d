/**
 * What the Worker logged as errors during a benchmark, by message: the harness copies the Worker's
 * stderr to ours, and the Worker logs errors as JSON lines `{"msg": ...}`. After three of a kind,
 * further ones are counted, not printed.
 */
export type WorkerErrors = Map<string, { count: number; first: string }>;

/** Starts counting (replaces this process's stderr writer); answers the live map. */
export function captureWorkerErrors(): WorkerErrors {
  const errors: WorkerErrors = new Map();
  const writeStderr = process.stderr.write.bind(process.stderr) as (...args: unknown[]) => boolean;
  (process.stderr as unknown as { write: (...args: unknown[]) => boolean }).write = (...args: unknown[]) => {
    const chunk = args[0];
    const text = typeof chunk === "string" ? chunk : Buffer.isBuffer(chunk) ? chunk.toString("utf8") : "";
    const found = [...text.matchAll(/\{"msg":"([^"]+)".*\}/g)];
    if (found.length === 0) return writeStderr(...args);
    let print = false;
    for (const m of found) {
      const seen = errors.get(m[1]) ?? { count: 0, first: m[0] };
      seen.count++;
      errors.set(m[1], seen);
      if (seen.count <= 3) print = true;
    }
    return print ? writeStderr(...args) : true;
  };
  return errors;
}

/** One report note per message: how often, and the first in full (shortened). */
export function workerErrorNotes(errors: WorkerErrors): string[] {
  return [...errors].map(
    ([msg, { count, first }]) => `the Worker logged "${msg}" ${count} times; the first: \`${first.slice(0, 300)}\``,
  );
}
