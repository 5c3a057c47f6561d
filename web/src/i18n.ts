/** The dashboard's two languages: Korean by default, English on request (kept in localStorage). */
export type Lang = "ko" | "en";

const ko = {
  title: "김프 보드",
  subtitle: "실시간 김치 프리미엄",
  usdKrw: "USD/KRW",
  usdtKrw: "USDT/KRW",
  tetherPremium: "테더 프리미엄",
  fearGreed: "공포·탐욕",
  langToggle: "English",
  langToggleLabel: "Switch to English",
  live: "실시간",
  connecting: "연결 중",
  reconnecting: "재연결 중",
  offline: "연결 끊김",
  sourceSimulated: "시뮬레이션 데이터",
  sourceReplay: "녹화 재생 데이터",
  sourceSimulatedNote: "거래소에 연결되지 않아 모의 시세를 표시합니다. 실제 시세가 아닙니다.",
  sourceReplayNote: "기록된 세션을 재생 중입니다. 현재 시세가 아닙니다.",
  staleNote: "지연",
  staleTitle: "입력 데이터가 오래되었습니다",
  search: "코인명, 심볼, 초성 검색 (예: ㅂㅌ)",
  searchLabel: "코인 검색",
  tabAll: "전체",
  tabFavourites: "즐겨찾기",
  colFav: "즐겨찾기",
  colName: "코인명",
  colSymbol: "심볼",
  colKrw: "업비트",
  colKrwUnit: "KRW",
  colGlobal: "바이낸스",
  colGlobalUnit: "USDT",
  colGlobalKrw: "바이낸스",
  colGlobalKrwUnit: "KRW 환산",
  colPremium: "김프",
  colPremiumUnit: "환율 기준",
  colUsdtPremium: "김프",
  colUsdtPremiumUnit: "테더 기준",
  colChange: "전일대비",
  colChangeUnit: "24h",
  colValue: "거래대금",
  colValueUnit: "24h",
  premiumRank: "김프 위치 (30일)",
  premiumRankValue: "{p} 백분위 · z {z} · 범위 {min} ~ {max}",
  favAdd: "즐겨찾기에 추가",
  favRemove: "즐겨찾기에서 제거",
  reverse: "역프",
  trade: "거래",
  tradeLabel: "주문, 김프 거래, 알림",
  tradeOrder: "주문",
  tradePremium: "김프 거래",
  tradeAlert: "알림 설정",
  reverseTitle: "역프리미엄: 국내 가격이 해외보다 낮습니다",
  noMatch: "검색 결과가 없습니다",
  noFavourites: "즐겨찾기한 코인이 없습니다. ☆를 눌러 추가하세요.",
  waiting: "시세를 기다리는 중…",
  coinsCount: "종목",
  liquidations: "실시간 청산",
  liqTotals: "청산 합계",
  liqLong: "롱",
  liqShort: "숏",
  liqMin: "최소 규모",
  liqLongTotal: "롱 청산",
  liqShortTotal: "숏 청산",
  liqAll: "전체",
  liqEmpty: "조건에 맞는 청산이 없습니다",
  liqNone: "아직 청산이 없습니다",
  liqWaiting: "청산 데이터를 기다리는 중…",
  liqSampled: "일부 거래소는 초당 1건만 공개하여 실제보다 적을 수 있습니다",
  liqUnavailable: "청산 데이터를 불러올 수 없습니다",
  back: "← 목록",
  backLabel: "목록으로 돌아가기",
  priceChart: "가격",
  premiumChart: "김치 프리미엄",
  premiumFx: "환율 기준",
  premiumUsdt: "테더 기준",
  interval: "간격",
  venue: "거래소",
  noHistory: "아직 쌓인 데이터가 없습니다",
  loadFailed: "불러오지 못했습니다",
  unknownCoin: "알 수 없는 코인입니다",
  high: "고가",
  low: "저가",
  updatedAt: "갱신",
  keyboardHint: "/ 검색 · Esc 닫기",
  skipToSearch: "검색으로 건너뛰기",
  venue_upbit: "업비트",
  venue_bithumb: "빗썸",
  venue_binance: "바이낸스",
  venue_bybit: "바이비트",
  venue_okx: "OKX",
  venue_bitmex: "BitMEX",
  fg_extreme_fear: "극단적 공포",
  fg_fear: "공포",
  fg_neutral: "중립",
  fg_greed: "탐욕",
  fg_extreme_greed: "극단적 탐욕",
  warn_WARNING: "유의",
  warn_CAUTION: "주의",
  warn_PRICE_FLUCTUATIONS: "가격 급등락",
  warn_TRADING_VOLUME_SOARING: "거래량 급등",
  warn_DEPOSIT_AMOUNT_SOARING: "입금량 급등",
  warn_GLOBAL_PRICE_DIFFERENCES: "글로벌 가격 차이",
  warn_CONCENTRATION_OF_SMALL_ACCOUNTS: "소수 계정 집중",
  warn_DELISTING: "거래지원 종료 예정",
} as const;

/** Every string key the dashboard uses. */
export type MessageKey = keyof typeof ko;

const en: Record<MessageKey, string> = {
  title: "Kimchi Board",
  subtitle: "Live kimchi premium",
  usdKrw: "USD/KRW",
  usdtKrw: "USDT/KRW",
  tetherPremium: "Tether premium",
  fearGreed: "Fear & Greed",
  langToggle: "한국어",
  langToggleLabel: "한국어로 보기",
  live: "Live",
  connecting: "Connecting",
  reconnecting: "Reconnecting",
  offline: "Offline",
  sourceSimulated: "Simulated data",
  sourceReplay: "Replayed data",
  sourceSimulatedNote: "No exchange connection: these are simulated prices, not real quotes.",
  sourceReplayNote: "Replaying a recorded session: these are not current prices.",
  staleNote: "stale",
  staleTitle: "An input is older than its freshness bound",
  search: "Search name, symbol or 초성 (e.g. ㅂㅌ)",
  searchLabel: "Search coins",
  tabAll: "All",
  tabFavourites: "Favourites",
  colFav: "Favourite",
  colName: "Name",
  colSymbol: "Symbol",
  colKrw: "Upbit",
  colKrwUnit: "KRW",
  colGlobal: "Binance",
  colGlobalUnit: "USDT",
  colGlobalKrw: "Binance",
  colGlobalKrwUnit: "in KRW",
  colPremium: "Premium",
  colPremiumUnit: "USD/KRW",
  colUsdtPremium: "Premium",
  colUsdtPremiumUnit: "USDT/KRW",
  colChange: "Change",
  colChangeUnit: "24h",
  colValue: "Value",
  colValueUnit: "24h",
  premiumRank: "Premium percentile (30d)",
  premiumRankValue: "percentile {p} · z {z} · range {min} to {max}",
  favAdd: "Add to favourites",
  favRemove: "Remove from favourites",
  reverse: "Reverse",
  trade: "Trade",
  tradeLabel: "Order, premium trade, alert",
  tradeOrder: "Order",
  tradePremium: "Premium trade",
  tradeAlert: "Set alert",
  reverseTitle: "Reverse premium: cheaper in Korea than abroad",
  noMatch: "No coin matches",
  noFavourites: "No favourites yet. Press ☆ to add one.",
  waiting: "Waiting for prices…",
  coinsCount: "coins",
  liquidations: "Live liquidations",
  liqTotals: "Liquidation totals",
  liqLong: "Long",
  liqShort: "Short",
  liqMin: "Min size",
  liqLongTotal: "Longs liquidated",
  liqShortTotal: "Shorts liquidated",
  liqAll: "All",
  liqEmpty: "No liquidation matches",
  liqNone: "No liquidations yet",
  liqWaiting: "Waiting for liquidations…",
  liqSampled: "Some venues publish at most one per second, so totals may be a floor",
  liqUnavailable: "Liquidations are unavailable",
  back: "← Board",
  backLabel: "Back to the board",
  priceChart: "Price",
  premiumChart: "Kimchi premium",
  premiumFx: "USD/KRW basis",
  premiumUsdt: "USDT/KRW basis",
  interval: "Interval",
  venue: "Venue",
  noHistory: "No history collected yet",
  loadFailed: "Could not load",
  unknownCoin: "Unknown coin",
  high: "High",
  low: "Low",
  updatedAt: "Updated",
  keyboardHint: "/ search · Esc close",
  skipToSearch: "Skip to search",
  venue_upbit: "Upbit",
  venue_bithumb: "Bithumb",
  venue_binance: "Binance",
  venue_bybit: "Bybit",
  venue_okx: "OKX",
  venue_bitmex: "BitMEX",
  fg_extreme_fear: "Extreme fear",
  fg_fear: "Fear",
  fg_neutral: "Neutral",
  fg_greed: "Greed",
  fg_extreme_greed: "Extreme greed",
  warn_WARNING: "Warning",
  warn_CAUTION: "Caution",
  warn_PRICE_FLUCTUATIONS: "Price swings",
  warn_TRADING_VOLUME_SOARING: "Volume surge",
  warn_DEPOSIT_AMOUNT_SOARING: "Deposit surge",
  warn_GLOBAL_PRICE_DIFFERENCES: "Global price gap",
  warn_CONCENTRATION_OF_SMALL_ACCOUNTS: "Few accounts",
  warn_DELISTING: "Delisting",
};

const STORAGE_KEY = "kimchi.lang";
let current: Lang = readStoredLang();
const listeners = new Set<(lang: Lang) => void>();

function readStoredLang(): Lang {
  try {
    return localStorage.getItem(STORAGE_KEY) === "en" ? "en" : "ko";
  } catch {
    return "ko";
  }
}

/** The current language. */
export function lang(): Lang {
  return current;
}

/** The string for `key` in the current language. */
export function t(key: MessageKey): string {
  return current === "ko" ? ko[key] : en[key];
}

/** A string that may not exist (e.g. a venue's caution flag); `fallback` when it does not. */
export function tMaybe(key: string, fallback: string): string {
  const table: Record<string, string> = current === "ko" ? ko : en;
  return table[key] ?? fallback;
}

/** Switches language, remembers it and tells every listener (which re-render their labels). */
export function setLang(next: Lang): void {
  if (next === current) return;
  current = next;
  try {
    localStorage.setItem(STORAGE_KEY, next);
  } catch {
    // private mode: the choice lasts for this page only
  }
  document.documentElement.lang = next;
  for (const listener of listeners) listener(next);
}

/** Calls `listener` after every language change. */
export function onLangChange(listener: (lang: Lang) => void): void {
  listeners.add(listener);
}

/**
 * A feature's own strings, kept beside it: `const tr = messages({ ...ko }, { ...en })`, then
 * `tr("key")` answers in the current language. The English table must have every Korean key.
 */
export function messages<K extends string>(koTable: Record<K, string>, enTable: Record<K, string>): (key: K) => string {
  return (key) => (current === "ko" ? koTable[key] : enTable[key]);
}

/** Fills `{name}` placeholders: `fill("{n} 건", { n: 3 })`. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, name: string) => (name in values ? String(values[name]) : whole));
}
