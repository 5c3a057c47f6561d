import { gunzipSync } from "node:zlib";
import WebSocket, { type RawData } from "ws";
import { sleep } from "./abortable-sleep";
import { Backoff } from "./backoff";
import type { FeedContext } from "./feed";
import type { NormalizeResult } from "./frames";
import { parseRetryAfter } from "./http-errors";
import { errorMessage } from "./log";

/** The open connection, as a feed's handlers see it. */
export interface WsConnection {
  /** Sends a text frame (ignored when the socket is not open). */
  send(text: string): void;
  /** Sends a WebSocket ping control frame. */
  ping(): void;
  /** Closes this connection and connects again (after the usual backoff). */
  reconnect(reason: string): void;
}

/** How a feed keeps an idle connection open. */
export type KeepAlive =
  /** A WebSocket ping control frame every `intervalMs`. */
  | { intervalMs: number; kind: "ping-frame" }
  /** A text message every `intervalMs` (`PING` for Upbit, `ping` for OKX, `{"op":"ping"}` JSON for Bybit). */
  | { intervalMs: number; kind: "text"; message: string | (() => string) };

/** Options of {@link runWebSocket}. */
export interface WsOptions {
  /** The URL, computed per attempt (a feed may need a fresh market list first). */
  url: () => string | Promise<string>;
  /** After the socket opens: send subscriptions here. */
  onOpen?: (conn: WsConnection) => void | Promise<void>;
  /**
   * Each frame as text (binary frames decoded as UTF-8, gzip-compressed ones inflated). Return what it
   * was: only `data` frames reset the silence timer, so keep-alive answers cannot hide a dead stream.
   * Default: `ctx.emitText("ws", text)`.
   */
  onText?: (text: string, conn: WsConnection) => NormalizeResult;
  /** Keep-alive sent by us. Pings from the server are answered by `ws` automatically (pong with its payload). */
  keepAlive?: KeepAlive;
  /** Reconnect after this long without a `data` frame (ms). */
  silenceMs: number;
  /** Reconnect proactively after this long (ms), e.g. before Binance's 24 h cut. */
  maxConnectionMs?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

/** Decodes one WebSocket message to text: Buffer, ArrayBuffer or fragments; gzip (`1f 8b`) inflated. */
export function decodeFrame(data: RawData): string {
  const buf = Array.isArray(data) ? Buffer.concat(data) : Buffer.isBuffer(data) ? data : Buffer.from(data);
  if (buf.length >= 2 && buf[0] === 0x1f && buf[1] === 0x8b) return gunzipSync(buf).toString("utf8");
  return buf.toString("utf8");
}

/**
 * Keeps one WebSocket connection to a venue alive until `ctx.signal` aborts: connects, calls `onOpen`,
 * hands frames on, sends keep-alives, detects a silent feed, and reconnects with exponential backoff
 * and jitter after any close, error or silence. Updates `ctx.metrics` (connected, reconnects).
 */
export async function runWebSocket(ctx: FeedContext, options: WsOptions): Promise<void> {
  const backoff = new Backoff(ctx.tuning.backoff);
  const onText = options.onText ?? ((text: string) => ctx.emitText("ws", text));
  let first = true;
  while (!ctx.signal.aborted) {
    if (!first) {
      ctx.metrics.reconnects++;
      const delay = backoff.next();
      ctx.log.info("reconnecting", { in_ms: delay, attempt: backoff.failures });
      await sleep(delay, ctx.signal);
      if (ctx.signal.aborted) break;
    }
    first = false;
    let url: string;
    try {
      url = await options.url();
    } catch (error) {
      ctx.log.warn("could not prepare the connection", { error: errorMessage(error) });
      continue;
    }
    const outcome = await connectOnce(ctx, url, options, onText);
    if (outcome.gotData) backoff.reset();
    if (outcome.retryAfterMs !== undefined) {
      // The handshake was rate limited (429/418): wait what the venue asked before the usual backoff.
      ctx.log.warn("connection rate limited; waiting", { wait_ms: outcome.retryAfterMs });
      await sleep(outcome.retryAfterMs, ctx.signal);
    }
  }
  ctx.metrics.connected = false;
}

/** How long to wait after a rate-limited handshake that gave no Retry-After (418: a ban). */
const RATE_LIMITED_WAIT_MS = { 429: 5_000, 418: 60_000 } as const;

/**
 * One connection's life; resolves when it is closed, with whether it carried any data and, for a
 * rate-limited handshake, how long to wait.
 */
function connectOnce(
  ctx: FeedContext,
  url: string,
  options: WsOptions,
  onText: (text: string, conn: WsConnection) => NormalizeResult,
): Promise<{ gotData: boolean; retryAfterMs?: number }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(url, { handshakeTimeout: 10_000, headers: options.headers });
    const timers: NodeJS.Timeout[] = [];
    let gotData = false;
    let retryAfterMs: number | undefined;
    let lastDataAt = Date.now();
    let closed = false;

    const finish = (reason: string, level: "info" | "warn" = "warn") => {
      if (closed) return;
      closed = true;
      for (const t of timers) clearInterval(t);
      ctx.signal.removeEventListener("abort", onAbort);
      ctx.metrics.connected = false;
      socket.removeAllListeners();
      socket.on("error", () => {}); // a late error on a socket we gave up must not crash the process
      socket.terminate();
      if (!ctx.signal.aborted) ctx.log[level]("disconnected", { reason });
      resolve({ gotData, retryAfterMs });
    };
    const onAbort = () => finish("stopped", "info");
    ctx.signal.addEventListener("abort", onAbort, { once: true });

    const conn: WsConnection = {
      send: (text) => {
        if (socket.readyState === WebSocket.OPEN) socket.send(text);
      },
      ping: () => {
        if (socket.readyState === WebSocket.OPEN) socket.ping();
      },
      reconnect: (reason) => finish(reason, "info"),
    };

    socket.on("open", () => {
      ctx.metrics.connected = true;
      lastDataAt = Date.now();
      ctx.log.info("connected", { url });
      const ka = options.keepAlive;
      if (ka) {
        timers.push(
          setInterval(() => {
            if (ka.kind === "ping-frame") conn.ping();
            else conn.send(typeof ka.message === "function" ? ka.message() : ka.message);
          }, ka.intervalMs),
        );
      }
      timers.push(
        setInterval(
          () => {
            const silentFor = Date.now() - lastDataAt;
            if (silentFor > options.silenceMs) finish(`no market data for ${Math.round(silentFor / 1000)} s`);
          },
          Math.max(50, Math.min(1000, options.silenceMs / 4)),
        ),
      );
      if (options.maxConnectionMs) {
        const max = options.maxConnectionMs;
        const opened = Date.now();
        timers.push(
          setInterval(
            () => {
              if (Date.now() - opened >= max) finish("planned reconnect before the venue's connection limit", "info");
            },
            Math.min(60_000, max),
          ),
        );
      }
      Promise.resolve(options.onOpen?.(conn)).catch((error: unknown) =>
        finish(`subscribing failed: ${errorMessage(error)}`),
      );
    });
    socket.on("message", (data) => {
      let text: string;
      try {
        text = decodeFrame(data);
      } catch (error) {
        ctx.metrics.parseErrors++;
        ctx.log.warn("undecodable frame skipped", { error: errorMessage(error) });
        return;
      }
      const result = onText(text, conn);
      if (result.kind === "data") {
        gotData = true;
        lastDataAt = Date.now();
      }
    });
    socket.on("unexpected-response", (_req, res) => {
      const status = res.statusCode ?? 0;
      if (status === 429 || status === 418) {
        ctx.metrics.rateLimited++;
        const header = res.headers["retry-after"];
        const asked = parseRetryAfter(Array.isArray(header) ? (header[0] ?? null) : (header ?? null));
        retryAfterMs = asked ?? RATE_LIMITED_WAIT_MS[status];
      }
      finish(`handshake answered HTTP ${status}`);
    });
    socket.on("error", (error) => finish(`socket error: ${errorMessage(error)}`));
    socket.on("close", (code, reason) =>
      finish(`closed by the server (code ${code}${reason.length ? `, ${reason}` : ""})`),
    );
  });
}
