/**
 * The kimchi-premium trade: one coin bought on one venue and the same quantity sold on the other, a
 * KRW venue against a USDT venue, placed as one request whose legs are accepted or refused together.
 * Its premium is the KRW leg's price over the USDT leg's at USD/KRW, minus one; its PnL is both legs'
 * at live prices, the USDT leg (and its fee) at USD/KRW, fees included.
 */
import type { PremiumTrade, PremiumTradeCreate } from "../../protocol/trading";
import { isKrwVenue } from "../../protocol/venues";
import { type Decimal, dec, num, str, ZERO } from "./decimal";
import type { Ledger } from "./ledger";
import type { LedgerRepo } from "./ledger-repo";
import type { Quotes } from "./quotes";
import type { OrderRecord, TradeRecord } from "./records";
import { orderView } from "./views";

/**
 * Places both legs as market orders and records the trade, inside the caller's transaction: when
 * either leg is refused, neither is kept. The buy leg carries the `Idempotency-Key`. Returns the id.
 */
export function placePremiumTrade(
  ledger: Ledger,
  repo: LedgerRepo,
  request: PremiumTradeCreate,
  idempotency: { key: string; hash: string } | null,
  quotes: Quotes,
  now: number,
): string {
  const tradeId = crypto.randomUUID();
  const leg = (side: "BUY" | "SELL", venue: PremiumTradeCreate["buy_venue"], key: string | null) =>
    ledger.place(
      {
        symbol: `${request.symbol}/${isKrwVenue(venue) ? "KRW" : "USDT"}`,
        side,
        order_type: "MARKET",
        quantity: request.quantity,
        venue,
        client_order_id: request.client_order_id ? `${request.client_order_id}:${side.toLowerCase()}` : undefined,
      },
      { id: crypto.randomUUID(), idempotencyKey: key, requestHash: idempotency?.hash ?? null, tradeId },
      quotes,
      now,
    ).order;
  const buy = leg("BUY", request.buy_venue, idempotency?.key ?? null);
  const sell = leg("SELL", request.sell_venue, null);
  repo.saveTrade({
    id: tradeId,
    base: request.symbol,
    quantity: buy.quantity,
    buy_order_id: buy.id,
    sell_order_id: sell.id,
    entry_usd_krw: quotes.usdKrw ? str(quotes.usdKrw) : null,
    created_at: now,
  });
  return tradeId;
}

function averagePrice(order: OrderRecord): Decimal | null {
  const filled = dec(order.filled_quantity);
  return filled.isZero() ? null : dec(order.filled_value).div(filled);
}

function premium(krw: Decimal | null, usdt: Decimal | null, usdKrw: Decimal | null) {
  const percent =
    krw && usdt && usdKrw && !usdt.isZero() && !usdKrw.isZero()
      ? num(krw.div(usdt.times(usdKrw)).minus(1).times(100).toDecimalPlaces(6))
      : null;
  return {
    premium_percent: percent,
    krw_price: krw ? num(krw) : null,
    usdt_price: usdt ? num(usdt) : null,
    usd_krw: usdKrw ? num(usdKrw) : null,
  };
}

export function premiumTradeView(
  trade: TradeRecord,
  buy: OrderRecord,
  sell: OrderRecord,
  quotes: Quotes,
  userId: string,
): PremiumTrade {
  const krwLeg = buy.quote === "KRW" ? buy : sell;
  const usdtLeg = buy.quote === "KRW" ? sell : buy;
  const usdKrwAtEntry = trade.entry_usd_krw ? dec(trade.entry_usd_krw) : null;
  const krwNow = quotes.quote(krwLeg.venue, trade.base)?.price ?? null;
  const usdtNow = quotes.quote(usdtLeg.venue, trade.base)?.price ?? null;
  const usdKrwNow = quotes.usdKrw;

  let pnl: Decimal | null = ZERO;
  for (const leg of [krwLeg, usdtLeg]) {
    const average = averagePrice(leg);
    const now = leg === krwLeg ? krwNow : usdtNow;
    const rate = leg.quote === "KRW" ? dec(1) : usdKrwNow;
    if (pnl === null || average === null || now === null || rate === null) {
      pnl = null;
      continue;
    }
    const move = leg.side === "BUY" ? now.minus(average) : average.minus(now);
    pnl = pnl.plus(move.times(dec(leg.filled_quantity)).minus(dec(leg.fee)).times(rate));
  }
  return {
    id: trade.id,
    user_id: userId,
    symbol: trade.base,
    quantity: num(dec(trade.quantity)),
    buy_order: orderView(buy),
    sell_order: orderView(sell),
    entry: premium(averagePrice(krwLeg), averagePrice(usdtLeg), usdKrwAtEntry),
    now: premium(krwNow, usdtNow, usdKrwNow),
    pnl_krw: pnl === null ? null : num(pnl.toDecimalPlaces(2)),
    created_at: new Date(trade.created_at).toISOString(),
  };
}
