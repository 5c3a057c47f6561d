import type { FreshnessBounds } from "../market/premium";

function positiveNumber(value: string | undefined, fallback: number): number {
  const n = Number(value);
  return Number.isFinite(n) && n > 0 ? n : fallback;
}

/** Freshness bounds from `TICKER_STALE_MS` and `FX_STALE_MS` (defaults: 30 s and 10 min). */
export function readBounds(env: Env): FreshnessBounds {
  return {
    tickerMs: positiveNumber(env.TICKER_STALE_MS, 30_000),
    fxMs: positiveNumber(env.FX_STALE_MS, 600_000),
  };
}

/** The WebSocket conflation interval from `FANOUT_INTERVAL_MS` (default 50 ms, at most 100 ms). */
export function readFanoutInterval(env: Env): number {
  return Math.min(positiveNumber(env.FANOUT_INTERVAL_MS, 50), 100);
}

/** How long a WebSocket client may stay silent (no message, no `ping`) before it is closed as stalled (default 90 s). */
export function readIdleTimeout(env: Env): number {
  return positiveNumber(env.WS_IDLE_TIMEOUT_MS, 90_000);
}

/** Most sockets a fan-out shard takes before the stream opens another, from `FANOUT_SHARD_CEILING` (default 500). */
export function readShardCeiling(env: Env): number {
  return Math.floor(positiveNumber(env.FANOUT_SHARD_CEILING, 500));
}
