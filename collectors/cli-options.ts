import { parseArgs } from "node:util";
import type { CandleTuning } from "./candles/candle-tuning";
import type { LogLevel } from "./core/log";

/** Which venues to use: the real ones, the local simulator, or the real ones when reachable. */
export type SimulateMode = "off" | "on" | "auto";

/** Everything the CLI accepts (flags win over environment variables). */
export interface CliOptions {
  command: "run" | "record" | "replay" | "normalize" | "simulator" | "help";
  /** The file of `record` / `replay`. */
  file?: string;
  venues?: string[];
  workerUrl: string;
  /** Whether `--worker-url`/`WORKER_URL` was given (record pushes only then). */
  workerUrlGiven: boolean;
  token: string;
  simulate: SimulateMode;
  /** The collectors' /health and /metrics port (0: any free port; -1 (`off`): none). */
  port: number;
  simulatorPort: number;
  speed: number;
  retime: boolean;
  spoolDirectory?: string;
  flushIntervalMs: number;
  maxBatchEvents: number;
  logLevel: LogLevel;
  logFormat: "text" | "json";
  /** Whether the history feeds (candles, USD/KRW history) push through the history lane. */
  candles: boolean;
  /** Spans and rate-limit share of the candle feeds. */
  candleTuning: CandleTuning;
}

/** The usage text. */
export const USAGE = `kimchi collectors

usage: tsx collectors/main.ts [command] [flags]

commands:
  run (default)       connect to the venues and push to the Worker
  record FILE         like run, and append every raw frame to FILE (JSON lines); pushes only with --worker-url
  replay FILE         feed a recording through the adapters and push it (source "replay")
  normalize           stdin: raw-frame JSON lines -> stdout: ingest events as JSON lines (no Worker)
  simulator           run the local venue simulator alone

flags (environment variable in brackets):
  --venues a,b        feeds to run, default all  [COLLECTORS_VENUES]
  --worker-url URL    default http://127.0.0.1:8787  [WORKER_URL]
  --token TOKEN       the Worker's COLLECTOR_TOKEN  [COLLECTOR_TOKEN]
  --simulate [MODE]   on (bare flag): the local simulator; off (default): live venues;
                      auto: live when reachable, else the simulator  [COLLECTORS_SIMULATE]
  --port N|off        /health and /metrics port, default 8790; off: none  [COLLECTORS_PORT]
  --sim-port N        simulator port, default 0 (any) when embedded, 8791 alone  [SIMULATOR_PORT]
  --speed N           replay speed factor, default 1; 0 = as fast as possible
  --no-retime         replay with the recorded timestamps (default: shifted to now)
  --spool-dir DIR     where undeliverable liquidations/FX wait  [COLLECTORS_SPOOL_DIR]
  --flush-ms N        push interval, default 100; --batch-size N, default 500
  --candles on|off    venue candles and USD/KRW history, default on (with a Worker)  [COLLECTORS_CANDLES]
  --candle-days-1d N  days of 1-day candles to backfill, default 400  [COLLECTORS_CANDLE_DAYS_1D]
  --candle-days-1h N  days of 1-hour candles, default 90  [COLLECTORS_CANDLE_DAYS_1H]
  --candle-days-1m N  days of 1-minute candles, default 7  [COLLECTORS_CANDLE_DAYS_1M]
  --candle-rate-share X  share of each venue's published rate limit, default 0.8  [COLLECTORS_CANDLE_RATE_SHARE]
  --log-level L       debug|info|warn|error  [LOG_LEVEL]; --log-format text|json  [LOG_FORMAT]
`;

const COMMANDS = new Set(["run", "record", "replay", "normalize", "simulator", "help"]);

/** Parses argv (without node and the script) and the environment. Throws with a message on bad input. */
export function parseCli(argv: string[], env: NodeJS.ProcessEnv = process.env): CliOptions {
  // `--simulate` may stand alone (= on); give it an explicit value so parseArgs can read it.
  const args = argv.flatMap((a, i) => {
    if (a !== "--simulate") return [a];
    const next = argv[i + 1];
    return next === undefined || next.startsWith("--") ? ["--simulate=on"] : [a];
  });
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      venues: { type: "string" },
      "worker-url": { type: "string" },
      token: { type: "string" },
      simulate: { type: "string" },
      port: { type: "string" },
      "sim-port": { type: "string" },
      speed: { type: "string" },
      "no-retime": { type: "boolean" },
      "spool-dir": { type: "string" },
      "flush-ms": { type: "string" },
      "batch-size": { type: "string" },
      "log-level": { type: "string" },
      "log-format": { type: "string" },
      candles: { type: "string" },
      "candle-days-1d": { type: "string" },
      "candle-days-1h": { type: "string" },
      "candle-days-1m": { type: "string" },
      "candle-rate-share": { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  const command = (values.help ? "help" : (positionals[0] ?? "run")) as CliOptions["command"];
  if (!COMMANDS.has(command)) throw new Error(`unknown command "${command}"`);
  const file = positionals[1];
  if ((command === "record" || command === "replay") && !file) throw new Error(`${command} needs a FILE`);
  const int = (name: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined || raw === "") return fallback;
    const n = Number(raw);
    if (!Number.isFinite(n)) throw new Error(`--${name} must be a number, got "${raw}"`);
    return n;
  };
  const simulate = (values.simulate ?? env.COLLECTORS_SIMULATE ?? "off") as SimulateMode;
  if (!["on", "off", "auto"].includes(simulate))
    throw new Error(`--simulate must be on, off or auto, got "${simulate}"`);
  const level = (values["log-level"] ?? env.LOG_LEVEL ?? "info") as LogLevel;
  if (!["debug", "info", "warn", "error"].includes(level)) throw new Error(`bad log level "${level}"`);
  const format = (values["log-format"] ?? env.LOG_FORMAT ?? "text") as "text" | "json";
  const candles = values.candles ?? env.COLLECTORS_CANDLES ?? "on";
  if (!["on", "off"].includes(candles)) throw new Error(`--candles must be on or off, got "${candles}"`);
  const days = (name: string, raw: string | undefined, fallback: number): number => {
    const n = int(name, raw, fallback);
    if (n < 0) throw new Error(`--${name} must not be negative, got "${raw}"`);
    return n * 86_400_000;
  };
  const rateShare = int("candle-rate-share", values["candle-rate-share"] ?? env.COLLECTORS_CANDLE_RATE_SHARE, 0.8);
  if (!(rateShare > 0 && rateShare <= 1)) throw new Error(`--candle-rate-share must be in (0, 1], got ${rateShare}`);
  const venuesRaw = values.venues ?? env.COLLECTORS_VENUES;
  const workerUrlRaw = values["worker-url"] ?? env.WORKER_URL;
  return {
    command,
    file,
    venues: venuesRaw
      ? venuesRaw
          .split(",")
          .map((v) => v.trim())
          .filter(Boolean)
      : undefined,
    workerUrl: workerUrlRaw ?? "http://127.0.0.1:8787",
    workerUrlGiven: workerUrlRaw !== undefined,
    token: values.token ?? env.COLLECTOR_TOKEN ?? "dev-collector-token-change-me",
    simulate,
    port: (values.port ?? env.COLLECTORS_PORT) === "off" ? -1 : int("port", values.port ?? env.COLLECTORS_PORT, 8790),
    simulatorPort: int("sim-port", values["sim-port"] ?? env.SIMULATOR_PORT, command === "simulator" ? 8791 : 0),
    speed: int("speed", values.speed, 1),
    retime: !values["no-retime"],
    spoolDirectory: values["spool-dir"] ?? env.COLLECTORS_SPOOL_DIR,
    flushIntervalMs: int("flush-ms", values["flush-ms"], 100),
    maxBatchEvents: int("batch-size", values["batch-size"], 500),
    logLevel: level,
    logFormat: format === "json" ? "json" : "text",
    candles: candles === "on",
    candleTuning: {
      spansMs: {
        "1d": days("candle-days-1d", values["candle-days-1d"] ?? env.COLLECTORS_CANDLE_DAYS_1D, 400),
        "1h": days("candle-days-1h", values["candle-days-1h"] ?? env.COLLECTORS_CANDLE_DAYS_1H, 90),
        "1m": days("candle-days-1m", values["candle-days-1m"] ?? env.COLLECTORS_CANDLE_DAYS_1M, 7),
      },
      rateShare,
    },
  };
}
