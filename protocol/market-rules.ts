/**
 * The venues' published trading rules that the paper-trading simulation follows: fee rates, the smallest order
 * value, how many decimals a quantity may have, and the price unit (tick size) an order price must be a multiple
 * of. Where a venue publishes no single number (Binance and Bybit set these per symbol), a representative default
 * is used and its doc comment says what it is based on. `RULE_SOURCES` records where each rule was read.
 *
 * No zod here, and nothing imported but `./venues`: the dashboard may bundle this file.
 */
import type { MarketVenue } from "./venues";

/** Maker and taker fee rates as decimal fractions in strings, e.g. "0.0005" for 0.05 %. */
export interface VenueFees {
  maker: string;
  taker: string;
}

/**
 * Each venue's standard spot rate for the markets we show (no VIP tier, coupon, application or event):
 * - Upbit KRW market: 0.05 % maker and taker ("일반주문"; reserved/stop orders pay 0.139 %, not modelled).
 * - Bithumb KRW market: 0.25 % maker and taker. Bithumb's "국내 최저 수수료" of 0.04 % applies only for 30 days
 *   after the member applies for it in the app; without it, and after it lapses, 0.25 % is charged.
 * - Binance spot, Regular tier without the BNB discount: 0.1 % maker and taker.
 * - Bybit spot, VIP 0 ("All Spot Trading Pairs"): 0.1 % maker and taker.
 */
export const VENUE_FEES: Record<MarketVenue, VenueFees> = {
  upbit: { maker: "0.0005", taker: "0.0005" },
  bithumb: { maker: "0.0025", taker: "0.0025" },
  binance: { maker: "0.001", taker: "0.001" },
  bybit: { maker: "0.001", taker: "0.001" },
};

/**
 * The smallest order value a venue accepts, in the market's quote currency (KRW or USDT), as a decimal string.
 * - Upbit KRW market: 5,000 KRW ("최소 주문 가능 금액").
 * - Bithumb KRW market: 5,000 KRW ("원화 마켓 거래 정책 안내").
 * - Binance: no venue-wide number; each symbol has a `NOTIONAL` filter. 5 USDT is the `minNotional` of the major
 *   USDT pairs (BTCUSDT, ETHUSDT, SOLUSDT in `exchangeInfo`); some pairs ask more.
 * - Bybit: no venue-wide number; each symbol has `lotSizeFilter.minOrderAmt`. 5 USDT is the value in the spot
 *   BTCUSDT example of the instruments-info documentation.
 */
export const MIN_ORDER_VALUE: Record<MarketVenue, string> = {
  upbit: "5000",
  bithumb: "5000",
  binance: "5",
  bybit: "5",
};

/**
 * How many decimal places a quantity (in the base asset) may have on each venue.
 * Upbit and Bithumb accept 8 (0.00000001 of the coin) on their KRW markets. Binance and Bybit publish no single
 * number but a step per symbol (Binance `LOT_SIZE.stepSize`, e.g. 0.00001 for BTCUSDT, within a base-asset
 * precision of 8; Bybit `basePrecision`, e.g. 0.000001 for BTCUSDT); 8 is used as the bound, so the simulation
 * may accept a quantity finer than a given symbol's step.
 */
export const QUANTITY_DECIMALS: Record<MarketVenue, number> = {
  upbit: 8,
  bithumb: 8,
  binance: 8,
  bybit: 8,
};

/** One row of a price-unit table: prices at or above `from` ("이상") and below the previous row use `unit`. */
interface PriceUnitRow {
  readonly from: number;
  readonly unit: string;
}

/** Rows from `[from, unit]` pairs written as decimal strings, highest first, the last one starting at 0. */
function rows(table: readonly (readonly [from: string, unit: string])[]): readonly PriceUnitRow[] {
  return table.map(([from, unit]) => ({ from: Number(from), unit }));
}

/** Upbit KRW market, the table in effect since 2025-07-31. */
const UPBIT_KRW_UNITS = rows([
  ["2000000", "1000"],
  ["1000000", "1000"],
  ["500000", "500"],
  ["100000", "100"],
  ["50000", "50"],
  ["10000", "10"],
  ["5000", "5"],
  ["1000", "1"],
  ["100", "1"],
  ["10", "0.1"],
  ["1", "0.01"],
  ["0.1", "0.001"],
  ["0.01", "0.0001"],
  ["0.001", "0.00001"],
  ["0.0001", "0.000001"],
  ["0.00001", "0.0000001"],
  ["0", "0.00000001"],
]);

/**
 * Bithumb KRW market ("원화 마켓 거래 정책 안내"). From 100 KRW up it is Upbit's table; below 100 KRW Bithumb's
 * units differ (10–100 → 0.01, 1–10 → 0.001, below 1 → 0.0001).
 */
const BITHUMB_KRW_UNITS = rows([
  ["1000000", "1000"],
  ["500000", "500"],
  ["100000", "100"],
  ["50000", "50"],
  ["10000", "10"],
  ["5000", "5"],
  ["1000", "1"],
  ["100", "1"],
  ["10", "0.01"],
  ["1", "0.001"],
  ["0", "0.0001"],
]);

/**
 * Binance and Bybit publish a tick size per symbol (Binance `PRICE_FILTER.tickSize`, Bybit `priceFilter.tickSize`)
 * and no table by price. As the documented approximation this uses Upbit's USDT-market table (in effect since
 * 2024-08-19). It matches Binance BTCUSDT (0.01); Bybit spot BTCUSDT is coarser (0.1), so the simulation may
 * accept a price that venue would round.
 */
const USDT_APPROX_UNITS = rows([
  ["10", "0.01"],
  ["1", "0.001"],
  ["0.1", "0.0001"],
  ["0.01", "0.00001"],
  ["0.001", "0.000001"],
  ["0.0001", "0.0000001"],
  ["0", "0.00000001"],
]);

const PRICE_UNITS: Record<MarketVenue, readonly PriceUnitRow[]> = {
  upbit: UPBIT_KRW_UNITS,
  bithumb: BITHUMB_KRW_UNITS,
  binance: USDT_APPROX_UNITS,
  bybit: USDT_APPROX_UNITS,
};

/** A documented per-coin exception: `bases` priced in `[from, below)` use `unit` instead of the table's. */
interface PriceUnitException {
  readonly bases: readonly string[];
  readonly from: number;
  readonly below: number;
  readonly unit: string;
}

/**
 * Per-coin exceptions the venues document. Upbit: USDT/KRW and USDC/KRW use 0.5 KRW from 1,000 to 10,000 KRW
 * (since 2025-03-21; the KRW-market page still lists this change).
 */
const PRICE_UNIT_EXCEPTIONS: Record<MarketVenue, readonly PriceUnitException[]> = {
  upbit: [{ bases: ["USDT", "USDC"], from: 1000, below: 10000, unit: "0.5" }],
  bithumb: [],
  binance: [],
  bybit: [],
};

/**
 * The price unit (tick size) an order price must be a multiple of, as a decimal string, for `base` quoted on
 * `venue` at `price`. Row bounds are inclusive at the lower end ("이상"). Throws a RangeError unless `price` is a
 * positive finite number.
 */
export function priceUnit(venue: MarketVenue, base: string, price: number): string {
  if (!Number.isFinite(price) || price <= 0) {
    throw new RangeError(`price must be a positive finite number, got ${price}`);
  }
  const coin = base.toUpperCase();
  const exception = PRICE_UNIT_EXCEPTIONS[venue].find(
    (e) => e.bases.includes(coin) && price >= e.from && price < e.below,
  );
  if (exception) return exception.unit;
  // The last row starts at 0, so a positive price always finds one.
  return PRICE_UNITS[venue].find((row) => price >= row.from)!.unit;
}

/**
 * Where each rule comes from: a documentation URL and the date it was read, per venue and rule. The pages were read
 * from stored copies. Where only part of a page was stored (the lower rows of Upbit's KRW table, below 10 KRW) or
 * the page itself was not (Bithumb's help-center articles, which answer some hosts with HTTP 403; Upbit's and
 * Binance's fee pages, rendered in the browser), the rule was taken from transcriptions of that page that name it
 * and agree with each other.
 */
export const RULE_SOURCES: Record<MarketVenue, { fees: string; priceUnits: string; minimum: string }> = {
  upbit: {
    fees: "https://upbit.com/service_center/fees (read 2026-12-04)",
    priceUnits: "https://docs.upbit.com/kr/docs/krw-market-info.md (read 2026-12-04)",
    minimum: "https://docs.upbit.com/kr/docs/krw-market-info.md (read 2026-12-04)",
  },
  bithumb: {
    fees: "https://support.bithumb.com/hc/ko/articles/51131586657689 (read 2026-12-04)",
    priceUnits: "https://support.bithumb.com/hc/ko/articles/51036972377241 (read 2026-12-04)",
    minimum: "https://support.bithumb.com/hc/ko/articles/51036972377241 (read 2026-12-04)",
  },
  binance: {
    fees: "https://www.binance.com/en/fee/schedule (read 2026-12-04)",
    priceUnits: "https://developers.binance.com/docs/binance-spot-api-docs/filters (read 2026-12-04)",
    minimum: "https://developers.binance.com/docs/binance-spot-api-docs/filters (read 2026-12-04)",
  },
  bybit: {
    fees: "https://testnet.bybit.com/en-US/help-center/HelpCenterKnowledge/bybitHC_Article?id=000001175 (read 2026-12-04)",
    priceUnits: "https://bybit-exchange.github.io/docs/v5/market/instrument (read 2026-12-04)",
    minimum: "https://bybit-exchange.github.io/docs/v5/market/instrument (read 2026-12-04)",
  },
};
