import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MIN_ORDER_VALUE, priceUnit, QUANTITY_DECIMALS, RULE_SOURCES, VENUE_FEES } from "../../protocol/market-rules";
import { MARKET_VENUES, type MarketVenue } from "../../protocol/venues";

/** A price-unit table as `[lower bound (inclusive), unit]`, highest first, the last row starting at 0. */
type Table = readonly (readonly [from: string, unit: string])[];

// The venues' tables, written out again from their pages, so the module is checked against them and not itself.
const UPBIT_KRW: Table = [
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
];
const BITHUMB_KRW: Table = [
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
];
// Upbit's USDT-market table, the documented approximation for Binance and Bybit.
const USDT_APPROX: Table = [
  ["10", "0.01"],
  ["1", "0.001"],
  ["0.1", "0.0001"],
  ["0.01", "0.00001"],
  ["0.001", "0.000001"],
  ["0.0001", "0.0000001"],
  ["0", "0.00000001"],
];
const TABLES: Record<MarketVenue, Table> = {
  upbit: UPBIT_KRW,
  bithumb: BITHUMB_KRW,
  binance: USDT_APPROX,
  bybit: USDT_APPROX,
};

/** Decimal strings as integers in units of 10^-SCALE, so divisibility is checked without floating point. */
const SCALE = 12;
function scaled(decimal: string): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal);
  if (!match) throw new Error(`not a plain decimal: ${decimal}`);
  const frac = match[2] ?? "";
  if (frac.length > SCALE) throw new Error(`more than ${SCALE} decimals: ${decimal}`);
  return BigInt(match[1] + frac.padEnd(SCALE, "0"));
}
function divides(unit: string, price: string): boolean {
  return scaled(price) % scaled(unit) === 0n;
}

const justBelow = (b: number) => b * (1 - 1e-9);
const justAbove = (b: number) => b * (1 + 1e-9);

describe("price units", () => {
  for (const venue of MARKET_VENUES) {
    const table = TABLES[venue];

    it(`${venue}: every row applies from its lower bound (inclusive) and gives way just below it`, () => {
      table.forEach(([from, unit], i) => {
        const b = Number(from);
        if (b === 0) return;
        const next = table[i + 1];
        if (!next) throw new Error(`${venue}: the last row must start at 0`);
        expect(priceUnit(venue, "BTC", b), `${venue} at ${from}`).toBe(unit);
        expect(priceUnit(venue, "BTC", justAbove(b)), `${venue} just above ${from}`).toBe(unit);
        expect(priceUnit(venue, "BTC", justBelow(b)), `${venue} just below ${from}`).toBe(next[1]);
      });
      expect(priceUnit(venue, "BTC", 1e12)).toBe(table[0]![1]);
      expect(priceUnit(venue, "BTC", 1e-12)).toBe(table[table.length - 1]![1]);
    });

    it(`${venue}: every unit divides its row's bounds evenly`, () => {
      table.forEach(([from], i) => {
        const unit = priceUnit(venue, "BTC", from === "0" ? 1e-12 : Number(from));
        if (from !== "0") expect(divides(unit, from), `${unit} divides ${from}`).toBe(true);
        const upper = table[i - 1]?.[0];
        if (upper !== undefined) expect(divides(unit, upper), `${unit} divides ${upper}`).toBe(true);
      });
    });

    it(`${venue}: the unit never shrinks as the price rises`, () => {
      const price = fc.double({ min: 1e-12, max: 1e10, noNaN: true, noDefaultInfinity: true });
      fc.assert(
        fc.property(price, price, (a, b) => {
          const [lo, hi] = a <= b ? [a, b] : [b, a];
          return scaled(priceUnit(venue, "BTC", lo)) <= scaled(priceUnit(venue, "BTC", hi));
        }),
        { numRuns: 500 },
      );
    });
  }

  it("Upbit prices USDT and USDC at 0.5 KRW from 1,000 to 10,000 KRW, and other coins by the table", () => {
    for (const base of ["USDT", "USDC", "usdt"]) {
      expect(priceUnit("upbit", base, justBelow(1000))).toBe("1");
      expect(priceUnit("upbit", base, 1000)).toBe("0.5");
      expect(priceUnit("upbit", base, 1432.5)).toBe("0.5");
      expect(priceUnit("upbit", base, 5000)).toBe("0.5");
      expect(priceUnit("upbit", base, justBelow(10000))).toBe("0.5");
      expect(priceUnit("upbit", base, 10000)).toBe("10");
    }
    expect(priceUnit("upbit", "BTC", 1432.5)).toBe("1");
    expect(priceUnit("upbit", "BTC", 5000)).toBe("5");
    // The exception is Upbit's: Bithumb documents none.
    expect(priceUnit("bithumb", "USDT", 1432)).toBe("1");
  });

  it("the USDT/USDC exception is never coarser than the table's unit, and divides its bounds", () => {
    for (const price of [1000, 4999, 5000, 9999]) {
      const exceptional = scaled(priceUnit("upbit", "USDT", price));
      expect(exceptional <= scaled(priceUnit("upbit", "BTC", price))).toBe(true);
    }
    expect(divides(priceUnit("upbit", "USDT", 1000), "1000")).toBe(true);
    expect(divides(priceUnit("upbit", "USDT", 1000), "10000")).toBe(true);
  });

  it("refuses prices that are not positive and finite", () => {
    for (const bad of [0, -1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => priceUnit("upbit", "BTC", bad)).toThrow(RangeError);
    }
  });
});

describe("minimum order values", () => {
  it("are the venues' published minimums (KRW for Korean venues, USDT for global ones)", () => {
    expect(MIN_ORDER_VALUE).toEqual({ upbit: "5000", bithumb: "5000", binance: "5", bybit: "5" });
  });
});

describe("fees", () => {
  it("parse as decimal fractions between 0 and 1 %", () => {
    for (const venue of MARKET_VENUES) {
      for (const rate of [VENUE_FEES[venue].maker, VENUE_FEES[venue].taker]) {
        expect(rate).toMatch(/^\d+(\.\d+)?$/);
        const n = Number(rate);
        expect(n).toBeGreaterThanOrEqual(0);
        expect(n).toBeLessThanOrEqual(0.01);
      }
    }
  });

  it("are each venue's standard spot rates", () => {
    expect(VENUE_FEES).toEqual({
      upbit: { maker: "0.0005", taker: "0.0005" },
      bithumb: { maker: "0.0025", taker: "0.0025" },
      binance: { maker: "0.001", taker: "0.001" },
      bybit: { maker: "0.001", taker: "0.001" },
    });
  });
});

describe("quantity decimals and sources", () => {
  it("allow 8 decimal places of the base asset on every venue", () => {
    for (const venue of MARKET_VENUES) expect(QUANTITY_DECIMALS[venue]).toBe(8);
  });

  it("name a documentation URL and the date it was read for every rule of every venue", () => {
    for (const venue of MARKET_VENUES) {
      for (const source of Object.values(RULE_SOURCES[venue])) {
        expect(source).toMatch(/^https:\/\/\S+ \(read \d{4}-\d{2}-\d{2}\)$/);
      }
    }
  });
});
