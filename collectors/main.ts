/**
 * The collectors' entry point: `tsx collectors/main.ts [run|record FILE|replay FILE|normalize|simulator]`.
 * See collectors/cli-options.ts for flags and the top-level README ("Collectors") for how to run it.
 */
import { type CliOptions, parseCli, USAGE } from "./cli-options";
import { normalizeStream } from "./commands/normalize";
import { replayFile } from "./commands/replay";
import { runCollectors } from "./commands/run";
import { createLogger, errorMessage } from "./core/log";
import { VenueSimulator } from "./simulator/server";

async function main(): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseCli(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`${errorMessage(error)}\n\n${USAGE}`);
    return 2;
  }
  if (opts.command === "help") {
    process.stdout.write(USAGE);
    return 0;
  }
  const log = createLogger({ level: opts.logLevel, format: opts.logFormat });
  const stopped = new Promise<void>((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });

  if (opts.command === "normalize") {
    const summary = await normalizeStream(process.stdin, process.stdout, process.stderr);
    process.stderr.write(`normalize: ${summary.lines} lines, ${summary.events} events, ${summary.problems} problems\n`);
    return 0;
  }
  if (opts.command === "simulator") {
    const sim = await VenueSimulator.start({ port: opts.simulatorPort, host: "0.0.0.0", log });
    log.info("venue simulator listening", { url: `http://127.0.0.1:${sim.port}`, coins: sim.market.coins.length });
    await stopped;
    await sim.stop();
    return 0;
  }
  if (opts.command === "replay") {
    const controller = new AbortController();
    void stopped.then(() => controller.abort());
    const counts = await replayFile(opts, log, controller.signal);
    log.info("replay finished", counts);
    return 0;
  }
  const running = await runCollectors(opts, log);
  await stopped;
  log.info("stopping: draining the pusher for up to 3 s");
  await running.stop();
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(
      `collectors failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  },
);
