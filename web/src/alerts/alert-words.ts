/**
 * Alerts and their figures in words, in the current language: an alert's condition ("업비트 가격
 * 140,000,000원 이상"), a coin's name, a cooldown, a moment, a failed request. The list, the form and
 * the inbox share them.
 */
import type { Alert } from "../../../protocol/alerts";
import type { Coin } from "../../../protocol/market";
import { VENUE_CURRENCY } from "../../../protocol/venues";
import { ApiError } from "../api";
import { formatKrw, formatPercent, formatUsdAmount, formatUsdt } from "../format";
import { fill, lang, type MessageKey, t } from "../i18n";
import { tr } from "./alert-messages";

/** A venue's name (`업비트`, `Binance`), or the code for a venue the dashboard does not name. */
export function venueName(venue: string): string {
  return t(`venue_${venue}` as MessageKey) ?? venue;
}

/** A price with its unit, in the venue's quote currency: `140,000,000원`, `91,000.50 USDT`. */
export function priceWithUnit(value: number, venue: string): string {
  const currency = VENUE_CURRENCY[venue as keyof typeof VENUE_CURRENCY] ?? "KRW";
  if (currency === "USDT") return `${formatUsdt(value)} USDT`;
  return lang() === "ko" ? `${formatKrw(value)}원` : `${formatKrw(value)} KRW`;
}

/** A coin's name in the reader's language, falling back to the other one, then to the symbol. */
export function coinName(symbol: string, coin: Coin | undefined): string {
  const ko = lang() === "ko";
  return (ko ? coin?.korean_name : coin?.english_name) ?? coin?.korean_name ?? coin?.english_name ?? symbol;
}

/** What the alert waits for, without the coin: "김프 +4.00% 이상 (USD/KRW 기준)". */
export function describeCondition(alert: Alert): string {
  const dir = alert.direction === "below" ? tr("dir_below") : tr("dir_above");
  const basis = alert.basis === "usdt" ? "USDT/KRW" : "USD/KRW";
  const threshold = alert.threshold ?? 0;
  switch (alert.kind) {
    case "price":
      return fill(tr("descPrice"), {
        venue: venueName(alert.venue ?? ""),
        threshold: priceWithUnit(threshold, alert.venue ?? "upbit"),
        dir,
      });
    case "premium":
      return fill(tr("descPremium"), { threshold: formatPercent(threshold), dir, basis });
    case "premium_percentile":
      return fill(tr("descPercentile"), {
        window: alert.window === "90d" ? tr("days90") : tr("days30"),
        threshold: String(threshold),
        dir,
        basis,
      });
    case "liquidation":
      return fill(tr("descLiquidation"), { usd: formatUsdAmount(alert.min_usd) });
    case "caution":
      return tr("descCaution");
  }
}

/** A cooldown in the largest whole unit: `5분`, `90 s`, `2 h`. */
export function formatDuration(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return fill(tr("hours"), { n: seconds / 3600 });
  if (seconds >= 60 && seconds % 60 === 0) return fill(tr("minutes"), { n: seconds / 60 });
  return fill(tr("seconds"), { n: seconds });
}

const whenFormats = new Map<string, Intl.DateTimeFormat>();

/** A moment in the browser's time zone and the reader's language: `12월 4일 오후 4:05`, `Dec 4, 4:05 PM`. */
export function formatWhen(iso: string | number): string {
  const locale = lang() === "ko" ? "ko-KR" : "en-US";
  let format = whenFormats.get(locale);
  if (!format) {
    format = new Intl.DateTimeFormat(locale, { month: "short", day: "numeric", hour: "numeric", minute: "2-digit" });
    whenFormats.set(locale, format);
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? String(iso) : format.format(date);
}

/** Why a request failed: the network's fault in the reader's language, else the server's own detail. */
export function failureText(error: unknown): string {
  if (error instanceof ApiError)
    return error.status === 0 ? tr("networkError") : (error.problem.detail ?? error.problem.title);
  return error instanceof Error ? error.message : String(error);
}
