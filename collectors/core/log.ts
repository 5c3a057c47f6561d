/** Severity of a log line. */
export type LogLevel = "debug" | "info" | "warn" | "error";

/** Extra key/values of a log line. */
export type LogFields = Record<string, string | number | boolean | null | undefined>;

/** A structured logger: one line per call, with the component (venue, pusher, ...) and key=value fields. */
export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A logger for a sub-component (`upbit`, `pusher`). */
  child(component: string): Logger;
}

const ORDER: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

/** Options of {@link createLogger}. */
export interface LoggerOptions {
  /** Lowest level written. Default `info` (`LOG_LEVEL`). */
  level?: LogLevel;
  /** `text` (readable `key=value` lines, the default) or `json` (one JSON object per line). */
  format?: "text" | "json";
  /** Where lines go. Default: stderr, so stdout stays free for `normalize` output. */
  write?: (line: string) => void;
}

function formatValue(value: string | number | boolean | null): string {
  if (typeof value !== "string") return String(value);
  return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

/**
 * A logger writing `2026-01-02T03:04:05.678Z INFO  [upbit] connected url=wss://... codes=231`
 * (or JSON lines with `format: "json"`).
 */
export function createLogger(options: LoggerOptions = {}, component = "collectors"): Logger {
  const min = ORDER[options.level ?? "info"];
  const format = options.format ?? "text";
  const write = options.write ?? ((line: string) => process.stderr.write(`${line}\n`));
  const emit = (level: LogLevel, message: string, fields?: LogFields) => {
    if (ORDER[level] < min) return;
    const time = new Date().toISOString();
    if (format === "json") {
      write(JSON.stringify({ time, level, component, msg: message, ...fields }));
      return;
    }
    let line = `${time} ${level.toUpperCase().padEnd(5)} [${component}] ${message}`;
    for (const [k, v] of Object.entries(fields ?? {})) if (v !== undefined) line += ` ${k}=${formatValue(v)}`;
    write(line);
  };
  return {
    debug: (m, f) => emit("debug", m, f),
    info: (m, f) => emit("info", m, f),
    warn: (m, f) => emit("warn", m, f),
    error: (m, f) => emit("error", m, f),
    child: (name) => createLogger(options, name),
  };
}

/** A logger that writes nothing (tests, the `normalize` command's quiet parts). */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};

/** The message of an unknown thrown value. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = (error as Error & { cause?: unknown }).cause;
    return cause instanceof Error ? `${error.message}: ${cause.message}` : error.message;
  }
  return String(error);
}
