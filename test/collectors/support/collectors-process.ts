/** Runs `tsx collectors/main.ts ...` as a child process, as `npm start` and users do. */
import { type ChildProcess, spawn } from "node:child_process";

export interface CollectorsProcess {
  child: ChildProcess;
  /** Everything written to stderr (the log) so far. */
  log(): string;
  /** SIGTERM (a clean stop); resolves with the exit code. */
  stop(): Promise<number | null>;
  /** Resolves with the exit code when it ends on its own. */
  exited: Promise<number | null>;
}

const ROOT = new URL("../../..", import.meta.url).pathname;

export function startCollectors(args: string[], options: { stdin?: string } = {}): CollectorsProcess {
  // node with tsx's loader (what `npx tsx` runs), so the signal reaches our own process directly.
  const child = spawn(process.execPath, ["--import", "tsx", "collectors/main.ts", ...args], {
    cwd: ROOT,
    stdio: [options.stdin === undefined ? "ignore" : "pipe", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr?.setEncoding("utf8").on("data", (d: string) => {
    stderr += d;
  });
  child.stdout?.resume();
  if (options.stdin !== undefined) child.stdin?.end(options.stdin);
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
  return {
    child,
    log: () => stderr,
    exited,
    stop: async () => {
      if (child.exitCode === null) child.kill("SIGTERM");
      const timeout = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(timeout);
      return code;
    },
  };
}

/** Runs `npm run --silent collectors -- <args>` to completion with `stdin`; returns its output. */
export function runNpmCollectors(
  args: string[],
  stdin: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn("npm", ["run", "--silent", "collectors", "--", ...args], {
      cwd: ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.stderr.setEncoding("utf8").on("data", (d: string) => {
      stderr += d;
    });
    child.once("exit", (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}
