/**
 * The paper account's books: cash per currency, fees, realised PnL (all time and per day in
 * Asia/Seoul), the positions, the risk limits and the cooldown after a daily-loss breach. What a trade
 * does to them is `book`: the position moves (position-math.ts), cash pays or receives the trade and
 * its fee, realised PnL is booked in the trade's currency. And `checkExposure` asks the risk checks
 * whether the account may take an order on.
 */
import type { Currency, RiskLimitsPatch } from "../../protocol/trading";
import type { MarketVenue } from "../../protocol/venues";
import { type Decimal, dec, str } from "./decimal";
import type { LedgerRepo } from "./ledger-repo";
import { applyToPosition } from "./position-math";
import type { Quotes } from "./quotes";
import type { AccountRecord, PositionRecord } from "./records";
import { checkRisk, dayRealizedUsd, type OrderExposure } from "./risk";
import type { TradingConfig } from "./trading-config";
import { valuate } from "./valuation";

const SEOUL_OFFSET_MS = 9 * 3_600_000;

/** The day (`YYYY-MM-DD`) in Asia/Seoul (UTC+9 all year: Korea keeps no daylight saving time). */
export function seoulDay(ms: number): string {
  return new Date(ms + SEOUL_OFFSET_MS).toISOString().slice(0, 10);
}

/** A trade's effect on the books: `delta` is the signed quantity (positive buys), at `price`, paying `fee`. */
export interface Booking {
  venue: MarketVenue;
  base: string;
  quote: Currency;
  delta: Decimal;
  price: Decimal;
  fee: Decimal;
  at: number;
}

export class AccountBook {
  constructor(
    private readonly repo: LedgerRepo,
    private readonly config: TradingConfig,
    private readonly userId: string,
  ) {}

  /**
   * The account, created on first use with the starting cash and default limits. Its day moves
   * forward to `now`'s day (Asia/Seoul), never back, starting that day's realised PnL at zero.
   */
  account(now: number): AccountRecord {
    const existing = this.repo.account();
    const account = existing ?? this.fresh(now, now);
    const today = seoulDay(now);
    const newDay = today > account.day;
    if (newDay) {
      account.day = today;
      account.day_realized = { KRW: "0", USDT: "0" };
    }
    if (!existing || newDay) this.repo.saveAccount(account);
    return account;
  }

  private fresh(createdAt: number, now: number): AccountRecord {
    return {
      user_id: this.userId,
      created_at: createdAt,
      cash: { ...this.config.startingCash },
      fees_paid: { KRW: "0", USDT: "0" },
      realized_pnl: { KRW: "0", USDT: "0" },
      day: seoulDay(now),
      day_realized: { KRW: "0", USDT: "0" },
      limits: { ...this.config.defaultLimits },
      cooldown_until: null,
    };
  }

  /** Changes the account's risk limits (the caller decides who may). */
  setLimits(patch: RiskLimitsPatch, now: number): AccountRecord {
    const account = this.account(now);
    account.limits = { ...account.limits, ...patch };
    this.repo.saveAccount(account);
    return account;
  }

  /** Positions closed without trading; cash, fees and PnL back to the start; the limits kept. */
  restart(now: number): void {
    const account = this.account(now);
    this.repo.clearPositions();
    const fresh = this.fresh(account.created_at, now);
    fresh.limits = account.limits;
    this.repo.saveAccount(fresh);
  }

  /**
   * Books a trade: the position moves, cash pays `delta x price + fee` (a sale receives), fees and
   * realised PnL grow, and today's realised PnL too (net of the fee) when the trade is of today.
   * With quotes, a daily-loss breach starts the cooldown.
   */
  book(b: Booking, quotes: Quotes | null): PositionRecord {
    const account = this.account(b.at);
    const held = this.repo.position(b.venue, b.base);
    const { position, realized } = applyToPosition(
      {
        quantity: dec(held?.quantity ?? 0),
        avgPrice: dec(held?.avg_price ?? 0),
        realized: dec(held?.realized_pnl ?? 0),
      },
      b.delta,
      b.price,
    );
    const record: PositionRecord = {
      venue: b.venue,
      base: b.base,
      quote: b.quote,
      quantity: str(position.quantity),
      avg_price: str(position.avgPrice),
      realized_pnl: str(position.realized),
      created_at: held?.created_at ?? b.at,
      updated_at: b.at,
    };
    this.repo.savePosition(record);
    const q = b.quote;
    account.cash[q] = str(dec(account.cash[q]).minus(b.delta.times(b.price)).minus(b.fee));
    account.fees_paid[q] = str(dec(account.fees_paid[q]).plus(b.fee));
    account.realized_pnl[q] = str(dec(account.realized_pnl[q]).plus(realized));
    if (seoulDay(b.at) === account.day) {
      account.day_realized[q] = str(dec(account.day_realized[q]).plus(realized).minus(b.fee));
    }
    this.repo.saveAccount(account);
    if (quotes) this.ensureCooldown(account, quotes, b.at);
    return record;
  }

  /**
   * Refuses an order the risk limits do not allow (see risk.ts); `excludeOrderId` leaves an order
   * out of the open ones (a stop being executed is not also waiting).
   */
  checkExposure(order: OrderExposure, quotes: Quotes, now: number, excludeOrderId?: string): void {
    const account = this.account(now);
    this.ensureCooldown(account, quotes, now);
    checkRisk({
      account,
      order,
      position: this.repo.position(order.venue, order.base),
      openOrders: this.repo.openOrders().filter((o) => o.id !== excludeOrderId),
      valuation: valuate(account, this.repo.positions(), quotes, this.config.priceStaleMs),
      quotes,
      now,
    });
  }

  /** Starts the cooldown when the day's realised loss has reached the limit (once per breach). */
  private ensureCooldown(account: AccountRecord, quotes: Quotes, now: number): void {
    const loss = dayRealizedUsd(account, quotes).negated();
    const active = account.cooldown_until !== null && now < account.cooldown_until;
    if (loss.greaterThanOrEqualTo(account.limits.max_daily_loss_usd) && !active) {
      account.cooldown_until = now + account.limits.loss_cooldown_minutes * 60_000;
      this.repo.saveAccount(account);
    }
  }
}
