import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import type { TokenResponse } from "../../protocol/auth";
import type { PlatformReport } from "../../protocol/reports";
import { seoulDayRange } from "../../workers/reports/platform-report";
import { call, newAccount, signIn } from "./support/auth";

const HOUR = 3_600_000;

/**
 * A day in the 1950s or 60s: other test files write their rows dated now or at 0 (1970), so the only
 * users created before it, and the only orders and fills on it, are the ones seeded here.
 */
function randomDay(): string {
  const ms = Date.UTC(1950, 0, 1) + Math.floor(Math.random() * 19 * 365) * 86_400_000;
  return new Date(ms).toISOString().slice(0, 10);
}

async function adminToken(): Promise<string> {
  const res = await signIn(env.ADMIN_EMAIL, env.ADMIN_PASSWORD);
  return ((await res.json()) as TokenResponse).access_token;
}

function userRow(id: string, createdAt: number) {
  return env.DB.prepare(
    `INSERT INTO users (id, email, email_normalized, username, password_hash, role, locale, timezone,
       created_at, updated_at, password_changed_at)
     VALUES (?1, ?2, ?2, 'seeded', 'x', 'user', 'ko', 'Asia/Seoul', ?3, ?3, ?3)`,
  ).bind(id, `${id}@example.com`, createdAt);
}

function orderRow(o: { user: string; status: string; type: string; side: string; venue: string; at: number }) {
  const quote = o.venue === "upbit" ? "KRW" : "USDT";
  return env.DB.prepare(
    `INSERT INTO orders (id, user_id, symbol, venue, side, order_type, time_in_force, quantity, status,
       filled_quantity, filled_value, fee, fee_currency, created_at, updated_at, version)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, 'GTC', '1', ?7, '0', '0', '0', ?8, ?9, ?9, 1)`,
  ).bind(crypto.randomUUID(), o.user, `BTC/${quote}`, o.venue, o.side, o.type, o.status, quote, o.at);
}

function fillRow(f: {
  user: string;
  venue: string;
  side: string;
  quantity: string;
  price: string;
  fee: string;
  liquidity: string;
  at: number;
}) {
  const quote = f.venue === "upbit" ? "KRW" : "USDT";
  return env.DB.prepare(
    `INSERT INTO fills (id, order_id, user_id, symbol, venue, side, quantity, price, fee, fee_currency, liquidity, timestamp)
     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)`,
  ).bind(
    crypto.randomUUID(),
    crypto.randomUUID(),
    f.user,
    `BTC/${quote}`,
    f.venue,
    f.side,
    f.quantity,
    f.price,
    f.fee,
    quote,
    f.liquidity,
    f.at,
  );
}

/** Seeds one day: its users, orders and fills, and rows just outside it on both sides. */
async function seedDay(date: string): Promise<void> {
  const { start, end } = seoulDayRange(date);
  const [a, b, c, d, e, f] = Array.from({ length: 6 }, () => crypto.randomUUID());
  await env.DB.batch([
    userRow(a, start - 30 * HOUR), // before the day: in the total, not new
    userRow(b, start - 1),
    userRow(c, start), // the day's first millisecond: new
    userRow(d, start + 12 * HOUR),
    userRow(e, end - 1),
    userRow(f, end), // the next day: neither
    orderRow({ user: a, status: "FILLED", type: "MARKET", side: "BUY", venue: "upbit", at: start + HOUR }),
    orderRow({ user: a, status: "FILLED", type: "MARKET", side: "BUY", venue: "upbit", at: start + 2 * HOUR }),
    orderRow({ user: a, status: "CANCELLED", type: "LIMIT", side: "SELL", venue: "binance", at: end - 1 }),
    orderRow({ user: b, status: "REJECTED", type: "STOP", side: "BUY", venue: "binance", at: start }),
    orderRow({ user: c, status: "FILLED", type: "MARKET", side: "BUY", venue: "upbit", at: start - 1 }),
    orderRow({ user: d, status: "FILLED", type: "MARKET", side: "SELL", venue: "upbit", at: end }),
    fillRow({
      user: a,
      venue: "upbit",
      side: "BUY",
      quantity: "0.5",
      price: "100000",
      fee: "25",
      liquidity: "taker",
      at: start + HOUR,
    }),
    fillRow({
      user: a,
      venue: "upbit",
      side: "BUY",
      quantity: "0.25",
      price: "120000",
      fee: "15",
      liquidity: "taker",
      at: start + 2 * HOUR,
    }),
    fillRow({
      user: b,
      venue: "binance",
      side: "SELL",
      quantity: "2",
      price: "70.5",
      fee: "0.141",
      liquidity: "maker",
      at: end - 1,
    }),
    fillRow({
      user: c,
      venue: "upbit",
      side: "BUY",
      quantity: "9",
      price: "1",
      fee: "1",
      liquidity: "taker",
      at: start - 1,
    }),
    fillRow({
      user: d,
      venue: "bybit",
      side: "SELL",
      quantity: "9",
      price: "1",
      fee: "1",
      liquidity: "taker",
      at: end,
    }),
  ]);
}

describe("GET /api/admin/reports/platform", () => {
  const date = randomDay();
  beforeAll(() => seedDay(date));

  it("counts the day's users, orders, fills and traded value per venue (Asia/Seoul day bounds)", async () => {
    const res = await call(`/api/admin/reports/platform?date=${date}`, { token: await adminToken() });
    expect(res.status).toBe(200);
    const report = (await res.json()) as PlatformReport;
    const { start, end } = seoulDayRange(date);
    expect(report).toMatchObject({
      date,
      time_zone: "Asia/Seoul",
      from: new Date(start).toISOString(),
      to: new Date(end).toISOString(),
      users: { total: 5, new: 3, active_traders: 2 },
      orders: {
        total: 4,
        by_status: { FILLED: 2, CANCELLED: 1, REJECTED: 1 },
        by_type: { MARKET: 2, LIMIT: 1, STOP: 1 },
        by_side: { BUY: 3, SELL: 1 },
      },
      fills: { total: 3, traders: 2 },
    });
    expect(report.from).toBe(
      `${new Date(Date.parse(`${date}T00:00:00Z`) - 86_400_000).toISOString().slice(0, 10)}T15:00:00.000Z`,
    );
    expect(report.volume).toEqual([
      {
        venue: "upbit",
        currency: "KRW",
        fills: 2,
        value: 80_000,
        buy_value: 80_000,
        sell_value: 0,
        fees: 40,
        maker_fills: 0,
        taker_fills: 2,
      },
      {
        venue: "binance",
        currency: "USDT",
        fills: 1,
        value: 141,
        buy_value: 0,
        sell_value: 141,
        fees: 0.141,
        maker_fills: 1,
        taker_fills: 0,
      },
    ]);
    expect(report.feed_health.history_recorded).toBe(false);
    expect(report.feed_health.current).not.toBeNull();
  });

  it("answers the same figures as CSV, one per row, as a download", async () => {
    const res = await call(`/api/admin/reports/platform?date=${date}&format=csv`, { token: await adminToken() });
    expect(res.status).toBe(200);
    expect(res.headers.get("Content-Type")).toBe("text/csv; charset=utf-8; header=present");
    expect(res.headers.get("Content-Disposition")).toBe(`attachment; filename="platform-${date}.csv"`);
    const lines = (await res.text()).split("\r\n");
    expect(lines[0]).toBe("date,metric,venue,currency,breakdown,value");
    expect(lines).toContain(`${date},users_total,,,,5`);
    expect(lines).toContain(`${date},users_new,,,,3`);
    expect(lines).toContain(`${date},orders,,,status:FILLED,2`);
    expect(lines).toContain(`${date},value,upbit,KRW,,80000`);
    expect(lines).toContain(`${date},fees,binance,USDT,,0.141`);
    expect(lines.at(-1)).toBe(""); // the last record ends with CRLF
  });

  it("refuses a signed-in user who is not an admin with 403, and no token with 401", async () => {
    const user = await newAccount("not-admin");
    const res = await call("/api/admin/reports/platform", { token: user.tokens.access_token });
    expect(res.status).toBe(403);
    expect((await call("/api/admin/reports/platform")).status).toBe(401);
  });

  it("refuses a date that does not exist with 400 naming date", async () => {
    const res = await call("/api/admin/reports/platform?date=2026-02-30", { token: await adminToken() });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body.errors.map((e) => e.path)).toContain("date");
  });
});
