/**
 * What the alert form shows beside its fields, from the coin as the page holds it now: the coin's name
 * and figures, today's value of what a threshold would compare, the caution flags it already has, and
 * the threshold's unit. Pure functions of the coin and the form's choices.
 */
import type { AlertKind } from "../../../protocol/alerts";
import type { Coin } from "../../../protocol/market";
import { type MarketVenue, VENUE_CURRENCY } from "../../../protocol/venues";
import { formatPercent } from "../format";
import { fill, tMaybe } from "../i18n";
import { tr } from "./alert-messages";
import { coinName, priceWithUnit, venueName } from "./alert-words";

/** The choices a level alert's reading depends on. */
export interface ReadingChoice {
  venue: string;
  basis: string;
  window: string;
}

/** "비트코인 · 업비트 134,988,431원 · 김프 +3.12%". */
export function coinSummary(symbol: string, coin: Coin): string {
  const krwVenue = coin.premium?.krw_venue ?? (coin.prices.upbit ? "upbit" : "bithumb");
  const krwPrice = coin.premium?.krw_price ?? coin.prices[krwVenue as MarketVenue]?.price;
  return fill(tr("coinSummary"), {
    name: coinName(symbol, coin),
    venue: venueName(krwVenue),
    price: krwPrice === undefined ? "—" : priceWithUnit(krwPrice, krwVenue),
    premium: formatPercent(coin.premium?.premium_percent),
  });
}

/** "현재 +3.12%": the value a level alert of this kind would compare now ("" for the other kinds). */
export function currentValue(kind: AlertKind, coin: Coin, choice: ReadingChoice): string {
  const usdt = choice.basis === "usdt";
  if (kind === "price") {
    const venue = choice.venue as MarketVenue;
    const price = coin.prices[venue]?.price;
    return price === undefined ? tr("nowNone") : fill(tr("nowPrice"), { value: priceWithUnit(price, venue) });
  }
  if (kind === "premium") {
    const value = usdt ? coin.premium?.usdt_premium_percent : coin.premium?.premium_percent;
    return value === null || value === undefined
      ? tr("nowNone")
      : fill(tr("nowPremium"), { value: formatPercent(value) });
  }
  if (kind === "premium_percentile") {
    const context = usdt ? coin.premium?.context?.usdt_premium_percent : coin.premium?.context?.premium_percent;
    const value = choice.window === "90d" ? context?.percentile_90d : context?.percentile_30d;
    return value === null || value === undefined
      ? tr("nowNone")
      : fill(tr("nowPercentile"), { value: Math.round(value) });
  }
  return "";
}

/** What a caution alert does, and the flags the coin carries already. */
export function cautionText(coin: Coin | undefined): string {
  const flags = (coin?.warnings ?? []).map((w) => tMaybe(`warn_${w}`, w));
  if (!coin) return tr("cautionNote");
  return `${tr("cautionNote")} ${flags.length ? fill(tr("nowFlags"), { flags: flags.join(", ") }) : tr("nowNoFlags")}`;
}

/** The threshold's label with its unit: the venue's currency, percent, or percentile. */
export function thresholdLabel(kind: AlertKind, venue: string): string {
  if (kind === "price") return fill(tr("thresholdPrice"), { unit: VENUE_CURRENCY[venue as MarketVenue] ?? "KRW" });
  return kind === "premium" ? tr("thresholdPremium") : tr("thresholdPercentile");
}
