/**
 * Alerts end to end, as a client sets them: through the API, fired by ingested ticks in the coin's
 * object (or liquidations in the feed), carried by the real queue to the consumer, read from the inbox.
 */
import { evictDurableObject } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { marketSymbol } from "../../durable-objects/addresses";
import type { Alert } from "../../protocol/alerts";
import type { WsTicketResponse } from "../../protocol/auth";
import type { InboxNotification } from "../../protocol/notifications";
import { call, newAccount, postJson, type TestAccount } from "./support/auth";
import { batchOf, deliverCoinUpdates, postIngest } from "./support/ingest";
import { liquidation, uniqueBase } from "./support/liquidations";
import { ticker } from "./support/market";
import { until } from "./support/notifications";
import { providerWire } from "./support/provider-wire";
import { setPrices } from "./support/trading";

/** The KRW price that makes a premium of `percent` over 100 USDT at USD/KRW 1,400 (support/trading's rate). */
const krwFor = (percent: number) => Math.round(140_000 * (1 + percent / 100) * 100) / 100;

async function createAlert(user: TestAccount, body: Record<string, unknown>): Promise<Alert> {
  const res = await postJson("/api/alerts", body, { token: user.tokens.access_token });
  if (res.status !== 201) throw new Error(`create alert: ${res.status} ${await res.text()}`);
  return (await res.json()) as Alert;
}

/** The alert events in a user's inbox (D1), oldest first. */
async function firedAlerts(user: TestAccount) {
  const { results } = await env.DB.prepare(
    "SELECT data, created_at FROM notifications WHERE user_id = ? AND type = 'alert.triggered' ORDER BY created_at",
  )
    .bind(user.userId)
    .all<{ data: string; created_at: number }>();
  return results.map((r) => ({
    ...(JSON.parse(r.data) as { alert_id: string; value: number }),
    fired_at: r.created_at,
  }));
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("alerts", () => {
  it("fires a premium alert once as the premium crosses and wobbles around its threshold, and again only after it re-arms", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: krwFor(2.5), binance: 100 });
    await deliverCoinUpdates();
    const user = await newAccount("alerts");
    const quick = await createAlert(user, {
      kind: "premium",
      symbol: base.toLowerCase(),
      basis: "usd",
      direction: "above",
      threshold: 3,
      hysteresis: 0.5,
      cooldown_seconds: 0,
    });
    expect(quick).toMatchObject({
      symbol: base,
      kind: "premium",
      hysteresis: 0.5,
      enabled: true,
      last_triggered_at: null,
    });
    const slow = await createAlert(user, {
      kind: "premium",
      symbol: base,
      basis: "usd",
      direction: "above",
      threshold: 3,
      hysteresis: 0.5,
      cooldown_seconds: 3600,
    });

    // Crosses (fires), wobbles inside the hysteresis band (quiet), re-arms below 2.5, crosses again.
    for (const premium of [3.2, 2.9, 3.3, 3.05, 2.7, 3.4, 2.4, 3.1]) {
      await setPrices(base, { upbit: krwFor(premium), binance: 100 });
      await deliverCoinUpdates();
      await pause(5);
    }
    const fired = await until(
      () => firedAlerts(user),
      (f) => f.length >= 3,
      8_000,
    );
    await pause(1_500); // nothing more arrives
    const settled = await firedAlerts(user);
    expect(settled).toHaveLength(3);
    const values = (id: string) => settled.filter((f) => f.alert_id === id).map((f) => Math.round(f.value * 100) / 100);
    expect(values(quick.id)).toEqual([3.2, 3.1]);
    // The same crossings with an hour's cooldown: once.
    expect(values(slow.id)).toEqual([3.2]);
    expect(fired[0]).toMatchObject({ kind: "premium", symbol: base, threshold: 3, direction: "above" });

    const listed = (await (await call("/api/alerts", { token: user.tokens.access_token })).json()) as Alert[];
    expect(listed.map((a) => a.id).sort()).toEqual([quick.id, slow.id].sort());
    const seen = await until(
      async () => (await (await call(`/api/alerts/${quick.id}`, { token: user.tokens.access_token })).json()) as Alert,
      (a) => a.last_triggered_at !== null,
    );
    expect(Date.parse(seen.last_triggered_at as string)).toBe(
      settled.filter((f) => f.alert_id === quick.id)[1].fired_at,
    );
  });

  it("fires an alert on a coin nobody watches within 1 s of the tick, into the inbox rendered in the user's language", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 1_000 });
    await deliverCoinUpdates();
    const user = await newAccount("unwatched");
    await createAlert(user, { kind: "price", symbol: base, venue: "upbit", direction: "above", threshold: 1_100 });
    // The crossing tick comes last in a batch that moves 300 other coins: the board delivers coins
    // nobody watches 50 at a time every 200 ms, so without the alert's band this one would wait ~1.2 s.
    const others = Array.from({ length: 300 }, () => ticker("upbit", uniqueBase(), 500));
    const sent = Date.now();
    const res = await postIngest(batchOf([...others, ticker("upbit", base, 1_150)]));
    expect(res.status).toBe(200);
    // No delivery forced here: the board's own delivery, prompt for a tick that reaches an alert band.
    const [event] = await until(
      () => firedAlerts(user),
      (f) => f.length > 0,
      10_000,
    );
    expect(event.fired_at - sent).toBeLessThan(1_000);
    expect(event).toMatchObject({ kind: "price", symbol: base, venue: "upbit", value: 1_150, threshold: 1_100 });

    const inbox = (await (await call("/api/notifications", { token: user.tokens.access_token })).json()) as {
      notifications: InboxNotification[];
      unread: number;
    };
    expect(inbox.unread).toBe(1);
    expect(inbox.notifications[0].title).toBe(`${base} 가격 알림`);
    expect(inbox.notifications[0].body).toContain("업비트");
    const marked = await postJson("/api/notifications/read", { all: true }, { token: user.tokens.access_token });
    expect(await marked.json()).toEqual({ marked: 1, unread: 0 });
  });

  it("fires a liquidation alert on a single liquidation of at least its size, and a caution alert when a flag appears", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 1_000, binance: 10 });
    await deliverCoinUpdates();
    const user = await newAccount("liq");
    const big = await createAlert(user, { kind: "liquidation", symbol: base, min_usd: 50_000, cooldown_seconds: 0 });
    const caution = await createAlert(user, { kind: "caution", symbol: base });
    await postIngest(batchOf([liquidation("binance", base, "long", 10, 1_000)])); // $10,000: below
    await postIngest(batchOf([liquidation("bybit", base, "short", 10, 8_000)])); // $80,000: fires
    // Two in one batch, counted in the same millisecond: with no cooldown, both fire.
    await postIngest(
      batchOf([liquidation("okx", base, "long", 10, 6_000), liquidation("binance", base, "long", 10, 7_000)]),
    );
    await postIngest(
      batchOf([
        {
          kind: "coin",
          base,
          korean_name: "테스트",
          english_name: "Test",
          venue: "upbit",
          warnings: ["CAUTION_PRICE_FLUCTUATIONS"],
        },
        ticker("upbit", base, 1_001),
      ]),
    );
    await deliverCoinUpdates();
    const fired = await until(
      () => firedAlerts(user),
      (f) => f.length >= 4,
      8_000,
    );
    await pause(1_000);
    expect(await firedAlerts(user)).toHaveLength(4);
    const bigOnes = fired.filter((f) => f.alert_id === big.id);
    expect(bigOnes.map((f) => f.value).sort()).toEqual([60_000, 70_000, 80_000]);
    expect(bigOnes.find((f) => f.value === 80_000)).toMatchObject({ liquidation: { side: "short", venue: "bybit" } });
    expect(fired.find((f) => f.alert_id === caution.id)).toMatchObject({ flags: ["CAUTION_PRICE_FLUCTUATIONS"] });
  });

  it("streams a fired alert to the user's open /ws/user, and an object restarted after firing does not fire it again", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 1_000 });
    await deliverCoinUpdates();
    const user = await newAccount("restart");
    const ticket = (await (
      await call("/api/auth/ws-ticket", { method: "POST", token: user.tokens.access_token })
    ).json()) as WsTicketResponse;
    const upgrade = await exports.default.fetch(`http://gateway/ws/user?ticket=${ticket.ticket}`, {
      headers: { Upgrade: "websocket" },
    });
    const ws = upgrade.webSocket as WebSocket;
    ws.accept();
    const frames: { type: string; data: { type?: string; title?: string } }[] = [];
    ws.addEventListener("message", (e) => frames.push(JSON.parse(e.data as string)));
    const alert = await createAlert(user, {
      kind: "price",
      symbol: base,
      venue: "upbit",
      direction: "above",
      threshold: 1_100,
      cooldown_seconds: 0,
    });

    await setPrices(base, { upbit: 1_200 });
    await deliverCoinUpdates();
    const live = await until(
      async () => frames.filter((f) => f.type === "notification"),
      (f) => f.length > 0,
      8_000,
    );
    expect(live[0].data).toMatchObject({ type: "alert.triggered", title: `${base} 가격 알림` });
    ws.close();

    // Restarted while the price stays above: the alert stays fired (its state is in storage).
    await evictDurableObject(marketSymbol(env, base));
    await setPrices(base, { upbit: 1_250 });
    await deliverCoinUpdates();
    // Paused and resumed while still above: it keeps its fired state, so it does not fire again.
    for (const enabled of [false, true]) {
      const res = await call(`/api/alerts/${alert.id}`, {
        token: user.tokens.access_token,
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ enabled }),
      });
      expect(res.status).toBe(200);
    }
    await setPrices(base, { upbit: 1_260 });
    await deliverCoinUpdates();
    await pause(1_500);
    expect(await firedAlerts(user)).toHaveLength(1);
  });

  it("changes and deletes alerts; a deleted alert no longer fires", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 1_000 });
    await deliverCoinUpdates();
    const user = await newAccount("edit");
    const token = user.tokens.access_token;
    const alert = await createAlert(user, {
      kind: "price",
      symbol: base,
      venue: "upbit",
      direction: "above",
      threshold: 2_000,
      note: "x",
    });
    const patched = await call(`/api/alerts/${alert.id}`, {
      token,
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ threshold: 1_500, note: null }),
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ threshold: 1_500, note: null, hysteresis: 10 });
    expect((await call(`/api/alerts/${alert.id}`, { token, method: "DELETE" })).status).toBe(204);
    expect((await call(`/api/alerts/${alert.id}`, { token })).status).toBe(404);
    await setPrices(base, { upbit: 3_000 });
    await deliverCoinUpdates();
    await pause(1_500);
    expect(await firedAlerts(user)).toHaveLength(0);
  });
});

describe("bad input is a clear 4xx and changes nothing", () => {
  it("refuses alerts on unknown coins or venues, thresholds that are not numbers, changes that do not fit the kind, and more than the maximum", async () => {
    const base = uniqueBase();
    await setPrices(base, { upbit: 1_000 });
    await deliverCoinUpdates();
    const user = await newAccount("bad");
    const token = user.tokens.access_token;
    const cases: [Record<string, unknown>, string][] = [
      [{ kind: "price", symbol: uniqueBase(), venue: "upbit", direction: "above", threshold: 1 }, "symbol"],
      [{ kind: "price", symbol: base, venue: "binance", direction: "above", threshold: 1 }, "venue"],
      [{ kind: "price", symbol: base, venue: "upbit", direction: "above", threshold: "1100" }, "threshold"],
      [{ kind: "premium", symbol: base, basis: "usd", direction: "above", threshold: Number.NaN }, "threshold"],
      [{ kind: "premium_percentile", symbol: base, basis: "usd", direction: "above", threshold: 101 }, "threshold"],
      [{ kind: "price", symbol: base, venue: "upbit", direction: "sideways", threshold: 1 }, "direction"],
      [{ kind: "liquidation", min_usd: -5 }, "min_usd"],
      [
        { kind: "price", symbol: base, venue: "upbit", direction: "above", threshold: 1, cooldown_seconds: 1.5 },
        "cooldown_seconds",
      ],
      [{ kind: "weather", symbol: base }, "kind"],
    ];
    for (const [body, path] of cases) {
      const res = await postJson("/api/alerts", body, { token });
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.headers.get("Content-Type")).toContain("application/problem+json");
      const problem = (await res.json()) as { errors: { path: string }[] };
      expect(problem.errors.map((e) => e.path)).toContain(path);
    }
    expect((await (await call("/api/alerts", { token })).json()) as unknown[]).toEqual([]);

    const percentile = await createAlert(user, {
      kind: "premium_percentile",
      symbol: base,
      basis: "usd",
      direction: "above",
      threshold: 90,
    });
    const patch = await call(`/api/alerts/${percentile.id}`, {
      token,
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ threshold: 150 }),
    });
    expect(patch.status).toBe(400);
    expect(((await patch.json()) as { errors: { path: string }[] }).errors[0].path).toBe("threshold");
    const misfit = await call(`/api/alerts/${percentile.id}`, {
      token,
      method: "PATCH",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ min_usd: 5 }),
    });
    expect(misfit.status).toBe(400);
    expect(await (await call(`/api/alerts/${percentile.id}`, { token })).json()).toMatchObject({
      threshold: 90,
      min_usd: null,
    });

    // At the maximum (ALERTS_MAX_PER_USER, 100 here), one more is a 409.
    const now = Date.now();
    const fill = Array.from({ length: 99 }, () =>
      env.DB.prepare(
        `INSERT INTO alerts (id, user_id, kind, symbol, hysteresis, cooldown_seconds, enabled, created_at, updated_at)
         VALUES (?, ?, 'caution', ?, 0, 60, 1, ?, ?)`,
      ).bind(crypto.randomUUID(), user.userId, base, now, now),
    );
    await env.DB.batch(fill);
    const over = await postJson("/api/alerts", { kind: "caution", symbol: base }, { token });
    expect(over.status).toBe(409);
    expect((await (await call("/api/alerts", { token })).json()) as unknown[]).toHaveLength(100);
  });

  it("refuses a phone number that is not E.164 and keeps the one set", async () => {
    const user = await newAccount("phone");
    const token = user.tokens.access_token;
    const patch = (phone: string) =>
      call("/api/users/me", {
        token,
        method: "PATCH",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ phone }),
      });
    expect((await patch("+821012345678")).status).toBe(200);
    for (const phone of ["010-1234-5678", "01012345678", "+0821012345678", "+82 10 1234 5678"]) {
      const res = await patch(phone);
      expect(res.status).toBe(400);
      expect(((await res.json()) as { errors: { path: string }[] }).errors[0].path).toBe("phone");
    }
    expect(await (await call("/api/users/me", { token })).json()).toMatchObject({ phone: "+821012345678" });
  });

  it("refuses a forged Telegram webhook and links the chat only from Telegram's own call, once", async () => {
    const user = await newAccount("tg");
    const wire = providerWire();
    const linkRes = await call("/api/notifications/telegram/link", { token: user.tokens.access_token, method: "POST" });
    expect(linkRes.status).toBe(201);
    const { code, link } = (await linkRes.json()) as { code: string; link: string };
    expect(link).toBe(`https://t.me/${env.TELEGRAM_BOT_USERNAME}?start=${code}`);
    const update = {
      update_id: 1,
      message: { message_id: 5, chat: { id: 777_000_111, type: "private" }, text: `/start ${code}` },
    };
    const webhook = (secret: string | null) =>
      call("/api/telegram/webhook", {
        method: "POST",
        headers: {
          "Content-Type": "application/json",
          ...(secret === null ? {} : { "X-Telegram-Bot-Api-Secret-Token": secret }),
        },
        body: JSON.stringify(update),
      });
    const linked = () =>
      env.DB.prepare("SELECT chat_id FROM telegram_chats WHERE user_id = ?").bind(user.userId).first("chat_id");

    // Without the secret even a malformed body is a 401: nothing is read before the secret is checked.
    const garbage = await call("/api/telegram/webhook", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: "{",
    });
    expect(garbage.status).toBe(401);
    for (const secret of [null, "", "wrong-secret", `${env.TELEGRAM_WEBHOOK_SECRET}x`]) {
      const res = await webhook(secret);
      expect(res.status).toBe(401);
      expect(res.headers.get("Content-Type")).toContain("application/problem+json");
    }
    expect(await linked()).toBeNull();

    const real = await webhook(env.TELEGRAM_WEBHOOK_SECRET);
    expect(await real.json()).toEqual({ ok: true, linked: true });
    expect(await linked()).toBe(777_000_111);
    // The same update again (Telegram retries): the code is spent.
    expect(await (await webhook(env.TELEGRAM_WEBHOOK_SECRET)).json()).toEqual({ ok: true, linked: false });
    // The bot answered in the chat both times (linked; then the spent code).
    const replies = wire.delivered("telegram").map((c) => JSON.parse(new TextDecoder().decode(c.body)));
    wire.restore();
    expect(replies.map((r) => r.chat_id)).toEqual([777_000_111, 777_000_111]);
    expect(replies[0].text).toMatch(/^Linked/);
  });
});
