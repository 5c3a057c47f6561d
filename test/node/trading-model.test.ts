/**
 * Model-based test of the paper-trading core (the ledger's logic and the matching book, without
 * I/O): random sequences of place / cancel / register / tick / deliver / redeliver / duplicate /
 * restart commands (fast-check `commands`), each checked against a plain model: every fill the
 * ledger applied is kept apart, and from them alone the model computes what cash, fees and
 * positions must be, exactly; each order's status must follow from its fills and never leave a
 * final status; no fill is applied twice; a refused order changes nothing.
 *
 * FAST_CHECK_RUNS sets the number of sequences (default 10,000); a failing run prints its seed and path.
 */
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Decimal, dec, str } from "../../durable-objects/trading/decimal";
import { Ledger } from "../../durable-objects/trading/ledger";
import { LedgerRefusal } from "../../durable-objects/trading/ledger-problem";
import { type BookOrder, MatchingBook } from "../../durable-objects/trading/matching";
import type { Quotes } from "../../durable-objects/trading/quotes";
import type { MatchMessage, OrderRecord, RestingOrder } from "../../durable-objects/trading/records";
import type { TradingConfig } from "../../durable-objects/trading/trading-config";
import type { OrderCreate } from "../../protocol/trading";
import { MemoryLedgerRepo } from "./support/memory-ledger-repo";

const RUNS = Number(process.env.FAST_CHECK_RUNS ?? 10_000);

const CONFIG: TradingConfig = {
  startingCash: { KRW: "10000000", USDT: "10000" },
  defaultLimits: {
    max_position_value_usd: 5_000,
    max_leverage: 3,
    max_daily_loss_usd: 100_000,
    max_open_orders: 6,
    loss_cooldown_minutes: 60,
  },
  slippageBaseBps: 2,
  slippageImpactBps: 1000,
  slippageMaxBps: 500,
  participation: 0.1,
  priceStaleMs: 30_000,
};

/**
 * Two markets: a KRW coin on Upbit (price unit 100 around 100,000) and a USDT coin on Binance (0.01
 * around 50). Prices are kept as whole numbers of units, so no float ever strays off a unit.
 */
const MARKETS = [
  { venue: "upbit", base: "AAA", quote: "KRW", unit: "100", start: 1_000, volume: 20_000 },
  { venue: "binance", base: "BBB", quote: "USDT", unit: "0.01", start: 5_000, volume: 400_000 },
] as const;

/** A price in units as a decimal. */
const priceOf = (mk: Market, units: number) => dec(mk.unit).times(units);
type Market = (typeof MARKETS)[number];

interface Real {
  repo: MemoryLedgerRepo;
  ledger: Ledger;
  book: MatchingBook;
  /** The matcher's storage: what survives a restart. */
  stored: Map<string, BookOrder>;
  /** Registrations placed but not yet in the book. */
  pendingRest: RestingOrder[];
  /** Matches not yet delivered, and the last batch delivered (to deliver again). */
  outbox: MatchMessage[];
  lastDelivered: MatchMessage[];
  prices: number[];
  now: number;
}

interface Model {
  /** Orders seen, by id: the status and filled quantity last observed. */
  orders: Map<string, { status: string; final: boolean }>;
  /** How many orders the ledger holds. */
  count: number;
  /** Idempotency keys used, with their request. */
  keys: Map<string, OrderCreate>;
}

function quotesOf(r: Real): Quotes {
  return {
    quote: (venue, base) => {
      const i = MARKETS.findIndex((m) => m.venue === venue && m.base === base);
      if (i < 0) return null;
      const m = MARKETS[i];
      const price = priceOf(m, r.prices[i]);
      return { price, timestamp: r.now, volume: dec(m.volume), quoteVolume: price.times(m.volume) };
    },
    usdKrw: dec(1400),
    usdtKrw: dec(1410),
    at: r.now,
  };
}

/** Runs a ledger operation; a refusal is an answer, and must have changed nothing. */
function attempt<T>(r: Real, op: () => T): T | null {
  const before = JSON.stringify([
    ...r.repo.state.orders.entries(),
    r.repo.state.account,
    [...r.repo.state.positions.entries()],
  ]);
  try {
    return r.repo.transaction(op);
  } catch (error) {
    if (!(error instanceof LedgerRefusal)) throw error;
    const after = JSON.stringify([
      ...r.repo.state.orders.entries(),
      r.repo.state.account,
      [...r.repo.state.positions.entries()],
    ]);
    expect(after).toBe(before);
    return null;
  }
}

/** What the model derives from the fills alone, compared with the ledger's account and positions. */
function checkInvariants(m: Model, r: Real): void {
  const account = r.repo.state.account;
  if (!account) return;
  const cash = { KRW: dec(CONFIG.startingCash.KRW), USDT: dec(CONFIG.startingCash.USDT) };
  const fees = { KRW: dec(0), USDT: dec(0) };
  const held = new Map<string, Decimal>();
  const filledBy = new Map<string, Decimal>();
  const ids = new Set<string>();
  for (const f of r.repo.fillLog) {
    expect(ids.has(f.id)).toBe(false); // no fill applied twice
    ids.add(f.id);
    const q = dec(f.quantity);
    const signed = f.side === "BUY" ? q : q.negated();
    cash[f.quote] = cash[f.quote].minus(signed.times(dec(f.price))).minus(dec(f.fee));
    fees[f.quote] = fees[f.quote].plus(dec(f.fee));
    held.set(`${f.venue}|${f.base}`, (held.get(`${f.venue}|${f.base}`) ?? dec(0)).plus(signed));
    filledBy.set(f.order_id, (filledBy.get(f.order_id) ?? dec(0)).plus(q));
  }
  for (const c of ["KRW", "USDT"] as const) {
    expect(str(dec(account.cash[c]))).toBe(str(cash[c]));
    expect(str(dec(account.fees_paid[c]))).toBe(str(fees[c]));
  }
  for (const p of r.repo.state.positions.values()) {
    expect(str(dec(p.quantity))).toBe(str(held.get(`${p.venue}|${p.base}`) ?? dec(0)));
  }
  for (const [key, q] of held) {
    if (!q.isZero()) expect(r.repo.state.positions.has(key)).toBe(true);
  }
  for (const o of r.repo.state.orders.values()) {
    const filled = filledBy.get(o.id) ?? dec(0);
    expect(str(dec(o.filled_quantity))).toBe(str(filled));
    expect(filled.lessThanOrEqualTo(dec(o.quantity))).toBe(true);
    expect(o.status === "FILLED").toBe(filled.equals(dec(o.quantity)));
    if (o.status === "PARTIALLY_FILLED") expect(filled.greaterThan(0)).toBe(true);
    const seen = m.orders.get(o.id);
    if (seen?.final) expect(o.status).toBe(seen.status); // a final status never changes
    m.orders.set(o.id, { status: o.status, final: ["FILLED", "CANCELLED", "REJECTED"].includes(o.status) });
    // An open order waits somewhere: registration pending, in the book, or (a stop) triggered and resting.
    const inBook = r.book.has(o.id) || r.pendingRest.some((p) => p.id === o.id);
    if (["FILLED", "CANCELLED", "REJECTED"].includes(o.status)) expect(r.book.has(o.id)).toBe(false);
    else if (o.order_type !== "MARKET") expect(inBook || r.outbox.some((x) => x.order_id === o.id)).toBe(true);
  }
  expect(r.repo.state.orders.size).toBe(m.count);
}

function register(r: Real, rest: RestingOrder | null): void {
  if (rest) r.pendingRest.push(rest);
}

// --- commands ----------------------------------------------------------------------------------

class Place implements fc.Command<Model, Real> {
  constructor(
    readonly market: number,
    readonly side: "BUY" | "SELL",
    readonly type: "MARKET" | "LIMIT" | "STOP" | "STOP_LIMIT",
    readonly ticks: number,
    readonly lots: number,
    readonly tif: "GTC" | "IOC" | "FOK",
    readonly key: string | null,
    /** Whether the matcher gets the order at once (else a later Register delivers it). */
    readonly registerNow: boolean,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const mk: Market = MARKETS[this.market];
    const last = r.prices[this.market];
    const limit = priceOf(mk, Math.max(1, last + this.ticks));
    const away = priceOf(mk, Math.max(1, last + (this.side === "BUY" ? 1 : -1) * (Math.abs(this.ticks) + 1)));
    const quantity = mk.quote === "KRW" ? (this.lots * 0.05).toFixed(2) : (this.lots * 0.5).toFixed(1);
    const request: OrderCreate = {
      symbol: `${mk.base}/${mk.quote}`,
      side: this.side,
      order_type: this.type,
      quantity,
      venue: mk.venue,
      ...(this.type === "LIMIT" || this.type === "STOP_LIMIT" ? { price: limit.toFixed() } : {}),
      ...(this.type === "STOP" || this.type === "STOP_LIMIT" ? { stop_price: away.toFixed() } : {}),
      ...(this.type === "LIMIT" ? { time_in_force: this.tif } : {}),
    };
    r.now += 10;
    const hash = JSON.stringify(request);
    if (this.key) {
      const replayed = attempt(r, () => r.ledger.replay(this.key as string, hash, "order"));
      if (replayed) return; // the original answers: nothing new
      if (m.keys.has(this.key) && JSON.stringify(m.keys.get(this.key)) !== hash) return;
    }
    const placed = attempt(r, () =>
      r.ledger.place(
        request,
        { id: `o${m.count + 1}-${r.now}`, idempotencyKey: this.key, requestHash: hash },
        quotesOf(r),
        r.now,
      ),
    );
    if (placed) {
      m.count++;
      if (this.key) m.keys.set(this.key, request);
      register(r, placed.rest);
      if (this.registerNow) new Register().run(m, r);
    }
    checkInvariants(m, r);
  }
  toString = () =>
    `Place(${this.market},${this.side},${this.type},${this.ticks},${this.lots},${this.tif},${this.key},${this.registerNow})`;
}

class Register implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    for (const rest of r.pendingRest.splice(0)) {
      const order = r.repo.state.orders.get(rest.id);
      if (!order || !["PENDING", "PARTIALLY_FILLED"].includes(order.status)) continue; // cancelled meanwhile
      const entry: BookOrder = { ...rest, first_cross_at: null, matched: "0", fill_seq: 0 };
      r.book.add(entry);
      r.stored.set(rest.id, structuredClone(entry));
      attempt(r, () => r.ledger.registered(rest.id));
    }
    checkInvariants(m, r);
  }
  toString = () => "Register";
}

class Tick implements fc.Command<Model, Real> {
  constructor(
    readonly market: number,
    readonly steps: number,
    readonly seconds: number,
  ) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const mk = MARKETS[this.market];
    r.now += this.seconds * 1000;
    r.prices[this.market] = Math.max(2, r.prices[this.market] + this.steps);
    const { messages, changed, removed } = r.book.onTick(
      { venue: mk.venue, price: priceOf(mk, r.prices[this.market]).toNumber(), volume: mk.volume, timestamp: r.now },
      r.now,
    );
    for (const o of changed) r.stored.set(o.id, structuredClone(o));
    for (const o of removed) r.stored.delete(o.id);
    r.outbox.push(...messages.map(({ user_id: _u, ...msg }) => msg));
    checkInvariants(m, r);
  }
  toString = () => `Tick(${this.market},${this.steps},${this.seconds}s)`;
}

class Deliver implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const batch = r.outbox.splice(0);
    attempt(r, () => r.ledger.applyMatches(batch, quotesOf(r), r.now));
    r.lastDelivered = batch;
    checkInvariants(m, r);
  }
  toString = () => "Deliver";
}

/** The last delivery again (its answer was lost): nothing changes. */
class Redeliver implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    const before = r.repo.fillLog.length;
    attempt(r, () => r.ledger.applyMatches(r.lastDelivered, quotesOf(r), r.now));
    expect(r.repo.fillLog.length).toBe(before);
    checkInvariants(m, r);
  }
  toString = () => "Redeliver";
}

class Cancel implements fc.Command<Model, Real> {
  constructor(readonly pick: number) {}
  check = () => true;
  run(m: Model, r: Real): void {
    const open = r.repo.openOrders();
    if (open.length === 0) return;
    const order = open[this.pick % open.length] as OrderRecord;
    r.now += 10;
    // The matcher lets go first and hands back what it had matched for the order.
    r.book.remove(order.id);
    r.stored.delete(order.id);
    r.pendingRest = r.pendingRest.filter((p) => p.id !== order.id);
    const leftovers = r.outbox.filter((x) => x.order_id === order.id);
    r.outbox = r.outbox.filter((x) => x.order_id !== order.id);
    attempt(r, () => r.ledger.cancel(order.id, leftovers, r.now, quotesOf(r)));
    const after = r.repo.state.orders.get(order.id);
    expect(after && ["CANCELLED", "FILLED"].includes(after.status)).toBe(true);
    checkInvariants(m, r);
  }
  toString = () => `Cancel(${this.pick})`;
}

/** Both objects start again from what they stored. */
class Restart implements fc.Command<Model, Real> {
  check = () => true;
  run(m: Model, r: Real): void {
    r.ledger = new Ledger(r.repo, CONFIG, "user-1");
    r.book = new MatchingBook(CONFIG.participation, CONFIG.priceStaleMs);
    for (const o of r.stored.values()) r.book.add(structuredClone(o));
    // The ledger registers again what it had not had confirmed.
    r.pendingRest = r.ledger.pendingRegistrations().filter((p) => !r.book.has(p.id));
    checkInvariants(m, r);
  }
  toString = () => "Restart";
}

const place = fc
  .tuple(
    fc.integer({ min: 0, max: 1 }),
    fc.constantFrom("BUY" as const, "SELL" as const),
    fc.constantFrom("MARKET" as const, "LIMIT" as const, "LIMIT" as const, "STOP" as const, "STOP_LIMIT" as const),
    fc.integer({ min: -3, max: 3 }),
    fc.integer({ min: 1, max: 30 }),
    fc.constantFrom("GTC" as const, "GTC" as const, "IOC" as const, "FOK" as const),
    fc.option(fc.constantFrom("k1", "k2", "k3"), { nil: null }),
    fc.integer({ min: 0, max: 4 }).map((n) => n > 0),
  )
  .map((a) => new Place(...a));
const tick = fc
  .tuple(fc.integer({ min: 0, max: 1 }), fc.integer({ min: -4, max: 4 }), fc.integer({ min: 0, max: 30 }))
  .map((a) => new Tick(...a));

const commands = [
  place,
  place,
  place,
  tick,
  tick,
  fc.constant(new Register()),
  fc.constant(new Deliver()),
  fc.constant(new Deliver()),
  fc.constant(new Redeliver()),
  fc.nat().map((n) => new Cancel(n)),
  fc.constant(new Restart()),
];

describe("the trading core against a plain model", () => {
  it(`keeps cash, positions, fills and order states reconciled over ${RUNS} random sequences`, () => {
    fc.assert(
      fc.property(fc.commands(commands, { maxCommands: 30, size: "max" }), (cmds) => {
        const repo = new MemoryLedgerRepo();
        const real: Real = {
          repo,
          ledger: new Ledger(repo, CONFIG, "user-1"),
          book: new MatchingBook(CONFIG.participation, CONFIG.priceStaleMs),
          stored: new Map(),
          pendingRest: [],
          outbox: [],
          lastDelivered: [],
          prices: MARKETS.map((mk) => mk.start),
          now: 1_796_000_000_000,
        };
        fc.modelRun(() => ({ model: { orders: new Map(), count: 0, keys: new Map() }, real }), cmds);
      }),
      { numRuns: RUNS },
    );
  }, 600_000);
});
