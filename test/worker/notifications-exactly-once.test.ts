/**
 * 10,000 events, a tenth of them queued twice, through the consumer in batches as the queue delivers
 * them, with every provider failing at random (429 with Retry-After, 500, or a dropped connection):
 * each event reaches each provider exactly once per channel (and target), and nothing is dead-lettered.
 */
import { env } from "cloudflare:workers";
import { afterEach, expect, it } from "vitest";
import { seededRandom } from "../../collectors/simulator/random";
import { MAX_ATTEMPTS } from "../../workers/notifications/consumer";
import { alertEvent, consume, type QueuedMessage, seedRecipients } from "./support/notifications";
import { ok, providerWire } from "./support/provider-wire";

const EVENTS = 10_000;
const DUPLICATE_SHARE = 0.1;
// One provider call in 20 fails. A delivery that failed is tried again by every message of its event,
// so it reaches MAX_ATTEMPTS only after 7 failures in a row: 40,000 deliveries * 0.05^7, about 3e-5 per
// run (at one call in 10 it was 4e-3, and one CI run in a few hundred dead-lettered an event).
const FAILURE_RATE = 0.05;
const BATCH = 100;

let wire: ReturnType<typeof providerWire> | null = null;
afterEach(() => {
  wire?.restore();
  wire = null;
});

it("delivers 10,000 events with 10 % duplicates and random provider failures exactly once per event and channel", async () => {
  // Printed with every failure; set it here to replay a run.
  const seed = Date.now() % 1e9;
  const rand = seededRandom(seed);
  const recipients = await seedRecipients(40);
  const byEndpoint = new Map(recipients.map((r) => [r.push.endpoint, r]));
  wire = providerWire((c) => {
    const roll = rand();
    if (roll < FAILURE_RATE / 3) return new Response("slow down", { status: 429, headers: { "Retry-After": "3" } });
    if (roll < (2 * FAILURE_RATE) / 3) return new Response("oops", { status: 500 });
    if (roll < FAILURE_RATE) throw new TypeError("network connection lost");
    return ok(c.provider);
  });

  const events = Array.from({ length: EVENTS }, (_, i) =>
    alertEvent(recipients[i % recipients.length].userId, `ev-${seed}-${i}`),
  );
  // Each event once, a tenth again; shuffled, as concurrent producers would interleave them.
  let queue: QueuedMessage[] = events.map((e, i) => ({ id: `m${i}`, body: e, attempts: 1 }));
  for (let i = 0; i < EVENTS * DUPLICATE_SHARE; i++)
    queue.push({ id: `d${i}`, body: events[Math.floor(rand() * EVENTS)], attempts: 1 });
  for (let i = queue.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [queue[i], queue[j]] = [queue[j], queue[i]];
  }

  let rounds = 0;
  let mostMessageAttempts = 0;
  while (queue.length > 0) {
    const batch = queue.slice(0, BATCH);
    queue = queue.slice(BATCH);
    const result = await consume(batch);
    const retried = new Set(result.retryMessages.map((m) => m.msgId));
    for (const m of batch) {
      mostMessageAttempts = Math.max(mostMessageAttempts, m.attempts);
      if (retried.has(m.id)) queue.push({ ...m, attempts: m.attempts + 1 });
      else expect(result.explicitAcks, `seed ${seed}`).toContain(m.id);
    }
    rounds++;
  }

  // Each delivered request names its event: email by its idempotency key, SMS and Telegram by the
  // recipient and the event's text, push by its endpoint (one event per endpoint and id in the payload).
  const emailKeys = wire.delivered("resend").map((c) => c.headers.get("Idempotency-Key"));
  expect(new Set(emailKeys).size, `seed ${seed}`).toBe(EVENTS);
  expect(emailKeys).toHaveLength(EVENTS);
  for (const provider of ["twilio", "telegram"] as const)
    expect(wire.delivered(provider), `seed ${seed}`).toHaveLength(EVENTS);
  const pushes = wire.delivered("push");
  expect(pushes).toHaveLength(EVENTS);
  const perRecipient = new Map<string, number>();
  for (const p of pushes) {
    const r = byEndpoint.get(p.url);
    expect(r).toBeDefined();
    perRecipient.set(p.url, (perRecipient.get(p.url) ?? 0) + 1);
  }
  for (const r of recipients) expect(perRecipient.get(r.push.endpoint)).toBe(EVENTS / recipients.length);

  const log = await env.DB.prepare(
    `SELECT status, COUNT(*) AS n, MAX(attempts) AS most FROM notification_deliveries WHERE event_id LIKE ? GROUP BY status`,
  )
    .bind(`ev-${seed}-%`)
    .all<{ status: string; n: number; most: number }>();
  expect(
    log.results.map((r) => [r.status, r.n]),
    `seed ${seed}`,
  ).toEqual([["sent", EVENTS * 5]]);
  // A message's attempts, not a delivery's: a duplicate message tries its event's open deliveries too,
  // so a delivery's count adds up the tries of both messages.
  expect(mostMessageAttempts, `seed ${seed}`).toBeLessThan(MAX_ATTEMPTS);
  const inbox = await env.DB.prepare("SELECT COUNT(*) AS n FROM notifications WHERE id LIKE ?")
    .bind(`ev-${seed}-%`)
    .first("n");
  expect(inbox, `seed ${seed}`).toBe(EVENTS);
  const dead = await env.DB.prepare("SELECT COUNT(*) AS n FROM notification_dead_letters WHERE event_id LIKE ?")
    .bind(`ev-${seed}-%`)
    .first("n");
  expect(dead, `seed ${seed}`).toBe(0);
  console.log(
    JSON.stringify({
      seed,
      rounds,
      mostMessageAttempts,
      mostDeliveryAttempts: log.results[0].most,
      providerCalls: wire.calls.length,
    }),
  );
}, 300_000);
