/**
 * What a notification says, in Korean or English: a short title and a one-line body, the same for
 * every channel (an SMS gets `title: body`; the inbox and push show both).
 */
import type { AlertTriggered } from "../../protocol/alerts";
import type { NotificationEvent } from "../../protocol/events";
import type { Locale } from "../../protocol/notifications";
import type { Order } from "../../protocol/trading";

export interface RenderedMessage {
  title: string;
  body: string;
  /** Where the dashboard shows what it is about. */
  url: string;
}

const VENUES: Record<string, { ko: string; en: string }> = {
  upbit: { ko: "업비트", en: "Upbit" },
  bithumb: { ko: "빗썸", en: "Bithumb" },
  binance: { ko: "바이낸스", en: "Binance" },
  bybit: { ko: "바이비트", en: "Bybit" },
  okx: { ko: "OKX", en: "OKX" },
  bitmex: { ko: "BitMEX", en: "BitMEX" },
};

export function render(event: NotificationEvent, locale: Locale): RenderedMessage {
  if (event.type === "alert.triggered") return renderAlert(event.data, locale);
  return renderOrder(event.type, event.data, locale);
}

function renderAlert(a: AlertTriggered, locale: Locale): RenderedMessage {
  const ko = locale === "ko";
  const coin = a.symbol ?? (ko ? "전체 코인" : "any coin");
  const named = ko && a.korean_name ? `${coin}(${a.korean_name})` : coin;
  const up = a.direction !== "below";
  const url = a.symbol ? `/#/coin/${encodeURIComponent(a.symbol)}` : "/#/alerts";
  switch (a.kind) {
    case "price": {
      const venue = venueName(a.venue, locale);
      const unit = a.venue === "upbit" || a.venue === "bithumb" ? (ko ? "원" : " KRW") : " USDT";
      const threshold = `${number(a.threshold)}${unit}`;
      const now = `${number(a.value)}${unit}`;
      return ko
        ? {
            title: `${named} 가격 알림`,
            body: `${venue} ${coin} 가격이 ${threshold} ${up ? "이상" : "이하"}입니다 (현재 ${now})`,
            url,
          }
        : {
            title: `${coin} price alert`,
            body: `${coin} on ${venue} is ${up ? "at or above" : "at or below"} ${threshold} (now ${now})`,
            url,
          };
    }
    case "premium": {
      const basis = a.basis === "usdt" ? "USDT/KRW" : "USD/KRW";
      return ko
        ? {
            title: `${named} 김치 프리미엄 알림`,
            body: `${basis} 기준 프리미엄이 ${pct(a.threshold)} ${up ? "이상" : "이하"}입니다 (현재 ${pct(a.value)})`,
            url,
          }
        : {
            title: `${coin} kimchi premium alert`,
            body: `The premium against ${basis} is ${up ? "at or above" : "at or below"} ${pct(a.threshold)} (now ${pct(a.value)})`,
            url,
          };
    }
    case "premium_percentile": {
      return ko
        ? {
            title: `${named} 프리미엄 분위 알림`,
            body: `프리미엄이 과거 분포의 ${number(a.threshold)} 백분위 ${up ? "이상" : "이하"}입니다 (현재 ${number(a.value)})`,
            url,
          }
        : {
            title: `${coin} premium percentile alert`,
            body: `The premium is ${up ? "at or above" : "at or below"} the ${number(a.threshold)}th percentile of its history (now ${number(a.value)})`,
            url,
          };
    }
    case "liquidation": {
      const l = a.liquidation;
      const side = l?.side === "long" ? (ko ? "롱" : "long") : ko ? "숏" : "short";
      const venue = venueName(l?.venue ?? a.venue, locale);
      const usd = `$${number(a.value)}`;
      return ko
        ? {
            title: `${l?.symbol ?? coin} 대형 청산`,
            body: `${venue}에서 ${side} 포지션 ${usd} 청산 (기준 $${number(a.threshold)})`,
            url: "/#/",
          }
        : {
            title: `Large ${l?.symbol ?? coin} liquidation`,
            body: `A ${usd} ${side} was liquidated on ${venue} (alert at $${number(a.threshold)})`,
            url: "/#/",
          };
    }
    case "caution": {
      const flags = (a.flags ?? []).join(", ");
      return ko
        ? { title: `${named} 유의 종목 지정`, body: `업비트가 ${coin}에 유의 표시를 붙였습니다: ${flags}`, url }
        : { title: `${coin} caution flag`, body: `Upbit flagged ${coin}: ${flags}`, url };
    }
  }
}

function renderOrder(
  type: Exclude<NotificationEvent["type"], "alert.triggered">,
  o: Order,
  locale: Locale,
): RenderedMessage {
  const ko = locale === "ko";
  const side = o.side === "BUY" ? (ko ? "매수" : "buy") : ko ? "매도" : "sell";
  const venue = venueName(o.venue, locale);
  const what = `${venue} ${o.symbol} ${side} ${number(o.quantity)}`;
  const url = "/#/desk";
  if (type === "order.filled") {
    const at = o.average_fill_price === null ? "" : ` @ ${number(o.average_fill_price)}`;
    return ko
      ? { title: "주문 체결", body: `${what}${at} 체결 완료`, url }
      : { title: "Order filled", body: `${what}${at} filled`, url };
  }
  if (type === "order.created") {
    return ko
      ? { title: "주문 접수", body: `${what} 주문이 접수되었습니다`, url }
      : { title: "Order placed", body: `${what} was placed`, url };
  }
  const status = ko ? ORDER_STATUS_KO[o.status] : o.status.toLowerCase().replace("_", " ");
  const reason = o.reject_reason ? ` (${o.reject_reason})` : "";
  return ko
    ? { title: `주문 ${status}`, body: `${what}: ${status}${reason}`, url }
    : { title: `Order ${status}`, body: `${what}: ${status}${reason}`, url };
}

const ORDER_STATUS_KO: Record<Order["status"], string> = {
  PENDING: "대기",
  PARTIALLY_FILLED: "부분 체결",
  FILLED: "체결",
  CANCELLED: "취소",
  REJECTED: "거부",
};

function venueName(venue: string | null, locale: Locale): string {
  if (!venue) return "";
  return VENUES[venue]?.[locale] ?? venue;
}

function number(n: number | null): string {
  if (n === null) return "-";
  return n.toLocaleString("en-US", { maximumFractionDigits: Math.abs(n) >= 100 ? 0 : Math.abs(n) >= 1 ? 2 : 8 });
}

function pct(n: number | null): string {
  return n === null ? "-" : `${n.toFixed(2)}%`;
}
