/**
 * The alerts benchmark's alerts (bench/alerts.ts): a fixed mix over the load's coins that the load
 * never fires (every threshold far from the market), as `POST /api/alerts` bodies and as the D1 rows
 * the API stores for them, and the seeding of those rows into the local D1 of a stopped Worker.
 *
 * Alert `i` is on coin `i % coins` and of the kind of slot `floor(i / coins) % 20`: 9 slots price
 * (45 %), 7 premium (35 %), 2 premium percentile (10 %), 1 liquidation (5 %), 1 caution (5 %). So the
 * first `coins` alerts are one price alert per coin, and every coin gets the same mix.
 */
import { execFileSync } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { AlertCreate } from "../protocol/alerts";
import { type TickWriter, VENUES } from "./market-fixture";

/** Rows per INSERT statement of the seed file. */
const ROWS_PER_STATEMENT = 500;

const sig = (v: number) => Number(v.toPrecision(8));

/**
 * The creation request of alert `i`. Hysteresis and cooldown are given explicitly, at the API's own
 * defaults for the kind (workers/alerts/alert-store.ts), so a seeded row equals the one the API stores.
 */
export function alertBody(i: number, writer: TickWriter): AlertCreate {
  const coins = writer.coins.length;
  const c = i % coins;
  const symbol = writer.coins[c];
  const slot = Math.floor(i / coins) % 20;
  const up = slot % 2 === 0;
  if (slot < 9) {
    // A price 100 times above, or 100 times below, the coin's price on the venue when the run starts.
    const v = (slot + c) % VENUES.length;
    const threshold = sig(up ? writer.price(c, v) * 100 : writer.price(c, v) / 100);
    return {
      kind: "price",
      symbol,
      venue: VENUES[v].venue,
      direction: up ? "above" : "below",
      threshold,
      hysteresis: sig(threshold * 0.005),
      cooldown_seconds: 300,
    };
  }
  if (slot < 16) {
    // The fixture's premiums are about 2 % (USD) and 1 % (USDT).
    return {
      kind: "premium",
      symbol,
      basis: up ? "usd" : "usdt",
      direction: c % 2 === 0 ? "above" : "below",
      threshold: c % 2 === 0 ? 500 : -90,
      hysteresis: 0.2,
      cooldown_seconds: 300,
    };
  }
  if (slot < 18) {
    // No coin has a day of premium history in a fresh run: the percentile is absent and never fires.
    return {
      kind: "premium_percentile",
      symbol,
      basis: c % 2 === 0 ? "usd" : "usdt",
      window: slot === 16 ? "30d" : "90d",
      direction: up ? "above" : "below",
      threshold: up ? 99 : 1,
      hysteresis: 5,
      cooldown_seconds: 300,
    };
  }
  if (slot === 18) {
    // The load carries no liquidation; one in ten is on any coin.
    return { kind: "liquidation", symbol: c % 10 === 0 ? null : symbol, min_usd: 1e12, cooldown_seconds: 60 };
  }
  // The load never changes a coin's caution flags.
  return { kind: "caution", symbol, cooldown_seconds: 60 };
}

const text = (v: string | null | undefined) =>
  v === null || v === undefined ? "NULL" : `'${v.replaceAll("'", "''")}'`;
const num = (v: number | null | undefined) => (v === null || v === undefined ? "NULL" : String(v));

/** The `alerts` row (SQL values) the API would store for `body` (as `ruleFromCreate` and `insertAlert` do). */
function rowValues(body: AlertCreate, userId: string, now: number): string {
  const level = body.kind === "price" || body.kind === "premium" || body.kind === "premium_percentile";
  return `(${[
    text(randomUUID()),
    text(userId),
    text(body.kind),
    text(body.symbol),
    text(body.kind === "price" ? body.venue : null),
    text(body.kind === "premium" || body.kind === "premium_percentile" ? body.basis : null),
    text(body.kind === "premium_percentile" ? (body.window ?? "30d") : null),
    text(level ? body.direction : null),
    num(level ? body.threshold : null),
    num(level ? (body.hysteresis ?? 0) : 0),
    num(body.kind === "liquidation" ? body.min_usd : null),
    num(body.cooldown_seconds ?? 0),
    "1",
    "NULL",
    num(now),
    num(now),
  ].join(",")})`;
}

export interface SeedResult {
  rows: number;
  statements: number;
  seconds: number;
}

/**
 * Writes alerts `from` to `to` (exclusive; alert `i` belongs to `userIds[i % userIds.length]`) into
 * the local D1 under `persistDir` with `wrangler d1 execute --local`, run in `sourceDir` (its
 * wrangler.toml names the database). The Worker must be stopped: the command opens the same files.
 */
export function seedAlerts(input: {
  sourceDir: string;
  persistDir: string;
  writer: TickWriter;
  userIds: string[];
  from: number;
  to: number;
}): SeedResult {
  const now = Date.now();
  const statements: string[] = [];
  for (let start = input.from; start < input.to; start += ROWS_PER_STATEMENT) {
    const values: string[] = [];
    for (let i = start; i < Math.min(input.to, start + ROWS_PER_STATEMENT); i++) {
      values.push(rowValues(alertBody(i, input.writer), input.userIds[i % input.userIds.length], now));
    }
    statements.push(
      `INSERT INTO alerts (id, user_id, kind, symbol, venue, basis, window, direction, threshold, hysteresis, min_usd, cooldown_seconds, enabled, note, created_at, updated_at) VALUES ${values.join(",")};`,
    );
  }
  const dir = mkdtempSync(join(tmpdir(), "kimchi-alert-seed-"));
  const file = join(dir, "alerts.sql");
  writeFileSync(file, `${statements.join("\n")}\n`);
  const t = Date.now();
  try {
    execFileSync(
      "npx",
      ["wrangler", "d1", "execute", "kimchi-edge", "--local", "--persist-to", input.persistDir, "--file", file],
      { cwd: input.sourceDir, stdio: ["ignore", "ignore", "pipe"] },
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return { rows: input.to - input.from, statements: statements.length, seconds: (Date.now() - t) / 1000 };
}
