import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { CandleRow } from "../../protocol/market";
import { batchOf, deliverCoinUpdates, getJson, postIngest, TOKEN } from "./support/ingest";
import { candle, coverage, ticker } from "./support/market";

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const floor = (t: number, step: number) => Math.floor(t / step) * step;

async function ingestOk(events: Parameters<typeof batchOf>[0]): Promise<void> {
  const res = await postIngest(batchOf(events));
  expect(res.status, await res.clone().text()).toBe(200);
}

async function chart(path: string): Promise<CandleRow[]> {
  const { status, body } = await getJson<CandleRow[]>(path);
  expect(status).toBe(200);
  return body;
}

describe("candles from the venues themselves", () => {
  it("shows a closed minute as the venue's own candle, not the one built from ticks", async () => {
    const closed = floor(Date.now(), MINUTE) - 2 * MINUTE;
    // Ticks in that minute make a provisional candle first...
    await ingestOk([ticker("upbit", "VCA", 100, closed + 1_000), ticker("upbit", "VCA", 130, closed + 30_000)]);
    await deliverCoinUpdates();
    expect(
      (await chart("/api/market/candles/VCA?venue=upbit&interval=1m&limit=5")).find((r) => r[0] === closed),
    ).toEqual([closed, 100, 130, 100, 130, 0]);
    // ...which the venue's closed candle replaces (it saw trades the ticker stream did not).
    await ingestOk([candle("upbit", "VCA", "1m", closed, [101, 140, 99, 120], 55)]);
    const rows = await chart("/api/market/candles/VCA?venue=upbit&interval=1m&limit=5");
    expect(rows.find((r) => r[0] === closed)).toEqual([closed, 101, 140, 99, 120, 55]);
    // Later ticks of the closed minute (a late batch) do not change it either.
    await ingestOk([ticker("upbit", "VCA", 500, closed + 59_000)]);
    await deliverCoinUpdates();
    expect(
      (await chart("/api/market/candles/VCA?venue=upbit&interval=1m&limit=5")).find((r) => r[0] === closed),
    ).toEqual([closed, 101, 140, 99, 120, 55]);
  });

  it("counts a candle sent twice (a retried batch, a refetched range) once", async () => {
    const start = floor(Date.now(), 5 * MINUTE) - 10 * MINUTE;
    const minutes = [0, 1, 2, 3, 4].map((k) =>
      candle("binance", "VCB", "1m", start + k * MINUTE, [10 + k, 12 + k, 9 + k, 11 + k], 100 + k),
    );
    const batch = batchOf(minutes);
    expect((await postIngest(batch)).status).toBe(200);
    expect((await postIngest(batch)).status).toBe(200); // the same batch again: a duplicate
    await ingestOk(minutes); // the same candles in a new batch: a refetch after a crash
    const rows = await chart("/api/market/candles/VCB?venue=binance&interval=5m&limit=4");
    expect(rows.find((r) => r[0] === start)).toEqual([start, 10, 16, 9, 15, 100 + 101 + 102 + 103 + 104]);
  });

  it("builds a daily chart from the venue's days, and today's bar from its hours and minutes", async () => {
    const now = Date.now();
    const today = floor(now, DAY);
    const days = [3, 2, 1].map((k) =>
      candle("bybit", "VCD", "1d", today - k * DAY, [50 + k, 60 + k, 40 + k, 55 + k], 1_000),
    );
    const closedHours = Math.floor((now - today) / HOUR);
    const hours = Array.from({ length: closedHours }, (_, h) =>
      candle("bybit", "VCD", "1h", today + h * HOUR, [70, 75 + h, 65, 72], 20),
    );
    const thisHour = today + closedHours * HOUR;
    const closedMinutes = Math.floor((now - thisHour) / MINUTE);
    const minutes = Array.from({ length: closedMinutes }, (_, m) =>
      candle("bybit", "VCD", "1m", thisHour + m * MINUTE, [72, 73, 60, 71], 2),
    );
    await ingestOk([...days, ...hours, ...minutes]);
    const rows = await chart("/api/market/candles/VCD?venue=bybit&interval=1d&limit=4");
    expect(rows.slice(0, 3)).toEqual(days.map((d) => [d.open_time, d.open, d.high, d.low, d.close, 1_000]));
    if (closedHours + closedMinutes > 0) {
      const [time, open, high, low, close, volume] = rows[3];
      expect(time).toBe(today);
      expect(open).toBe(closedHours > 0 ? 70 : 72);
      expect(high).toBe(Math.max(closedMinutes > 0 ? 73 : 0, ...hours.map((h) => h.high)));
      expect(low).toBe(closedMinutes > 0 ? 60 : 65);
      expect(close).toBe(closedMinutes > 0 ? 71 : 72);
      expect(volume).toBe(closedHours * 20 + closedMinutes * 2);
    }
  });

  it("keeps 1-minute candles 7 days and daily ones for good", async () => {
    const old = floor(Date.now(), DAY) - 800 * DAY;
    await ingestOk([
      candle("upbit", "VCR", "1d", old, [1, 2, 1, 2], 5),
      candle("upbit", "VCR", "1m", floor(Date.now(), MINUTE) - 8 * DAY, [1, 2, 1, 2], 5),
    ]);
    expect((await chart("/api/market/candles/VCR?venue=upbit&interval=1d&limit=1000"))[0]).toEqual([
      old,
      1,
      2,
      1,
      2,
      5,
    ]);
    const minutes = await chart("/api/market/candles/VCR?venue=upbit&interval=1m&limit=1000");
    expect(minutes).toEqual([]);
  });
});

describe("candle coverage for the collectors", () => {
  const coverageOf = (query: string, token: string | null = TOKEN) =>
    exports.default.fetch(`http://gateway/internal/candles/coverage?${query}`, {
      headers: token ? { Authorization: `Bearer ${token}` } : {},
    });

  it("merges covered ranges so a collector fetches only what is missing", async () => {
    const t = floor(Date.now(), HOUR) - 10 * HOUR;
    await ingestOk([
      coverage("upbit", "VCC", "1h", t, t + 2 * HOUR),
      coverage("upbit", "VCC", "1h", t + 2 * HOUR, t + 4 * HOUR),
      coverage("upbit", "VCC", "1h", t + 6 * HOUR, t + 8 * HOUR),
      coverage("upbit", "VCC", "1m", t + 9 * HOUR, t + 9 * HOUR + 5 * MINUTE),
    ]);
    const res = await coverageOf("venue=upbit&base=VCC&quote=KRW");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      venue: "upbit",
      base: "VCC",
      quote: "KRW",
      intervals: {
        "1m": [[t + 9 * HOUR, t + 9 * HOUR + 5 * MINUTE]],
        "1h": [
          [t, t + 4 * HOUR],
          [t + 6 * HOUR, t + 8 * HOUR],
        ],
        "1d": [],
      },
    });
  });

  it("answers a market off the board with nothing covered, and refuses a request without the token", async () => {
    const t = floor(Date.now(), HOUR) - HOUR;
    await ingestOk([coverage("upbit", "VCE", "1h", t, t + HOUR, "USDT")]);
    const res = await coverageOf("venue=upbit&base=VCE&quote=USDT");
    expect(((await res.json()) as { intervals: unknown }).intervals).toEqual({ "1m": [], "1h": [], "1d": [] });
    expect((await coverageOf("venue=upbit&base=VCE&quote=KRW", null)).status).toBe(401);
    const bad = await coverageOf("venue=kraken&base=VCE&quote=KRW");
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { errors: { path: string }[] }).errors[0].path).toBe("venue");
  });
});

describe("ingest bounds", () => {
  async function refused(event: Record<string, unknown>): Promise<string[]> {
    const res = await postIngest(batchOf([event as never]));
    expect(res.status).toBe(400);
    return ((await res.json()) as { errors: { path: string }[] }).errors.map((e) => e.path);
  }

  it("refuses a candle that has not closed, or one whose high is below its close", async () => {
    // Today's daily candle closes at midnight UTC (the check allows 5 s of clock skew).
    expect(await refused({ ...candle("upbit", "VCF", "1d", floor(Date.now(), DAY), [1, 2, 1, 2]) })).toEqual([
      "events.0.timestamp",
    ]);
    const open = floor(Date.now(), MINUTE);
    const misaligned = candle("upbit", "VCF", "1h", floor(Date.now(), HOUR) - HOUR + MINUTE, [1, 2, 1, 2]);
    expect(await refused({ ...misaligned })).toEqual(["events.0.open_time"]);
    expect(await refused({ ...candle("upbit", "VCF", "1m", open - MINUTE, [1, 2, 1, 3]) })).toEqual(["events.0.high"]);
  });

  it("refuses a ticker with a price, volume or traded value beyond any real market", async () => {
    expect(await refused({ ...ticker("upbit", "VCG", 2e12) })).toEqual(["events.0.price"]);
    expect(await refused({ ...ticker("upbit", "VCG", 1, Date.now(), { volume: 2e16 }) })).toEqual(["events.0.volume"]);
    expect(await refused({ ...ticker("upbit", "VCG", 1, Date.now(), { quote_volume: 2e16 }) })).toEqual([
      "events.0.quote_volume",
    ]);
    // The bounds themselves are accepted.
    await ingestOk([ticker("upbit", "VCG", 1e12, Date.now(), { volume: 1e16, quote_volume: 1e16 })]);
  });
});
